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
import type { Target } from '../targets/target.port';
import { ElasticsearchTarget } from '../targets/elasticsearch/elasticsearch.target';
import { Neo4jTarget } from '../targets/neo4j/neo4j.target';
import { RelationalTarget } from '../targets/relational/relational.target';

export const EMBEDDED_VIEWS_FILE = 'prism-views.sqlite';

export type ConfiguredTargets = Partial<Record<TargetKind, Target>>;

export async function connectTargets(config: AppConfig): Promise<ConfiguredTargets> {
  const relational = config.postgres
    ? await RelationalTarget.connect({
        kind: 'postgres',
        url: config.postgres.url,
        schema: config.postgres.schema,
        logger: new Logger('ViewStores'),
      })
    : await connectEmbeddedViews(config.dataDir);
  const targets: ConfiguredTargets = { postgres: relational };
  if (config.elasticsearch) targets.elasticsearch = await ElasticsearchTarget.connect(config.elasticsearch);
  if (config.neo4j) targets.neo4j = await Neo4jTarget.connect(config.neo4j);
  return targets;
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
