/**
 * Regression for issue #12 item 11: a PostgreSQL connection reset killed Prism ("read ECONNRESET ...
 * Emitted 'error' event on Client instance", unhandled), and after an outage the projections took 22 s to
 * catch up because the retry backoff had grown to 30 s.
 *
 * Prism runs as a real child process (src/main.ts), so a crash is a crash, and reaches PostgreSQL (event
 * log and relational view), Elasticsearch and Neo4j through TCP proxies. Writers keep sending commands
 * while each store's connections are reset (TCP RST) and refused at random moments: the event log during
 * appends and view commits and while idle on LISTEN, Elasticsearch and Neo4j during their bulk writes.
 * Then: the process is alive and never needed its last-resort handler; commands answered 503
 * event_store_unavailable (with Retry-After, writing nothing) while the log was cut and 2xx otherwise; every
 * accepted event is in the log exactly once; each view equals a rebuild from the log (admin verify); and the
 * projections caught up within a generous bound after each store's return (the measured times are printed).
 * bench/store-outage-loop.ts runs the same campaign with as many cuts as you like.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { prng } from '../../bench/workload';
import { deleteIndicesWithPrefix } from '../../src/targets/elasticsearch/elasticsearch-cleanup';
import { REPO_ROOT } from '../stores/store-endpoints';
import { startPrismProcess, type PrismProcess } from '../support/prism-process';
import {
  commandProblems,
  eventCounts,
  runOutageCampaign,
  type CampaignReport,
  type OutageStore,
  type PlannedCut,
} from '../support/store-outage-campaign';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { TcpProxy, viaProxy } from '../support/tcp-proxy';

/** Catch-up after a store's return is bounded generously: the machine running the suite may be loaded. */
const CATCH_UP_BOUND_MS = 15_000;
const API_KEY = 'outage-admin-key-0123456789abcdef';

function copyDefinition(directory: string, file: string, replacements: Record<string, string>): void {
  let text = readFileSync(path.join(REPO_ROOT, 'projections', file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replace(from, to);
  writeFileSync(path.join(directory, file), text);
}

/** The lines of a crashed process's output that say why (an uncaught error and its origin). */
function crashLines(output: string): string {
  return output
    .split('\n')
    .filter((line) => /Error|Emitted|throw|at /.test(line) && !line.includes('"level":"warn"'))
    .slice(0, 15)
    .join('\n');
}

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'a store connection reset (issue #12 item 11)',
  (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    const search = uniqueTestName('reset_search');
    const graph = uniqueTestName('reset_graph');
    const runId = uniqueTestName('r').replace(/_/g, '');
    const directory = mkdtempSync(path.join(tmpdir(), 'prism-reset-'));
    const proxies = {} as Record<OutageStore, { proxy: TcpProxy; port: number }>;
    let prism: PrismProcess | undefined;

    beforeAll(async () => {
      const upstream: Record<OutageStore, string> = {
        postgres: database.url,
        elasticsearch: urls.elasticsearch,
        neo4j: urls.neo4j,
      };
      for (const store of Object.keys(upstream) as OutageStore[]) {
        const target = new URL(upstream[store]);
        const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) });
        proxies[store] = { proxy, port: await proxy.start() };
      }
      copyDefinition(directory, 'order-summary.yaml', {});
      copyDefinition(directory, 'order-search.yaml', {
        'name: order_search': `name: ${search}`,
        'index: order_search': `index: ${search}`,
      });
      copyDefinition(directory, 'purchase-graph.yaml', { 'name: purchase_graph': `name: ${graph}` });
      prism = await startPrismProcess({
        PRISM_PG_URL: viaProxy(database.url, proxies.postgres.port),
        PRISM_ES_URL: viaProxy(urls.elasticsearch, proxies.elasticsearch.port).replace(/\/$/, ''),
        PRISM_NEO4J_URL: viaProxy(urls.neo4j, proxies.neo4j.port).replace(/\/$/, ''),
        PRISM_PROJECTIONS_DIR: directory,
        PRISM_DATA_DIR: directory,
        PRISM_API_KEYS: `admin:${API_KEY}`,
      });
    }, 120_000);

    afterAll(async () => {
      await prism?.stop();
      for (const { proxy } of Object.values(proxies)) await proxy.stop();
      const elasticsearch = new ElasticsearchClient({ node: urls.elasticsearch });
      await deleteIndicesWithPrefix(elasticsearch, `prism-${search}`).catch(() => undefined);
      await elasticsearch.close();
      const driver = neo4j.driver(urls.neo4j);
      await driver
        .executeQuery(
          `MATCH (n) WHERE any(label IN labels(n) WHERE label ENDS WITH $suffix) DETACH DELETE n`,
          { suffix: `__${graph}_g1` },
        )
        .catch(() => undefined);
      await driver.close();
      rmSync(directory, { recursive: true, force: true });
    }, 60_000);

    it('survives resets of every store at random moments, answers 503 only while the log is cut, loses and doubles nothing, and catches up', async () => {
      const seed = Number(process.env.PRISM_OUTAGE_SEED ?? Date.now() % 100_000);
      const cuts: PlannedCut[] = [
        { store: 'postgres', moment: 'append' },
        { store: 'elasticsearch', moment: 'writing' },
        { store: 'postgres', moment: 'idle' },
        { store: 'neo4j', moment: 'writing' },
        { store: 'postgres', moment: 'view-commit' },
        { store: 'postgres', moment: 'writing' },
      ];
      const lines: string[] = [];
      let report: CampaignReport;
      try {
        report = await runOutageCampaign({
          prismUrl: prism!.url,
          apiKey: API_KEY,
          proxies,
          logUrl: database.url,
          logSchema: 'prism',
          projections: ['order_summary', search, graph],
          cuts,
          random: prng(seed),
          runId,
          log: (line) => lines.push(line),
          alive: () => prism!.exited() === undefined,
        });
      } finally {
        const exit = prism!.exited();
        const crash =
          exit === undefined ? '' : `\nPrism exited ${JSON.stringify(exit)}:\n${crashLines(prism!.output())}`;
        console.log(`store-connection-reset (seed ${seed}):\n${lines.join('\n')}${crash}`);
      }

      // The process survived, and without its last-resort handler: every client handled its own errors.
      expect(prism!.exited()).toBeUndefined();
      expect((await fetch(`${prism!.url}/health/live`)).status).toBe(200);
      expect(prism!.output()).not.toMatch(/escaped its handler|Prism stops on|Emitted 'error' event/);
      // Each outage was logged once, naming the store.
      expect(prism!.output()).toMatch(/Lost the connection to the PostgreSQL event store at/);

      // Commands: 503 with the code and Retry-After while the log was cut, nothing lost or doubled.
      const counts = await eventCounts(database.url, 'prism', runId);
      expect(commandProblems(report, counts)).toEqual([]);
      for (const cut of report.cuts.filter((c) => c.store === 'postgres' && c.moment !== 'idle'))
        expect(cut.unavailable).toBeGreaterThan(0);
      for (const cut of report.cuts.filter((c) => c.store !== 'postgres')) expect(cut.unavailable).toBe(0);

      // The projections caught up after each store's return, within a generous bound.
      for (const cut of report.cuts) expect(cut.catchUpMs).toBeLessThan(CATCH_UP_BOUND_MS);

      // Each view equals a rebuild from the log: no event lost or applied twice.
      for (const projection of ['order_summary', search, graph]) {
        const response = await fetch(`${prism!.url}/admin/projections/${projection}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-API-Key': API_KEY },
          body: '{}',
        });
        const verify = (await response.json()) as { counts: unknown; eventsFolded: number; total: number };
        expect(response.status).toBe(200);
        expect(verify.eventsFolded).toBeGreaterThan(0);
        expect({ projection, counts: verify.counts }).toEqual({
          projection,
          counts: { onlyLive: 0, onlyRebuilt: 0, different: 0 },
        });
      }
    }, 600_000);
  },
);
