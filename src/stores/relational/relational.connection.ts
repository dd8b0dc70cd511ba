/**
 * How Prism configures and connects the relational view store (the `connection` section,
 * ../store-connection.ts). It always has a home: PostgreSQL when PRISM_PG_URL is set (the same database
 * and schema as the event store's, whose variables these are: src/eventstore/event-store.settings.ts), otherwise an
 * embedded SQLite file in PRISM_DATA_DIR, so `npm start` on a bare machine materializes the example views.
 *
 * One pool per process: the target opens it when it connects (or borrows the app's, given in the Nest
 * module's options), and the relational query API and the health probe read through that target.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type ParsedVariables, urlWithScheme } from '../../config/env-variable';
import type { EVENT_STORE_VARIABLES } from '../../eventstore/event-store.settings';
import type { StoreConnection } from '../store-connection';
import { hasMethods, oneOf, parseStoreOption } from '../store-options';
import type { PgPool } from './borrowed-pg-pool';
import { RelationalQueryModule } from './query/relational-query.module';
import { describeRelationalView } from './query/relational-query.openapi';
import { RelationalTarget, type RelationalTargetConfig } from './relational.target';

/** File name of the embedded views inside PRISM_DATA_DIR. */
export const EMBEDDED_VIEWS_FILE = 'prism-views.sqlite';

export type RelationalSettings =
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }
  /** A pool the app owns: used, never ended by Prism. */
  | { readonly kind: 'postgres'; readonly pool: PgPool; readonly schema: string }
  | { readonly kind: 'sqlite'; readonly file: string };

/**
 * The relational entry of `PrismOptions.viewStores` (src/nest): the app's own pg Pool, a URL, or an
 * SQLite file. `schema` holds the views and Prism's bookkeeping tables (created if missing).
 */
export type RelationalOptions =
  | { readonly pool: PgPool; readonly schema?: string }
  | { readonly url: string; readonly schema?: string }
  | { readonly file: string };

const SCHEMA_NAME = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase SQL identifier (letters, digits, _)')
  .default('prism');

const OPTIONS = {
  pool: z
    .object({
      kind: z.literal('postgres').optional(),
      pool: z.custom<PgPool>((value) => hasMethods(value, ['connect', 'query', 'on', 'removeListener']), {
        message: 'expected a pg Pool (`new Pool(...)` from the "pg" package)',
      }),
      schema: SCHEMA_NAME,
    })
    .strict()
    .transform(({ pool, schema }) => ({ kind: 'postgres' as const, pool, schema })),
  url: z
    .object({
      kind: z.literal('postgres').optional(),
      url: urlWithScheme(['postgres', 'postgresql']),
      schema: SCHEMA_NAME,
    })
    .strict()
    .transform(({ url, schema }) => ({ kind: 'postgres' as const, url, schema })),
  file: z
    .object({ kind: z.literal('sqlite').optional(), file: z.string().trim().min(1, 'expected a file path') })
    .strict()
    .transform(({ file }) => ({ kind: 'sqlite' as const, file: path.resolve(file) })),
};

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
  fromOptions(value) {
    const chosen = oneOf(value, ['pool', 'url', 'file'] as const);
    if ('problem' in chosen) return { problems: [chosen.problem] };
    return parseStoreOption<RelationalSettings>(OPTIONS[chosen.key], value);
  },
  describe: (settings) =>
    settings.kind === 'postgres' ? 'PostgreSQL' : `embedded SQLite (${settings.file})`,
  missingHint: 'set PRISM_PG_URL (or give viewStores.relational to PrismModule) to run them',
  // Users' probes read `postgres_views` (GET /health/components) and `postgres` (readiness).
  healthName: 'postgres',
  requiredForReadiness: true,
  open(settings, { logger }) {
    let connected: RelationalTarget | undefined;
    const config: RelationalTargetConfig =
      settings.kind === 'postgres' ? { ...settings, logger } : { kind: 'sqlite', file: settings.file };
    // A given pool belongs to the app: the target's DataSource borrows it (borrowed-pg-pool.ts).
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
    describeView: describeRelationalView,
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
