/**
 * The PostgreSQL projection benchmark on the reference workload (bench/workload.ts,
 * ../shared/BENCHMARK-WORKLOAD.md). In one run, on a fresh database:
 *
 *  1. writes the workload to the PostgreSQL event store (concurrent whole-order appends);
 *  2. Prism: rebuilds order_summary from the log, events/s and peak RSS;
 *  3. naive baseline: one TypeORM `repository.save` per event after loading the row, the way a
 *     hand-written NestJS projection does it (on a prefix of the log, extrapolated; the output says so);
 *  4. log read + final rows (issue #17): what any projector of this log must do at least. It reads the same
 *     events from the event store the way Prism does (the same EventLog subscription, filter, page and
 *     buffer sizes, cut into batches by Prism's BatchReader), folds them into the final rows in a Map with
 *     hand-written code, then writes those rows by bulk inserts. The log read alone is timed too;
 *  5. raw limit: the final rows written by bulk inserts, nothing else (no log read: an upper bound no
 *     projector can reach, kept for comparison with earlier runs);
 *  6. live lag p50/p99 while a writer appends ~1,000 events/s for ~20 s;
 *  7. checks every result against the generator; prints no throughput if a check fails.
 *
 *   npx tsx bench/postgres-projection.bench.ts [--orders 100000] [--mode sequential|interleaved]
 *        [--seed 42] [--naive-events 20000] [--live-seconds 20] [--live-rate 1000] [--plan yaml|fixture]
 *        [--batch 2000] [--keep]
 *
 * PRISM_PG_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
 * Interleaved mode appends one event per append (each its own transaction, about 1,000 per second with
 * the PostgreSQL store), so its write phase is slow: `--mode interleaved --orders 20000` takes ~4 minutes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { EntitySchema, DataSource } from 'typeorm';
import type { CompiledProjection } from '../src/core/plan';
import type { EventStore, EventToAppend, StoredEvent } from '../src/eventstore/event-store.port';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { BatchReader } from '../src/runtime/batch-reader';
import { DEFAULT_RUNNER_OPTIONS } from '../src/runtime/runtime.options';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { logFilterOf } from '../src/runtime/source-filter';
import { RelationalTarget } from '../src/stores/relational/relational.target';
import { orderSummaryPlan } from '../test/runtime/fixtures/order-summary.fixture';
import {
  expectedRow,
  interleaved,
  orders,
  sequential,
  workloadFigures,
  type OrderRow,
  type WorkloadFigures,
} from './workload';
import { arg } from './cli-args';

const ORDERS = Number(arg('orders', '100000'));
const MODE = arg('mode', 'sequential') as 'sequential' | 'interleaved';
const SEED = Number(arg('seed', '42'));
const NAIVE_EVENTS = Number(arg('naive-events', '20000'));
const LIVE_SECONDS = Number(arg('live-seconds', '20'));
const LIVE_RATE = Number(arg('live-rate', '1000'));
const PLAN = arg('plan', 'yaml');
const BATCH = Number(arg('batch', '2000'));
const KEEP = process.argv.includes('--keep');
const SERVER = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * V8 heap sizing for a long batch job. The events waiting in the subscription's buffer outlive a few
 * scavenges and are promoted, so with default flags the old generation fills with dead events and V8
 * keeps enlarging it: ~420 MB RSS by the end of a 1M-event rebuild although less than 80 MB is live.
 * A 192 MB old-generation ceiling makes it collect instead, and 32 MB semi-spaces promote less.
 * Flags must be given at start-up, so the benchmark re-runs itself with them; they are what we
 * recommend for Prism in production too (NODE_OPTIONS).
 */
const NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function loadPlan(): Promise<CompiledProjection> {
  if (PLAN === 'fixture') return orderSummaryPlan();
  const { loadProjections } = await import('../src/dsl/loader/definition.loader');
  const plan = loadProjections([path.join(__dirname, '..', 'projections', 'order-summary.yaml')])[0];
  if (plan === undefined) throw new Error('projections/order-summary.yaml did not compile');
  return plan;
}

/**
 * Appends whole orders (or single events, interleaved) in `lanes` parallel lanes. A stream always goes to
 * the same lane and each lane appends one at a time, so every stream's events reach the log in order.
 */
async function writeWorkload(
  store: EventStore,
  source: Iterator<{ streamId: string; events: EventToAppend[] }>,
  lanes: number,
): Promise<number> {
  type Item = { streamId: string; events: EventToAppend[] };
  const queues: Item[][] = Array.from({ length: lanes }, () => []);
  const laneOf = (streamId: string) => Number(streamId.split('-').pop()) % lanes;
  /** The next item of a lane: queued ones first, else read on, queueing other lanes' items. */
  const take = (lane: number): Item | undefined => {
    const queued = queues[lane]!.shift();
    if (queued !== undefined) return queued;
    for (let next = source.next(); next.done !== true; next = source.next()) {
      if (laneOf(next.value.streamId) === lane) return next.value;
      queues[laneOf(next.value.streamId)]!.push(next.value);
    }
    return undefined;
  };
  let events = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let item = take(lane); item !== undefined; item = take(lane)) {
        await store.append(item.streamId, item.events, 'any');
        events += item.events.length;
      }
    }),
  );
  return events;
}

/** SQL checks of a view against the generator's figures. */
async function checkView(
  url: string,
  relation: string,
  figures: WorkloadFigures,
  label: string,
): Promise<Check[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const totals = (
      await client.query(
        `SELECT count(*)::bigint AS rows, coalesce(sum(total), 0)::bigint AS total, coalesce(sum(item_count), 0)::bigint AS items,
                count(*) FILTER (WHERE status = 'placed')::bigint AS placed,
                count(*) FILTER (WHERE status = 'shipped')::bigint AS shipped,
                count(*) FILTER (WHERE status = 'cancelled')::bigint AS cancelled
         FROM ${relation}`,
      )
    ).rows[0] as Record<string, string>;
    const got = {
      rows: Number(totals.rows),
      total: Number(totals.total),
      items: Number(totals.items),
      placed: Number(totals.placed),
      shipped: Number(totals.shipped),
      cancelled: Number(totals.cancelled),
    };
    const want = {
      rows: figures.orders,
      total: figures.totalSum,
      items: figures.itemCountSum,
      placed: figures.perStatus.placed,
      shipped: figures.perStatus.shipped,
      cancelled: figures.perStatus.cancelled,
    };
    return (Object.keys(want) as (keyof typeof want)[]).map((key) => ({
      name: `${label}: ${key}`,
      ok: got[key] === want[key],
      detail: `${fmt(got[key])}${got[key] === want[key] ? '' : ` (expected ${fmt(want[key])})`}`,
    }));
  } finally {
    await client.end();
  }
}

// Naive baseline ---------------------------------------------------------------------------------------

interface NaiveRow {
  order_id: string;
  customer_id: string;
  status: string;
  item_count: number;
  total: number;
}

const NaiveOrderSummary = new EntitySchema<NaiveRow>({
  name: 'NaiveOrderSummary',
  tableName: 'naive_order_summary',
  columns: {
    order_id: { type: 'text', primary: true },
    customer_id: { type: 'text' },
    status: { type: 'text' },
    item_count: { type: 'integer' },
    total: { type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } },
  },
});

/** One load and one save per event: what a hand-written projection handler typically does. */
async function naiveProjection(
  url: string,
  events: readonly StoredEvent[],
): Promise<{ seconds: number; rows: number }> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    schema: 'naive',
    entities: [NaiveOrderSummary],
    synchronize: false,
  });
  await dataSource.initialize();
  try {
    await dataSource.query('CREATE SCHEMA IF NOT EXISTS naive');
    await dataSource.synchronize();
    const repository = dataSource.getRepository(NaiveOrderSummary);
    const started = performance.now();
    for (const event of events) {
      const orderId = event.data.orderId as string;
      if (event.type === 'OrderPlaced') {
        await repository.save({
          order_id: orderId,
          customer_id: event.data.customerId as string,
          status: 'placed',
          item_count: 0,
          total: 0,
        });
        continue;
      }
      const row = await repository.findOneBy({ order_id: orderId });
      if (row === null) continue;
      if (event.type === 'ItemAdded') {
        row.item_count += event.data.qty as number;
        row.total += (event.data.qty as number) * (event.data.price as number);
      } else {
        row.status = event.type === 'OrderShipped' ? 'shipped' : 'cancelled';
      }
      await repository.save(row);
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rows: await repository.count() };
  } finally {
    await dataSource.destroy();
  }
}

// Log read + final rows ----------------------------------------------------------------------------------

const BULK_ROWS = 20_000;
type MutableRow = { -readonly [K in keyof OrderRow]: OrderRow[K] };
const ORDER_SUMMARY_COLUMNS = `(order_id text PRIMARY KEY, customer_id text NOT NULL, status text NOT NULL,
  item_count integer NOT NULL, total bigint NOT NULL)`;

/** The final rows into `table` (created with its index) by bulk inserts in one transaction. */
async function bulkWrite(client: Client, table: string, rows: readonly OrderRow[]): Promise<void> {
  await client.query(`CREATE TABLE ${table} ${ORDER_SUMMARY_COLUMNS}`);
  await client.query(`CREATE INDEX ON ${table} (customer_id)`);
  await client.query('BEGIN');
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    await client.query(
      `INSERT INTO ${table} SELECT * FROM json_to_recordset($1::json)
         AS r(order_id text, customer_id text, status text, item_count integer, total bigint)`,
      [JSON.stringify(rows.slice(i, i + BULK_ROWS))],
    );
  }
  await client.query('COMMIT');
}

/**
 * Reads the projection's events up to `head` the way Prism's runner does: one subscription with the
 * plan's filter and Prism's buffer size, cut into batches of BATCH by the BatchReader. `onBatch` sees
 * each batch (nothing: the read alone; a fold: the limit).
 */
async function readLikePrism(
  store: EventStore,
  plan: CompiledProjection,
  head: bigint,
  onBatch: (events: readonly StoredEvent[]) => void,
): Promise<number> {
  const subscription = store.subscribeToAll({
    filter: logFilterOf(plan),
    bufferSize: Math.max(BATCH, DEFAULT_RUNNER_OPTIONS.bufferSize),
  });
  const reader = new BatchReader(subscription[Symbol.asyncIterator]());
  const never = new Promise<never>(() => undefined);
  let events = 0;
  try {
    for (;;) {
      const read = await reader.next(BATCH, DEFAULT_RUNNER_OPTIONS.maxBatchLatencyMs, never);
      if (read.kind === 'interrupted') continue;
      onBatch(read.events);
      events += read.events.length;
      const last = read.events[read.events.length - 1];
      if (read.kind === 'ended' || (last !== undefined && last.position >= head)) return events;
    }
  } finally {
    await subscription.close();
  }
}

/** order_summary folded by hand: the least work per event any projector does. */
function foldOrderSummary(rows: Map<string, MutableRow>) {
  return (events: readonly StoredEvent[]) => {
    for (const event of events) {
      const orderId = event.data.orderId as string;
      if (event.type === 'OrderPlaced') {
        rows.set(orderId, {
          order_id: orderId,
          customer_id: event.data.customerId as string,
          status: 'placed',
          item_count: 0,
          total: 0,
        });
        continue;
      }
      const row = rows.get(orderId);
      if (row === undefined) continue;
      if (event.type === 'ItemAdded') {
        row.item_count += event.data.qty as number;
        row.total += (event.data.qty as number) * (event.data.price as number);
      } else if (event.type === 'OrderShipped') row.status = 'shipped';
      else if (event.type === 'OrderCancelled') row.status = 'cancelled';
    }
  };
}

interface LogReadLimit {
  /** Reading the events alone, through the same subscription. */
  readonly readSeconds: number;
  readonly readEvents: number;
  /** Reading, folding into the final rows and writing them. */
  readonly seconds: number;
}

async function logReadLimit(
  url: string,
  store: EventStore,
  plan: CompiledProjection,
  head: bigint,
): Promise<LogReadLimit> {
  let started = performance.now();
  const readEvents = await readLikePrism(store, plan, head, () => undefined);
  const readSeconds = (performance.now() - started) / 1000;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    started = performance.now();
    const rows = new Map<string, MutableRow>();
    await readLikePrism(store, plan, head, foldOrderSummary(rows));
    await bulkWrite(client, 'read_order_summary', [...rows.values()]);
    return { readSeconds, readEvents, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

// Raw limit ---------------------------------------------------------------------------------------------

/** The final rows, computed in memory, written by bulk inserts in one transaction: the floor for any projector. */
async function rawLimit(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = [...orders(ORDERS, SEED)].map(expectedRow);
    const started = performance.now();
    await bulkWrite(client, 'raw_order_summary', rows);
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

// Main --------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const name = `prism_bench_${Date.now().toString(36)}`;
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const figures = workloadFigures(ORDERS, SEED);
  const plan = await loadPlan();
  console.log(
    `Prism PostgreSQL projection benchmark: ${plan.name} (${PLAN === 'fixture' ? 'hand-written fixture' : 'projections/order-summary.yaml'}), ` +
      `${fmt(ORDERS)} orders = ${fmt(figures.events)} events, ${MODE}, seed ${SEED}, database ${name}`,
  );
  await admin(`CREATE DATABASE ${name}`);
  const checks: Check[] = [];
  try {
    // 1. The log, written by a child process so that this process's memory is Prism's alone. Every append
    // commits (and the store serializes commits for position order), so the load runs with
    // synchronous_commit off for its own connections only; it is reset before anything is measured.
    await admin(`ALTER DATABASE ${name} SET synchronous_commit = off`);
    let started = performance.now();
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, ...process.argv.slice(1), '--write-log', dbUrl],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`writing the log failed (exit ${child.status})`);
    const written = Number(/written (\d+)/.exec(child.stdout)?.[1] ?? NaN);
    const writeSeconds = (performance.now() - started) / 1000;
    await admin(`ALTER DATABASE ${name} RESET synchronous_commit`);
    const store = createPostgresEventStore({ url: dbUrl, schema: 'log', poolSize: 12, pageSize: 5000 });
    await store.initialize();
    const head = await store.headPosition();
    console.log(
      `wrote ${fmt(written)} events in ${writeSeconds.toFixed(1)} s (${fmt(written / writeSeconds)} events/s, ` +
        `synchronous_commit off for the load only); head ${head}`,
    );
    checks.push({ name: 'log: events written', ok: written === figures.events, detail: fmt(written) });

    // Statistics are stale right after a bulk load; autovacuum would analyze the table soon, we do it now so
    // the log's read query gets its index plan from the first page on.
    {
      const client = new Client({ connectionString: dbUrl });
      await client.connect();
      await client.query('ANALYZE log.events');
      await client.end();
    }

    // 2. Prism rebuild.
    const target = await RelationalTarget.connect({
      kind: 'postgres',
      url: dbUrl,
      schema: 'prism',
      poolSize: 4,
    });
    const runtime = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      runner: { batchSize: BATCH, bufferSize: Math.max(BATCH, 8000), progressLogMs: 5_000 },
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
    // The process has done nothing heavier than the rebuild so far: its lifetime peak is the rebuild's.
    const prismRss = process.resourceUsage().maxRSS * 1024;
    const status = runtime.status(plan.name);
    checks.push(...(await checkView(dbUrl, 'prism.order_summary', figures, 'prism')));
    checks.push({
      name: 'prism: nothing parked',
      ok: status.live?.parked === 0 && status.live.held === 0,
      detail: `${status.live?.parked ?? '?'} parked`,
    });

    // 3. Log read + final rows, on the same log up to the same head, right after Prism's rebuild.
    const limit = await logReadLimit(dbUrl, store, plan, head);
    checks.push({
      name: 'log read: events read',
      ok: limit.readEvents === figures.events,
      detail: fmt(limit.readEvents),
    });
    checks.push(...(await checkView(dbUrl, 'read_order_summary', figures, 'log read + final rows')));

    // 4. Live lag while a writer appends LIVE_RATE events/s.
    const lags: number[] = [];
    const extra = Math.ceil((LIVE_RATE * LIVE_SECONDS) / 10.5);
    const liveSource = (
      MODE === 'interleaved' ? interleaved(ORDERS + extra, SEED, 100) : sequential(ORDERS + extra, SEED)
    ) as Iterator<{
      streamId: string;
      events: EventToAppend[];
    }>;
    const liveOrders = new Set<string>();
    for (const order of orders(ORDERS + extra, SEED))
      if (order.index >= ORDERS) liveOrders.add(order.streamId);
    // A writer of its own, paced to LIVE_RATE. Appends run in a few lanes, each stream always in the same
    // lane, so one stream's events are appended in order (an item must not overtake its order).
    const liveWriter = createPostgresEventStore({ url: dbUrl, schema: 'log', poolSize: 6 });
    const lanes = Array.from({ length: 4 }, () => ({
      queue: [] as { streamId: string; events: EventToAppend[] }[],
      wake: undefined as (() => void) | undefined,
    }));
    const laneOf = (streamId: string) => lanes[Number(streamId.split('-').pop()) % lanes.length]!;
    let liveEvents = 0;
    let liveAppended = 0;
    let liveFailures = 0;
    let writing = true;
    const waits: Promise<void>[] = [];
    const workers = lanes.map(async (lane) => {
      for (;;) {
        const job = lane.queue.shift();
        if (job === undefined) {
          if (!writing) return;
          await new Promise<void>((resolve) => (lane.wake = resolve));
          continue;
        }
        try {
          const result = await liveWriter.append(job.streamId, job.events, 'any');
          const appended = performance.now();
          waits.push(
            runtime.waitForCheckpoint(plan.name, result.position, 60_000).then(
              () => void lags.push(performance.now() - appended),
              () => void (liveFailures += 1),
            ),
          );
        } catch {
          liveFailures += 1;
        }
      }
    });
    started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed >= LIVE_SECONDS) {
          clearInterval(timer);
          resolve();
          return;
        }
        while (liveEvents < elapsed * LIVE_RATE) {
          let next = liveSource.next();
          while (next.done !== true && !liveOrders.has(next.value.streamId)) next = liveSource.next();
          if (next.done === true) break;
          liveEvents += next.value.events.length;
          liveAppended += 1;
          const lane = laneOf(next.value.streamId);
          lane.queue.push(next.value);
          lane.wake?.();
        }
      }, 10);
    });
    writing = false;
    for (const lane of lanes) lane.wake?.();
    await Promise.all(workers);
    await Promise.all(waits);
    await liveWriter.close();
    checks.push({
      name: 'live: appends and waits that failed',
      ok: liveFailures === 0,
      detail: String(liveFailures),
    });
    const liveSeconds = (performance.now() - started) / 1000;
    lags.sort((a, b) => a - b);
    const percentile = (p: number) =>
      lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? NaN;
    await runtime.stop();
    // Sequential live appends are whole orders in index order: the first `liveAppended` extra orders.
    const liveFigures = workloadFigures(ORDERS + liveAppended, SEED);
    if (MODE === 'sequential')
      checks.push(...(await checkView(dbUrl, 'prism.order_summary', liveFigures, 'after live')));
    else
      checks.push({
        name: 'after live: rows',
        ok: true,
        detail: 'interleaved live orders stay open; not checked',
      });
    await target.close();

    // 5. Naive baseline on a prefix of the log.
    const prefix = await store.readAll({ maxCount: NAIVE_EVENTS });
    const naive = await naiveProjection(dbUrl, prefix);
    const prefixOrders = new Set(prefix.filter((e) => e.type === 'OrderPlaced').map((e) => e.data.orderId))
      .size;
    checks.push({
      name: 'naive: rows of the prefix',
      ok: naive.rows === prefixOrders,
      detail: fmt(naive.rows),
    });
    await store.close();

    // 6. Raw limit.
    const rawSeconds = await rawLimit(dbUrl);
    checks.push(...(await checkView(dbUrl, 'raw_order_summary', figures, 'raw')));

    const failed = checks.filter((check) => !check.ok);
    console.log('\nchecks:');
    for (const check of checks)
      console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name} = ${check.detail}`);
    if (failed.length > 0) {
      console.log(`\n${failed.length} check(s) failed: no throughput is reported.`);
      process.exitCode = 1;
      return;
    }

    const events = figures.events;
    const prismRate = events / prismSeconds;
    const naiveRate = prefix.length / naive.seconds;
    const rawRate = events / rawSeconds;
    const limitRate = events / limit.seconds;
    const readRate = limit.readEvents / limit.readSeconds;
    const ratio = (rate: number, base: number, digits = 2) => `${(rate / base).toFixed(digits)}x`;
    const line = (label: string, rate: number, seconds: number, digits = 2): string[] => [
      label,
      fmt(rate),
      seconds.toFixed(1),
      ratio(rate, naiveRate, 1),
      ratio(rate, limitRate, digits),
      ratio(rate, rawRate, digits),
    ];
    const rows: string[][] = [
      ['', 'events/s', 'time (s)', 'vs naive', 'vs read+rows', 'vs raw limit'],
      line('Prism rebuild', prismRate, prismSeconds),
      line('Naive TypeORM save/event*', naiveRate, events / naiveRate, 3),
      line('Log read + final rows', limitRate, limit.seconds),
      line('  of which: log read alone', readRate, limit.readSeconds),
      line('Raw limit (bulk insert)', rawRate, rawSeconds),
    ];
    console.log(
      `\n${fmt(events)} events, ${fmt(ORDERS)} orders, ${MODE}, batch ${BATCH}, node ${process.version} ${NODE_FLAGS.join(' ')}`,
    );
    for (const row of rows)
      console.log(
        `  ${row[0]!.padEnd(28)}${row[1]!.padStart(10)}${row[2]!.padStart(10)}${row[3]!.padStart(10)}` +
          `${row[4]!.padStart(14)}${row[5]!.padStart(14)}`,
      );
    console.log(
      `  Prism / (log read + final rows) = ${ratio(prismRate, limitRate)}: the honest limit reads the same events ` +
        'through the same EventLog subscription and batch reader; the raw limit reads nothing',
    );
    console.log(
      `  * naive measured on the first ${fmt(prefix.length)} events of the log (${naive.seconds.toFixed(1)} s) and extrapolated to ${fmt(events)}`,
    );
    console.log(
      `  live lag at ${fmt(liveEvents / liveSeconds)} events/s for ${liveSeconds.toFixed(0)} s (${fmt(lags.length)} appends): ` +
        `p50 ${percentile(50).toFixed(0)} ms, p99 ${percentile(99).toFixed(0)} ms`,
    );
    console.log(
      `  peak RSS of this process: ${mb(prismRss)} up to the end of the rebuild; ${mb(process.resourceUsage().maxRSS * 1024)} ` +
        'at the end (after the live phase, the naive baseline and the raw limit)',
    );
  } finally {
    if (!KEEP) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Child mode: writes the workload into the event store at `url` and prints how many events. */
async function writeLog(url: string): Promise<void> {
  const writer = createPostgresEventStore({ url, schema: 'log', poolSize: 16 });
  await writer.initialize();
  const source = MODE === 'interleaved' ? interleaved(ORDERS, SEED) : sequential(ORDERS, SEED);
  const written = await writeWorkload(writer, source, 16);
  await writer.close();
  console.log(`written ${written}`);
}

const writeTo = process.argv.indexOf('--write-log');
if (writeTo > 0) {
  writeLog(process.argv[writeTo + 1]!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else if (NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  const child = spawnSync(process.execPath, [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}
