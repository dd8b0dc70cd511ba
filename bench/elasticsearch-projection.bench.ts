/**
 * The Elasticsearch projection benchmark on the reference workload (bench/workload.ts,
 * ../shared/BENCHMARK-WORKLOAD.md), search variant: the order_summary document plus the ids of the
 * products it contains (projections/order-search.yaml). In one run:
 *
 *  1. writes the workload to an embedded (SQLite) event store in a temporary directory;
 *  2. Prism: the runtime builds order_search from the log into the Elasticsearch target (bulks with
 *     external versions, checkpoint documents, alias swap at the head), events/s;
 *  3. raw limit: the final documents, computed from the generator, bulk-indexed straight into an index
 *     with the same mapping (nothing else: no log, no loads, no checkpoints), events/s of the log they stand for;
 *  4. checks both indices against the generator (count, sums, per status, product ids of a sample);
 *     prints no throughput if a check fails.
 *
 *   npx tsx bench/elasticsearch-projection.bench.ts [--orders 20000] [--seed 42] [--batch 5000]
 *        [--mode sequential|interleaved] [--keep]
 *
 * PRISM_ES_URL names the node (default http://127.0.0.1:9251). Every index the run creates starts with a
 * unique prefix and is deleted at the end unless --keep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { JsonObject } from '../src/core/json';
import type { ElasticsearchTargetShape } from '../src/stores/elasticsearch/elasticsearch-view-shape';
import { loadProjections } from '../src/dsl/loader/definition.loader';
import { createEmbeddedEventStore } from '../src/eventstore/embedded/embedded-event-store';
import type { EventStore, EventToAppend } from '../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { deleteIndicesWithPrefix } from '../src/stores/elasticsearch/elasticsearch-cleanup';
import { excludeTombstones, indexBody } from '../src/stores/elasticsearch/elasticsearch-shape';
import { ElasticsearchTarget } from '../src/stores/elasticsearch/elasticsearch.target';
import {
  expectedRow,
  interleaved,
  orders,
  sequential,
  workloadFigures,
  type WorkloadFigures,
} from './workload';
import { arg } from './cli-args';

const ORDERS = Number(arg('orders', '20000'));
const SEED = Number(arg('seed', '42'));
const BATCH = Number(arg('batch', '5000'));
const MODE = arg('mode', 'sequential') as 'sequential' | 'interleaved';
const KEEP = process.argv.includes('--keep');
const NODE = process.env.PRISM_ES_URL ?? 'http://127.0.0.1:9251';
const SAMPLE = 200;

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const BASE_TIME = Date.UTC(2024, 0, 1);

/** The final order_search document of an order, as the projection should build it. */
function expectedDocument(
  order: ReturnType<typeof orders> extends Generator<infer O> ? O : never,
): JsonObject {
  const row = expectedRow(order);
  const productIds: string[] = [];
  for (const item of order.items) if (!productIds.includes(item.productId)) productIds.push(item.productId);
  return {
    ...row,
    placed_at: new Date(BASE_TIME + order.index * 60_000).toISOString(),
    product_ids: productIds,
  };
}

async function writeWorkload(store: EventStore): Promise<number> {
  let events = 0;
  const source: Iterable<{ streamId: string; events: EventToAppend[] }> =
    MODE === 'interleaved' ? interleaved(ORDERS, SEED) : sequential(ORDERS, SEED);
  for (const append of source) {
    await store.append(append.streamId, append.events, 'any');
    events += append.events.length;
  }
  return events;
}

/** Count, sums and per-status counts through search aggregations (no scripts), tombstones excluded. */
async function checkIndex(
  client: Client,
  index: string,
  figures: WorkloadFigures,
  label: string,
): Promise<Check[]> {
  await client.indices.refresh({ index });
  const response = await client.search({
    index,
    size: 0,
    track_total_hits: true,
    query: { bool: { must_not: [excludeTombstones()] } },
    aggs: {
      total: { sum: { field: 'total' } },
      items: { sum: { field: 'item_count' } },
      status: { terms: { field: 'status', size: 10 } },
    },
  });
  const aggs = response.aggregations as Record<
    string,
    { value?: number; buckets?: { key: string; doc_count: number }[] }
  >;
  const hits = response.hits.total;
  const status = Object.fromEntries(
    (aggs.status?.buckets ?? []).map((bucket) => [bucket.key, bucket.doc_count]),
  );
  const got: Record<string, number> = {
    docs: typeof hits === 'number' ? hits : (hits?.value ?? -1),
    total: aggs.total?.value ?? -1,
    items: aggs.items?.value ?? -1,
    placed: status.placed ?? 0,
    shipped: status.shipped ?? 0,
    cancelled: status.cancelled ?? 0,
  };
  const want: Record<string, number> = {
    docs: figures.orders,
    total: figures.totalSum,
    items: figures.itemCountSum,
    placed: figures.perStatus.placed,
    shipped: figures.perStatus.shipped,
    cancelled: figures.perStatus.cancelled,
  };
  const checks = Object.keys(want).map((key) => ({
    name: `${label}: ${key}`,
    ok: got[key] === want[key],
    detail: `${fmt(got[key]!)}${got[key] === want[key] ? '' : ` (expected ${fmt(want[key]!)})`}`,
  }));
  // Whole documents (product ids in first-added order included) of a spread sample of orders.
  const expected = new Map<string, JsonObject>();
  const step = Math.max(1, Math.floor(ORDERS / SAMPLE));
  for (const order of orders(ORDERS, SEED))
    if (order.index % step === 0) expected.set(order.orderId, expectedDocument(order));
  const docs = await client.mget<JsonObject>({ index, ids: [...expected.keys()] });
  const mismatched = docs.docs.filter(
    (doc) =>
      !('found' in doc) ||
      !doc.found ||
      JSON.stringify(doc._source) !== JSON.stringify(expected.get(doc._id)),
  );
  checks.push({
    name: `${label}: sampled documents`,
    ok: mismatched.length === 0,
    detail:
      mismatched.length === 0
        ? `${expected.size} identical`
        : `${mismatched.length} differ, e.g. ${mismatched[0]?._id}`,
  });
  return checks;
}

/** The raw limit: the final documents bulk-indexed directly, 2 bulks in flight. */
async function rawLimit(client: Client, index: string, shape: ElasticsearchTargetShape): Promise<number> {
  const body = indexBody(shape);
  await client.indices.create({ index, settings: body.settings, mappings: body.mappings });
  const documents = [...orders(ORDERS, SEED)].map(expectedDocument);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < documents.length) {
        const chunk = documents.slice(next, next + BATCH);
        next += BATCH;
        const response = await client.bulk({
          operations: chunk.flatMap((document) => [
            { index: { _index: index, _id: document.order_id as string } },
            document,
          ]),
        });
        if (response.errors)
          throw new Error(`raw bulk failed: ${JSON.stringify(response.items.find((i) => i.index?.error))}`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const figures = workloadFigures(ORDERS, SEED);
  const prefix = `bench-${Date.now().toString(36)}-`;
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-es-bench-'));
  const client = new Client({ node: NODE });
  const plan = loadProjections([path.join(__dirname, '..', 'projections', 'order-search.yaml')])[0];
  if (plan === undefined || plan.target.kind !== 'elasticsearch')
    throw new Error('projections/order-search.yaml did not compile');
  console.log(
    `Elasticsearch projection benchmark: ${fmt(ORDERS)} orders = ${fmt(figures.events)} events, ${MODE}, seed ${SEED}, node ${NODE}`,
  );
  const checks: Check[] = [];
  const store = createEmbeddedEventStore({ file: path.join(directory, 'events.db'), pageSize: 5000 });
  let target: ElasticsearchTarget | undefined;
  try {
    let started = performance.now();
    const written = await writeWorkload(store);
    const head = await store.headPosition();
    console.log(
      `wrote ${fmt(written)} events to the embedded store in ${((performance.now() - started) / 1000).toFixed(1)} s; head ${head}`,
    );
    checks.push({ name: 'log: events written', ok: written === figures.events, detail: fmt(written) });

    // Prism: the runtime builds the view through the target, from position 0 to the head.
    target = await ElasticsearchTarget.connect({ url: NODE, prefix });
    const runtime = new ProjectionRuntime({
      store,
      targets: { elasticsearch: target },
      runner: { batchSize: BATCH, bufferSize: BATCH * 4, progressLogMs: 5_000 },
      logger: {
        info: (m) => console.log(`  ${m}`),
        warn: (m) => console.warn(`  ${m}`),
        error: (m) => console.error(`  ${m}`),
      },
    });
    started = performance.now();
    await runtime.start([plan]);
    await runtime.waitForCheckpoint(plan.name, head, 3_600_000);
    const prismSeconds = (performance.now() - started) / 1000;
    const status = runtime.status(plan.name);
    await runtime.stop();
    checks.push(...(await checkIndex(client, target.aliasOf(plan.target), figures, 'prism')));
    checks.push({
      name: 'prism: nothing parked',
      ok: status.live?.parked === 0 && status.live.held === 0,
      detail: `${status.live?.parked ?? '?'} parked`,
    });

    // Raw limit.
    const rawIndex = `${prefix}raw-limit`;
    const rawSeconds = await rawLimit(client, rawIndex, plan.target as ElasticsearchTargetShape);
    checks.push(...(await checkIndex(client, rawIndex, figures, 'raw')));

    for (const check of checks) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
    if (checks.some((check) => !check.ok)) {
      console.log('checks failed: no throughput printed');
      process.exitCode = 1;
      return;
    }
    const prismRate = figures.events / prismSeconds;
    const rawRate = figures.events / rawSeconds;
    console.log(
      `prism (runtime + Elasticsearch target): ${fmt(prismRate)} events/s (${prismSeconds.toFixed(2)} s)`,
    );
    console.log(
      `raw limit (final documents bulk-indexed): ${fmt(rawRate)} events/s (${rawSeconds.toFixed(2)} s, ${fmt(ORDERS / rawSeconds)} docs/s)`,
    );
    console.log(`ratio prism / raw: ${(prismRate / rawRate).toFixed(2)}`);
  } finally {
    await target?.close();
    await store.close();
    if (!KEEP) await deleteIndicesWithPrefix(client, prefix);
    await client.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
