/**
 * The PostgreSQL chores the benchmarks share: one short-lived client per statement, a database of the run
 * (created, handed over, dropped), and the reference workload's log written into it as fast as the server
 * allows (synchronous_commit off while appending, statistics refreshed after, so the first read plans
 * with real row counts).
 */
import { Client } from 'pg';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { appendWorkload } from './append-workload';

/** The server the benchmarks create their databases on. */
export const BENCH_SERVER = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `work` with a client of its own, always closed after. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One statement on a client of its own; resolves to its rows. */
export function sql<Row = Record<string, unknown>>(
  url: string,
  text: string,
  parameters: readonly unknown[] = [],
): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query(text, [...parameters])).rows as Row[]);
}

/** The URL of `database` on the server of `server`. */
export function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates `database` on the benchmark server, runs `work` with its URL and drops it after (unless `keep`),
 * also when `work` throws.
 */
export async function withScratchDatabase<T>(
  database: string,
  work: (url: string) => Promise<T>,
  keep = false,
): Promise<T> {
  await sql(BENCH_SERVER, `CREATE DATABASE ${database}`);
  try {
    return await work(databaseUrl(BENCH_SERVER, database));
  } finally {
    if (keep) console.log(`kept database ${database}`);
    else await sql(BENCH_SERVER, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

export interface WrittenLog {
  readonly events: number;
  readonly head: bigint;
  readonly seconds: number;
}

/** Appends the reference workload to a PostgreSQL event store in `schema` of the database at `url`. */
export async function writeWorkloadLog(
  url: string,
  options: { readonly schema: string; readonly orders: number; readonly seed: number },
): Promise<WrittenLog> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  await sql(url, `ALTER DATABASE ${database} SET synchronous_commit = off`);
  const store = createPostgresEventStore({ url, schema: options.schema, poolSize: 8, pageSize: 5000 });
  await store.initialize();
  const started = performance.now();
  try {
    const events = await appendWorkload(store, options.orders, options.seed);
    const head = await store.headPosition();
    return { events, head, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
    await sql(url, `ALTER DATABASE ${database} RESET synchronous_commit`);
    await sql(url, `VACUUM ANALYZE ${options.schema}.events`);
  }
}
