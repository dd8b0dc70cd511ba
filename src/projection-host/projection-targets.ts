/**
 * Which store each kind of view goes to, from the config. Relational views always have a home:
 * PostgreSQL when PRISM_PG_URL is set, otherwise an embedded SQLite file beside the embedded event store,
 * so `npm start` on a bare machine materializes the example views too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { TargetKind } from '../core/view-shape';
import type { Target } from '../stores/target.port';
import { ElasticsearchTarget } from '../stores/elasticsearch/elasticsearch.target';
import { Neo4jTarget } from '../stores/neo4j/neo4j.target';
import { RelationalTarget } from '../stores/relational/relational.target';

export const EMBEDDED_VIEWS_FILE = 'prism-views.sqlite';

export type ConfiguredTargets = Partial<Record<TargetKind, Target>>;

export async function connectTargets(config: AppConfig): Promise<ConfiguredTargets> {
  const targets: ConfiguredTargets = {};
  for (const kind of configuredTargetKinds(config)) targets[kind] = await connectTarget(config, kind);
  return targets;
}

/** The kinds of view store this config has a home for (relational always: PostgreSQL or SQLite). */
export function configuredTargetKinds(config: AppConfig): TargetKind[] {
  return [
    'postgres',
    ...(config.elasticsearch ? (['elasticsearch'] as const) : []),
    ...(config.neo4j ? (['neo4j'] as const) : []),
  ];
}

/** Connects the view store of one kind (each is connected on its own, so one down never holds the others). */
export async function connectTarget(config: AppConfig, kind: TargetKind): Promise<Target> {
  switch (kind) {
    case 'postgres':
      return config.postgres
        ? RelationalTarget.connect({
            kind: 'postgres',
            url: config.postgres.url,
            schema: config.postgres.schema,
            logger: new Logger('ViewStores'),
          })
        : connectEmbeddedViews(config.dataDir);
    case 'elasticsearch':
      if (!config.elasticsearch) throw new Error('No Elasticsearch is configured (PRISM_ES_URL).');
      return ElasticsearchTarget.connect(config.elasticsearch);
    case 'neo4j':
      if (!config.neo4j) throw new Error('No Neo4j is configured (PRISM_NEO4J_URL).');
      return Neo4jTarget.connect(config.neo4j);
  }
}

async function connectEmbeddedViews(dataDir: string): Promise<RelationalTarget> {
  fs.mkdirSync(dataDir, { recursive: true });
  return RelationalTarget.connect({ kind: 'sqlite', file: path.join(dataDir, EMBEDDED_VIEWS_FILE) });
}

/** Where each kind of view lives, for the start-up banner (never includes credentials). */
export function describeTargets(config: AppConfig, targets: ConfiguredTargets): string {
  const where: Record<TargetKind, string> = {
    postgres: config.postgres
      ? 'PostgreSQL'
      : `embedded SQLite (${path.join(config.dataDir, EMBEDDED_VIEWS_FILE)})`,
    elasticsearch: 'Elasticsearch',
    neo4j: 'Neo4j',
  };
  return (Object.keys(targets) as TargetKind[]).map((kind) => `${kind} views -> ${where[kind]}`).join(', ');
}
