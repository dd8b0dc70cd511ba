/**
 * Writes views with an OLDER Prism: the code of another commit, exported to PRISM_UPGRADE_ROOT (see
 * old-prism.ts), loaded from there at run time. It appends orders and two poison events to a PostgreSQL
 * event log, runs the runtime test fixtures into PostgreSQL, Elasticsearch and Neo4j until the head,
 * discards the first poison event in each (a parking resolution) and leaves the second parked.
 *
 * Only this file runs the old code, and it names the old modules by path, never by import: what it uses of
 * them is typed below, so this repository type-checks it against nothing that may change.
 *
 *   PRISM_UPGRADE_ROOT   the exported older Prism (src/, test/, bench/, node_modules)
 *   PRISM_UPGRADE_PG     database of the event log and the PostgreSQL views
 *   PRISM_UPGRADE_ES     Elasticsearch server;   PRISM_UPGRADE_NEO4J   Neo4j server
 *   PRISM_UPGRADE_NAMES  JSON of UpgradeNames (upgrade-names.ts)
 */
import path from 'node:path';
import type { UpgradeNames } from './upgrade-names';

interface OldEventStore {
  initialize(): Promise<void>;
  append(streamId: string, events: unknown[], expected: 'any'): Promise<{ position: bigint }>;
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}
interface OldTarget {
  close(): Promise<void>;
}
interface OldRuntime {
  start(definitions: unknown[]): Promise<void>;
  waitForCheckpoint(name: string, position: bigint, timeoutMs?: number): Promise<void>;
  discard(name: string, position: bigint): Promise<unknown>;
  stop(): Promise<void>;
}
interface OldPlan {
  readonly name: string;
}

const root = required('PRISM_UPGRADE_ROOT');

async function load<T>(file: string): Promise<T> {
  return (await import(path.join(root, file))) as T;
}

async function main(): Promise<void> {
  const names = JSON.parse(required('PRISM_UPGRADE_NAMES')) as UpgradeNames;
  const pg = required('PRISM_UPGRADE_PG');
  const { createPostgresEventStore } = await load<{
    createPostgresEventStore(options: { url: string; schema: string }): OldEventStore;
  }>('src/eventstore/postgres/postgres-event-store');
  const { ProjectionRuntime } = await load<{ ProjectionRuntime: new (options: unknown) => OldRuntime }>(
    'src/runtime/projection-runtime',
  );
  const { RelationalTarget } = await load<{
    RelationalTarget: { connect(config: unknown): Promise<OldTarget> };
  }>('src/stores/relational/relational.target');
  const { ElasticsearchTarget } = await load<{
    ElasticsearchTarget: { connect(config: unknown): Promise<OldTarget> };
  }>('src/stores/elasticsearch/elasticsearch.target');
  const { Neo4jTarget } = await load<{ Neo4jTarget: { connect(config: unknown): Promise<OldTarget> } }>(
    'src/stores/neo4j/neo4j.target',
  );
  const summary = await load<{
    orderSummaryPlan(): OldPlan;
    orderSummaryDefinition(): unknown;
  }>('test/runtime/fixtures/order-summary.fixture');
  const search = await load<{ orderSearchPlan(v: 1): OldPlan; orderSearchDefinition(v: 1): unknown }>(
    'test/runtime/fixtures/order-search.fixture',
  );
  const graph = await load<{
    orderGraphPlan(name: string, v: 1): OldPlan;
    orderGraphDefinition(name: string, v: 1): unknown;
  }>('test/runtime/fixtures/order-graph.fixture');

  const store = createPostgresEventStore({ url: pg, schema: names.log });
  await store.initialize();
  const order = (id: string) => [
    { type: 'OrderPlaced', data: { orderId: id, customerId: `c-${id}` } },
    { type: 'ItemAdded', data: { orderId: id, productId: 'p-1', qty: 2, price: 5 } },
  ];
  await store.append('order-1', order('1'), 'any');
  await store.append('order-2', order('2'), 'any');
  // No orderId: no plan can compute the keys, so every projection parks these two.
  const discarded = (await store.append('bad-1', [{ type: 'OrderShipped', data: {} }], 'any')).position;
  await store.append('bad-2', [{ type: 'OrderShipped', data: {} }], 'any');
  await store.append('order-1', [{ type: 'OrderShipped', data: { orderId: '1' } }], 'any');
  const head = await store.headPosition();

  const targets = {
    postgres: await RelationalTarget.connect({ kind: 'postgres', url: pg, schema: names.pgSchema }),
    elasticsearch: await ElasticsearchTarget.connect({
      url: required('PRISM_UPGRADE_ES'),
      prefix: names.esPrefix,
    }),
    neo4j: await Neo4jTarget.connect({
      url: required('PRISM_UPGRADE_NEO4J'),
      bookkeepingPrefix: names.neo4jPrefix,
    }),
  };
  const definitions = [
    { plan: summary.orderSummaryPlan(), definition: summary.orderSummaryDefinition() },
    { plan: search.orderSearchPlan(1), definition: search.orderSearchDefinition(1) },
    { plan: graph.orderGraphPlan(names.graph, 1), definition: graph.orderGraphDefinition(names.graph, 1) },
  ];
  const runtime = new ProjectionRuntime({
    store,
    targets,
    runner: { batchSize: 50, maxBatchLatencyMs: 5, headPollMs: 20, backoff: { initialMs: 5, maxMs: 50 } },
    logger: {
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => process.stderr.write(`${m}\n`),
    },
  });
  await runtime.start(definitions);
  for (const { plan } of definitions) {
    await runtime.waitForCheckpoint(plan.name, head);
    await discardWhenListed(() => runtime.discard(plan.name, discarded));
  }
  await runtime.stop();
  await Promise.all([...Object.values(targets).map((target) => target.close()), store.close()]);
  process.stdout.write('DONE\n');
}

/**
 * The older Prism lists an Elasticsearch view's parked events with a search, which sees a parking only
 * after the index refreshes: reaching the checkpoint does not yet mean the parking is listed. On a busy
 * machine that window is long enough to hit, so the writer retries what a user would retry.
 */
async function discardWhenListed(discard: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await discard();
      return;
    } catch (error) {
      const notYetListed = error instanceof Error && error.name === 'ParkedEventNotFoundError';
      if (!notYetListed || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
