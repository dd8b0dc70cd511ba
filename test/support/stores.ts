/**
 * What integration tests use to reach the real stores that the Jest global setup provided.
 * A missing store skips the suite with one plain line saying which store and how to provide it;
 * in CI the global setup has already failed the run before any test gets here.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { STORE_ENDPOINTS, type StoreName } from '../stores/store-endpoints';

export type StoreUrls = Record<StoreName, string>;

function unavailableStores(): Record<string, string> {
  return JSON.parse(process.env.PRISM_UNAVAILABLE_STORES ?? '{}') as Record<string, string>;
}

export function storeUrl(store: StoreName): string | undefined {
  if (unavailableStores()[store] !== undefined) return undefined;
  return process.env[STORE_ENDPOINTS[store].envVar];
}

/**
 * `describe` that runs only when every named store answered in the global setup.
 * The callback receives the URLs of all stores that are available.
 */
export function describeWithStores(
  stores: readonly StoreName[],
  name: string,
  body: (urls: StoreUrls) => void,
): void {
  const missing = stores.filter((store) => storeUrl(store) === undefined);
  if (missing.length > 0) {
    const how = missing.map((store) => `${store} (${STORE_ENDPOINTS[store].howToProvide})`).join('; ');
    console.warn(`SKIPPED "${name}": needs ${how}`);
    describe.skip(name, () => body({} as StoreUrls));
    return;
  }
  const urls = Object.fromEntries(stores.map((store) => [store, storeUrl(store)!])) as StoreUrls;
  describe(name, () => body(urls));
}

/** A unique, lowercase name for a test's own database, index prefix or label namespace. */
export function uniqueTestName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/**
 * A fresh PostgreSQL database for one test file, dropped afterwards, so runs never see each other's data.
 * Call at describe level; read `.url` inside tests.
 */
export function useTestDatabase(serverUrl: () => string): { readonly url: string } {
  const handle = { url: '' };
  let name = '';
  beforeAll(async () => {
    name = uniqueTestName('prism_test');
    await adminQuery(serverUrl(), `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl());
    url.pathname = `/${name}`;
    handle.url = url.toString();
  });
  afterAll(async () => {
    if (name) await adminQuery(serverUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return handle;
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
