/**
 * The set-up of a store outage campaign (store-outage-campaign.ts), shared by
 * test/e2e/store-connection-reset.e2e.spec.ts and bench/store-outage-loop.ts: one TCP proxy per store,
 * the example order views (relational, search, graph) under names of the run's own, Prism as a child
 * process reaching every store through its proxy, and the clean-up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { REPO_ROOT } from '../stores/store-endpoints';
import { startPrismProcess, type PrismProcess } from './prism-process';
import type { OutageStore } from './store-outage-campaign';
import { uniqueTestName } from './stores';
import { TcpProxy, viaProxy } from './tcp-proxy';

export const OUTAGE_API_KEY = 'outage-admin-key-0123456789abcdef';

export interface OutageRig {
  readonly prism: PrismProcess;
  readonly proxies: Readonly<Record<OutageStore, { proxy: TcpProxy; port: number }>>;
  /** The three projections: order_summary (PostgreSQL), the search and the graph one (names of this run). */
  readonly projections: readonly string[];
  /** Unique prefix of the run's entity ids. */
  readonly runId: string;
  /** Counts of differences between each view and a rebuild from the log (POST /admin/.../verify). */
  verify(): Promise<{ projection: string; status: number; eventsFolded: number; counts: unknown }[]>;
  close(): Promise<void>;
}

/** `postgres` is the URL of a database of the run's own (the log and the relational view go there). */
export async function startOutageRig(urls: Record<OutageStore, string>): Promise<OutageRig> {
  const search = uniqueTestName('reset_search');
  const graph = uniqueTestName('reset_graph');
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-reset-'));
  const proxies = {} as Record<OutageStore, { proxy: TcpProxy; port: number }>;
  for (const store of Object.keys(urls) as OutageStore[]) {
    const target = new URL(urls[store]);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) });
    proxies[store] = { proxy, port: await proxy.start() };
  }
  copyDefinition(directory, 'order-summary.yaml', {});
  copyDefinition(directory, 'order-search.yaml', {
    'name: order_search': `name: ${search}`,
    'index: order_search': `index: ${search}`,
  });
  copyDefinition(directory, 'purchase-graph.yaml', { 'name: purchase_graph': `name: ${graph}` });

  const close = async (prism?: PrismProcess): Promise<void> => {
    await prism?.stop();
    for (const { proxy } of Object.values(proxies)) await proxy.stop();
    const elasticsearch = new ElasticsearchClient({ node: urls.elasticsearch });
    await deleteIndicesWithPrefix(elasticsearch, `prism-${search}`).catch(() => undefined);
    await elasticsearch.close();
    const driver = neo4j.driver(urls.neo4j);
    await driver
      .executeQuery(`MATCH (n) WHERE any(label IN labels(n) WHERE label ENDS WITH $suffix) DETACH DELETE n`, {
        suffix: `__${graph}_g1`,
      })
      .catch(() => undefined);
    await driver.close();
    rmSync(directory, { recursive: true, force: true });
  };

  let prism: PrismProcess;
  try {
    prism = await startPrismProcess({
      PRISM_PG_URL: viaProxy(urls.postgres, proxies.postgres.port),
      PRISM_ES_URL: viaProxy(urls.elasticsearch, proxies.elasticsearch.port).replace(/\/$/, ''),
      PRISM_NEO4J_URL: viaProxy(urls.neo4j, proxies.neo4j.port).replace(/\/$/, ''),
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
      PRISM_API_KEYS: `admin:${OUTAGE_API_KEY}`,
    });
  } catch (error) {
    await close();
    throw error;
  }
  const projections = ['order_summary', search, graph];
  return {
    prism,
    proxies,
    projections,
    runId: uniqueTestName('r').replace(/_/g, ''),
    verify: async () => {
      const reports = [];
      for (const projection of projections) {
        const response = await fetch(`${prism.url}/admin/projections/${projection}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-API-Key': OUTAGE_API_KEY },
          body: '{}',
        });
        const body = (await response.json()) as { eventsFolded?: number; counts?: unknown };
        reports.push({
          projection,
          status: response.status,
          eventsFolded: body.eventsFolded ?? 0,
          counts: body.counts ?? body,
        });
      }
      return reports;
    },
    close: () => close(prism),
  };
}

function copyDefinition(directory: string, file: string, replacements: Record<string, string>): void {
  let text = readFileSync(path.join(REPO_ROOT, 'projections', file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replace(from, to);
  writeFileSync(path.join(directory, file), text);
}

/** The lines of a crashed process's output that say why (an uncaught error and where it was emitted). */
export function crashLines(output: string): string {
  return output
    .split('\n')
    .filter((line) => /Error|Emitted|throw/.test(line) && !line.includes('"level":"warn"'))
    .slice(0, 15)
    .join('\n');
}
