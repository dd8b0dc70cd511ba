/** Readiness probes: each one makes a real request that only a working store can answer. */
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import type { StoreName } from './store-endpoints';

export async function probePostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

export async function probeElasticsearch(url: string): Promise<void> {
  const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { status?: string };
  if (!response.ok || (body.status !== 'yellow' && body.status !== 'green')) {
    throw new Error(`cluster health is ${body.status ?? response.status}`);
  }
}

export async function probeNeo4j(url: string): Promise<void> {
  const driver = neo4j.driver(url, undefined, { connectionTimeout: 2_000, maxConnectionPoolSize: 1 });
  try {
    const result = await driver.executeQuery('RETURN 1 AS one');
    const one: unknown = result.records[0]?.get('one');
    if (!neo4j.isInt(one) || one.toNumber() !== 1) throw new Error('RETURN 1 did not return 1');
  } finally {
    await driver.close();
  }
}

export const PROBES: Record<StoreName, (url: string) => Promise<void>> = {
  postgres: probePostgres,
  elasticsearch: probeElasticsearch,
  neo4j: probeNeo4j,
};

/** Probes until the store answers or the deadline passes; returns the last error on failure. */
export async function waitUntilReady(
  store: StoreName,
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<Error | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error = new Error('not probed');
  while (Date.now() < deadline) {
    if (!isAlive()) return new Error(`${store} process exited before it was ready`);
    try {
      await PROBES[store](url);
      return undefined;
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return new Error(`${store} did not answer at ${url} within ${timeoutMs / 1000}s: ${lastError.message}`);
}
