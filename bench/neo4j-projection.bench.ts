/**
 * The Neo4j projection benchmark: the graph variant of the reference workload (bench/workload.ts,
 * ../shared/BENCHMARK-WORKLOAD.md), (:Customer)-[:PLACED]->(:Order)-[:CONTAINS {qty}]->(:Product),
 * from projections/purchase-graph.yaml (cancelled orders leave the graph; a product added twice to one
 * order keeps the last quantity).
 *
 *  1. Prism: every event through the compiled plan and the Neo4j target, batch by batch, each batch one
 *     transaction with its checkpoint compare-and-set (what the runtime runner does per batch);
 *  2. raw limit: only the final nodes and relationships, written by plain UNWIND batches;
 *  3. checks both graphs (node and relationship counts, sum of qty) against the generator, and prints no
 *     throughput if a check fails.
 *
 *   npx tsx bench/neo4j-projection.bench.ts [--orders 20000] [--batch 10000] [--mode sequential|interleaved]
 *        [--seed 42] [--keep] [--tuned-server] [--tuned-port 7717]
 *        [--warmup-orders 5000]
 *
 * PRISM_NEO4J_URL names the server (default bolt://127.0.0.1:7697, no auth). `--tuned-server` starts a
 * Neo4j of its own instead, configured like a production one (full JIT, 2 GB heap, 1 GB page cache; see
 * bench/tuned-neo4j.ts): the test server stops the JIT at C1 to start fast, which costs throughput.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import type { ViewOperation } from '../src/core/plan';
import type { Neo4jTargetShape } from '../src/stores/neo4j/neo4j-view-shape';
import { compileYamlDefinition } from '../src/dsl';
import type { StoredEvent } from '../src/eventstore/event-store.port';
import { bookkeepingDropStatements } from '../src/stores/neo4j/neo4j-bookkeeping';
import { keyConstraintName, physicalName } from '../src/stores/neo4j/neo4j-names';
import { Neo4jTarget } from '../src/stores/neo4j/neo4j.target';
import { neo4jStore } from '../src/stores/neo4j/neo4j.store';
import type { CommitResult } from '../src/stores/target.port';
import { interleaved, orders, sequential } from './workload';
import { arg } from './cli-args';
import { startTunedNeo4j, type TunedNeo4j } from './tuned-neo4j';

const ORDERS = Number(arg('orders', '20000'));
// Prism's runner catches up a Neo4j view in batches of this size (the store's catchUpBatchSize).
const BATCH = Number(arg('batch', String(neo4jStore.capabilities.catchUpBatchSize)));
const MODE = arg('mode', 'sequential') as 'sequential' | 'interleaved';
const SEED = Number(arg('seed', '42'));
const KEEP = process.argv.includes('--keep');
const TUNED = process.argv.includes('--tuned-server');
const TUNED_PORT = Number(arg('tuned-port', '7717'));
const WARMUP = Number(arg('warmup-orders', '5000'));
const RAW_BATCH = 5_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Expected {
  customers: number;
  products: number;
  orders: number;
  placed: number;
  contains: number;
  qty: number;
}

interface GraphRows {
  customers: string[];
  products: string[];
  orders: { orderId: string; placedAt: string; customerId: string }[];
  contains: { orderId: string; productId: string; qty: number }[];
}

/** What the graph must hold at the end, straight from the generator. */
function expectedGraph(count: number): { expected: Expected; rows: GraphRows } {
  const customers = new Set<string>();
  const products = new Set<string>();
  const rows: GraphRows = { customers: [], products: [], orders: [], contains: [] };
  for (const order of orders(count, SEED)) {
    customers.add(order.customerId);
    const last = new Map<string, number>();
    for (const item of order.items) {
      products.add(item.productId);
      last.set(item.productId, item.qty);
    }
    if (order.outcome === 'cancelled') continue;
    rows.orders.push({
      orderId: order.orderId,
      customerId: order.customerId,
      placedAt: new Date(Date.UTC(2024, 0, 1) + order.index * 60_000).toISOString(),
    });
    for (const [productId, qty] of last) rows.contains.push({ orderId: order.orderId, productId, qty });
  }
  rows.customers = [...customers];
  rows.products = [...products];
  return {
    expected: {
      customers: customers.size,
      products: products.size,
      orders: rows.orders.length,
      placed: rows.orders.length,
      contains: rows.contains.length,
      qty: rows.contains.reduce((sum, row) => sum + row.qty, 0),
    },
    rows,
  };
}

function events(count: number): StoredEvent[] {
  const source = MODE === 'interleaved' ? interleaved(count, SEED) : sequential(count, SEED);
  const all: StoredEvent[] = [];
  const revisions = new Map<string, number>();
  for (const append of source) {
    for (const event of append.events) {
      const revision = revisions.get(append.streamId) ?? 0;
      revisions.set(append.streamId, revision + 1);
      const position = BigInt(all.length + 1);
      all.push({
        id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
        streamId: append.streamId,
        revision,
        position,
        type: event.type,
        data: event.data,
        metadata: { timestamp: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
      });
    }
  }
  return all;
}

/** Deletes every node of a label, 10,000 per transaction. */
async function deleteAll(driver: Driver, label: string): Promise<void> {
  for (;;) {
    const result = await driver.executeQuery(
      `MATCH (n:\`${label}\`) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n`,
    );
    if (neo4j.integer.toNumber(result.records[0]!.get('n')) === 0) return;
  }
}

async function count(driver: Driver, cypher: string): Promise<number> {
  const result = await driver.executeQuery(cypher);
  return neo4j.integer.toNumber(result.records[0]!.get('n'));
}

async function measure(
  driver: Driver,
  labels: Record<'Customer' | 'Order' | 'Product' | 'PLACED' | 'CONTAINS', string>,
): Promise<Expected> {
  return {
    customers: await count(driver, `MATCH (n:\`${labels.Customer}\`) RETURN count(n) AS n`),
    products: await count(driver, `MATCH (n:\`${labels.Product}\`) RETURN count(n) AS n`),
    orders: await count(driver, `MATCH (n:\`${labels.Order}\`) RETURN count(n) AS n`),
    placed: await count(driver, `MATCH ()-[r:\`${labels.PLACED}\`]->() RETURN count(r) AS n`),
    contains: await count(driver, `MATCH ()-[r:\`${labels.CONTAINS}\`]->() RETURN count(r) AS n`),
    qty: await count(driver, `MATCH ()-[r:\`${labels.CONTAINS}\`]->() RETURN coalesce(sum(r.qty), 0) AS n`),
  };
}

function check(name: string, actual: Expected, expected: Expected, say: (line: string) => void): boolean {
  const problems = (Object.keys(expected) as (keyof Expected)[]).filter(
    (key) => actual[key] !== expected[key],
  );
  for (const key of problems)
    console.log(`CHECK FAILED ${name}: ${key} = ${actual[key]}, expected ${expected[key]}`);
  if (problems.length === 0) say(`checks ${name}: ok ${JSON.stringify(actual)}`);
  return problems.length === 0;
}

async function main(): Promise<void> {
  const server: TunedNeo4j | undefined = TUNED ? await startTunedNeo4j(TUNED_PORT) : undefined;
  const url = server?.url ?? process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7697';
  console.log(`Neo4j: ${url}${TUNED ? ' (tuned server started for this run)' : ''}`);
  try {
    // The JVM compiles Neo4j's hot paths during the first minute of writes: without a warm-up, whichever
    // of the two measurements runs first pays for it (measured: Prism 6,464 events/s on a cold server,
    // 11,022 on the same server warm).
    if (WARMUP > 0) {
      console.log(`warm-up: both paths on ${fmt(WARMUP)} orders (not measured)`);
      await runOnce(url, WARMUP, true);
    }
    await runOnce(url, ORDERS, false);
  } finally {
    await server?.stop();
  }
}

async function runOnce(url: string, count: number, warmup: boolean): Promise<void> {
  const say = warmup ? () => undefined : (line: string) => console.log(line);
  const run = `${Date.now().toString(36)}`;
  const projection = `bench_purchase_${run}`;
  const prefix = `PrismBench${run}`;
  const text = readFileSync(path.resolve(__dirname, '../projections/purchase-graph.yaml'), 'utf8');
  const plan = compileYamlDefinition(text.replace(/^name: .*$/m, `name: ${projection}`));
  const shape = plan.target as Neo4jTargetShape;
  const driver = neo4j.driver(url);
  const target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
  const rawNames = {
    Customer: `BenchCustomer_${run}`,
    Order: `BenchOrder_${run}`,
    Product: `BenchProduct_${run}`,
    PLACED: `BENCH_PLACED_${run}`,
    CONTAINS: `BENCH_CONTAINS_${run}`,
  };
  const prismNames = {
    Customer: physicalName('Customer', projection, 1),
    Order: physicalName('Order', projection, 1),
    Product: physicalName('Product', projection, 1),
    PLACED: physicalName('PLACED', projection, 1),
    CONTAINS: physicalName('CONTAINS', projection, 1),
  };
  try {
    const { expected, rows } = expectedGraph(count);
    const log = events(count);
    say(`workload: ${fmt(count)} orders, ${fmt(log.length)} events (${MODE}, seed ${SEED}), batch ${BATCH}`);

    // 1. Prism: plan + target, one transaction per batch with the checkpoint CAS.
    await target.initialize();
    const view = { projection, generation: 1, shape };
    await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: null });
    const started = performance.now();
    let checkpoint = 0n;
    // Like the runner: the next batch is computed while the previous one commits.
    let committing: Promise<CommitResult> | undefined;
    for (let at = 0; at < log.length; at += BATCH) {
      const batch = log.slice(at, at + BATCH);
      const operations: ViewOperation[] = [];
      for (const event of batch) {
        plan.keysOf(event);
        for (const operation of plan.apply(event, new Map())) operations.push(operation);
      }
      const to = batch[batch.length - 1]!.position;
      if (committing) expectCommitted(await committing);
      committing = target.commit(view, { operations, checkpoint: { from: checkpoint, to } });
      checkpoint = to;
    }
    if (committing) expectCommitted(await committing);
    const prismSeconds = (performance.now() - started) / 1000;

    // 2. Raw limit: the final graph, plain UNWIND batches, same uniqueness constraints.
    for (const [label, key] of [
      [rawNames.Customer, 'customerId'],
      [rawNames.Order, 'orderId'],
      [rawNames.Product, 'productId'],
    ] as const) {
      await driver.executeQuery(
        `CREATE CONSTRAINT \`raw_${label}\` IF NOT EXISTS FOR (n:\`${label}\`) REQUIRE n.\`${key}\` IS UNIQUE`,
      );
    }
    const rawStarted = performance.now();
    const chunks = async <T>(list: readonly T[], cypher: string) => {
      for (let at = 0; at < list.length; at += RAW_BATCH)
        await driver.executeQuery(cypher, { rows: list.slice(at, at + RAW_BATCH) });
    };
    await chunks(rows.customers, `UNWIND $rows AS id CREATE (:\`${rawNames.Customer}\` {customerId: id})`);
    await chunks(rows.products, `UNWIND $rows AS id CREATE (:\`${rawNames.Product}\` {productId: id})`);
    await chunks(
      rows.orders,
      `UNWIND $rows AS row MATCH (c:\`${rawNames.Customer}\` {customerId: row.customerId}) ` +
        `CREATE (c)-[:\`${rawNames.PLACED}\`]->(:\`${rawNames.Order}\` {orderId: row.orderId, placedAt: datetime(row.placedAt)})`,
    );
    await chunks(
      rows.contains.map((row) => ({ ...row, qty: neo4j.int(row.qty) })),
      `UNWIND $rows AS row MATCH (o:\`${rawNames.Order}\` {orderId: row.orderId}) MATCH (p:\`${rawNames.Product}\` {productId: row.productId}) ` +
        `CREATE (o)-[:\`${rawNames.CONTAINS}\` {qty: row.qty}]->(p)`,
    );
    const rawSeconds = (performance.now() - rawStarted) / 1000;

    // 3. Checks before any figure.
    const prismOk = check('prism', await measure(driver, prismNames), expected, say);
    const rawOk = check('raw', await measure(driver, rawNames), expected, say);
    if (!prismOk || !rawOk) {
      process.exitCode = 1;
      return;
    }
    const prismRate = log.length / prismSeconds;
    const rawRate = log.length / rawSeconds;
    say(
      `prism (plan + Neo4j target, ${BATCH}-event transactions): ${prismSeconds.toFixed(2)} s, ${fmt(prismRate)} events/s`,
    );
    say(
      `raw limit (final graph, UNWIND ${RAW_BATCH}):          ${rawSeconds.toFixed(2)} s, ${fmt(rawRate)} events/s (equivalent)`,
    );
    say(`prism / raw: ${(prismRate / rawRate).toFixed(2)}`);
  } finally {
    if (!KEEP) {
      for (const name of [...Object.values(prismNames).slice(0, 3)]) {
        await deleteAll(driver, name);
      }
      for (const label of ['Customer', 'Order', 'Product']) {
        for (const name of [projection]) {
          await driver.executeQuery(`DROP CONSTRAINT \`${keyConstraintName(label, name, 1)}\` IF EXISTS`);
        }
      }
      for (const name of [rawNames.Customer, rawNames.Order, rawNames.Product]) {
        await deleteAll(driver, name);
        await driver.executeQuery(`DROP CONSTRAINT \`raw_${name}\` IF EXISTS`);
      }
      for (const statement of bookkeepingDropStatements(target.labels)) await driver.executeQuery(statement);
    }
    await driver.close();
  }
}

function expectCommitted(result: CommitResult): void {
  if (result.kind !== 'committed') throw new Error(`unexpected ${result.kind}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
