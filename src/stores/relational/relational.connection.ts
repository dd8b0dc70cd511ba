/**
 * How Prism configures and connects the relational view store (the `connection` section,
 * ../store-connection.ts). It always has a home: PostgreSQL when PRISM_PG_URL is set (the same database
 * and schema as the event store's, whose variables these are: src/eventstore/event-store.settings.ts), otherwise an
 * embedded SQLite file in PRISM_DATA_DIR, so `npm start` on a bare machine materializes the example views.
 *
 * One pool per process: the target opens it when it connects, and the relational query API and the health
 * probe read through that target.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedVariables } from '../../config/env-variable';
import type { EVENT_STORE_VARIABLES } from '../../eventstore/event-store.settings';
import type { StoreConnection } from '../store-connection';
import { RelationalQueryModule } from './query/relational-query.module';
import { RelationalTarget, type RelationalTargetConfig } from './relational.target';

/** File name of the embedded views inside PRISM_DATA_DIR. */
export const EMBEDDED_VIEWS_FILE = 'prism-views.sqlite';

export type RelationalSettings =
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly kind: 'sqlite'; readonly file: string };

/** The variables read here are the event store's (PostgreSQL is one database for both). */
type SharedEnv = ParsedVariables<Pick<typeof EVENT_STORE_VARIABLES, 'PRISM_PG_URL' | 'PRISM_PG_SCHEMA'>>;

export const relationalConnection: StoreConnection<RelationalSettings, undefined> = {
  variables: {},
  configure({ parsed, dataDir }) {
    const env = parsed as SharedEnv | undefined;
    if (env === undefined) return { problems: [] };
    return {
      settings:
        env.PRISM_PG_URL === undefined
          ? { kind: 'sqlite', file: path.join(dataDir, EMBEDDED_VIEWS_FILE) }
          : { kind: 'postgres', url: env.PRISM_PG_URL, schema: env.PRISM_PG_SCHEMA },
      problems: [],
    };
  },
  describe: (settings) =>
    settings.kind === 'postgres' ? 'PostgreSQL' : `embedded SQLite (${settings.file})`,
  missingHint: 'set PRISM_PG_URL to run them',
  // Users' probes read `postgres_views` (GET /health/components) and `postgres` (readiness).
  healthName: 'postgres',
  requiredForReadiness: true,
  open(settings, { logger }) {
    let connected: RelationalTarget | undefined;
    const config: RelationalTargetConfig =
      settings.kind === 'postgres' ? { ...settings, logger } : { kind: 'sqlite', file: settings.file };
    return {
      client: undefined,
      async connectTarget() {
        if (settings.kind === 'sqlite') fs.mkdirSync(path.dirname(settings.file), { recursive: true });
        connected = await RelationalTarget.connect(config);
        return connected;
      },
      async probe() {
        if (connected === undefined) throw new Error('not connected');
        await connected.readRows({ sql: 'SELECT 1', params: [] });
      },
      // The pool belongs to the target, which the host closes.
      close: async () => undefined,
    };
  },
  query: {
    // Last: its GET /views/:name/:key would also match the other stores' GET /views/:name/search.
    routeOrder: 100,
    module: (host) =>
      RelationalQueryModule.register({
        imports: host.imports,
        inject: host.inject,
        source: (...dependencies: never[]) => {
          const views = host.useFactory(...dependencies);
          return {
            projections: views.projections,
            target: () => {
              const connected = views.target();
              return connected instanceof RelationalTarget ? connected : undefined;
            },
          };
        },
      }),
  },
};
