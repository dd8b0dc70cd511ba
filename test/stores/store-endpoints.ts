/**
 * Where each test store lives. An env var points at a store somebody else runs (e.g. `docker compose up`);
 * without it, the repo's own launchers start a local one on these loopback ports.
 */
import path from 'node:path';

export type StoreName = 'postgres' | 'elasticsearch' | 'neo4j';

export interface StoreEndpoint {
  readonly name: StoreName;
  /** Env var that names an externally managed store. */
  readonly envVar: string;
  /** URL used when the env var is not set. */
  readonly defaultUrl: string;
  /** How a user provides this store when it is missing (shown in skip and failure messages). */
  readonly howToProvide: string;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Runtime state of locally launched stores (pid files, data, logs). Git-ignored. */
export const STORES_STATE_DIR = path.join(REPO_ROOT, '.prism-stores');

export const ES_HTTP_PORT = Number(process.env.PRISM_TEST_ES_PORT ?? 9251);
export const NEO4J_BOLT_PORT = Number(process.env.PRISM_TEST_NEO4J_PORT ?? 7697);

export const STORE_ENDPOINTS: Record<StoreName, StoreEndpoint> = {
  postgres: {
    name: 'postgres',
    envVar: 'PRISM_PG_URL',
    defaultUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    howToProvide: 'start PostgreSQL on 127.0.0.1:5432 (trust auth) or set PRISM_PG_URL',
  },
  elasticsearch: {
    name: 'elasticsearch',
    envVar: 'PRISM_ES_URL',
    defaultUrl: `http://127.0.0.1:${ES_HTTP_PORT}`,
    howToProvide: 'run `npm run stores:up` (needs Java 17 and Maven) or set PRISM_ES_URL',
  },
  neo4j: {
    name: 'neo4j',
    envVar: 'PRISM_NEO4J_URL',
    defaultUrl: `bolt://127.0.0.1:${NEO4J_BOLT_PORT}`,
    howToProvide: 'run `npm run stores:up` (needs Java 17 and Maven) or set PRISM_NEO4J_URL',
  },
};

export function configuredUrl(store: StoreName): { url: string; external: boolean } {
  const endpoint = STORE_ENDPOINTS[store];
  const fromEnv = process.env[endpoint.envVar];
  return fromEnv ? { url: fromEnv, external: true } : { url: endpoint.defaultUrl, external: false };
}
