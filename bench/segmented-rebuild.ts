/**
 * Segmented projections (issue #15): the reference `order_summary` (PostgreSQL) built from the reference
 * log (bench/workload.ts, ../shared/BENCHMARK-WORKLOAD.md) by worker processes that share its segments
 * through leases in a PostgreSQL coordination store. In one run, on a fresh database:
 *
 *  1. writes the workload to the PostgreSQL event store;
 *  2. builds order_summary from position 0 three times, each into a schema of its own:
 *     - unsegmented, 1 worker (the reference: what one process does today);
 *     - `segments: S`, 1 worker (it holds every segment lease);
 *     - `segments: S`, 2 worker processes (the fair share gives each S/2 segments);
 *     each timed from the moment its workers are told to start until every segment's stored checkpoint is
 *     at the head;
 *  3. checks each view against the generator; prints no throughput if a check fails.
 *
 *   npx tsx bench/segmented-rebuild.ts [--orders 20000] [--segments 2] [--seed 42] [--batch 2000]
 *
 * Workers are child processes of this script (`--worker`), each with its own event store, view store and
 * coordination pools, as separate Prism workers would be. PRISM_PG_URL names the server (default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { createCoordinationStore } from '../src/coordination/coordination-store.factory';
import { OwnershipCoordinator } from '../src/coordination/ownership/ownership-coordinator';
import type { CompiledProjection } from '../src/core/plan';
import { loadProjections } from '../src/dsl/loader/definition.loader';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { silentLogger } from '../src/runtime/runtime.logger';
import { RelationalTarget } from '../src/stores/relational/relational.target';
import { arg } from './cli-args';
import { sql, withScratchDatabase, writeWorkloadLog } from './scratch-database';
import { workloadFigures } from './workload';

const ORDERS = Number(arg('orders', '20000'));
const SEGMENTS = Number(arg('segments', '2'));
const SEED = Number(arg('seed', '42'));
const BATCH = Number(arg('batch', '2000'));
const NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function plan(segments: number): CompiledProjection {
  const [compiled] = loadProjections([path.join(__dirname, '..', 'projections', 'order-summary.yaml')]);
  if (compiled === undefined) throw new Error('projections/order-summary.yaml did not compile');
  return segments > 1 ? { ...compiled, segments } : compiled;
}

// Worker ------------------------------------------------------------------------------------------------

/** One worker: announces itself, waits for "go" on stdin, runs the projection under leases until killed. */
async function worker(url: string, schema: string, id: string, segments: number): Promise<void> {
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  await store.initialize();
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema, poolSize: 4 });
  await target.initialize();
  const coordination = await createCoordinationStore({ kind: 'postgres', url, schema: `${schema}_coord` });
  const keeper = new OwnershipCoordinator({
    store: coordination,
    node: { id, role: 'worker', version: 'bench' },
    settings: { leaseTtlMs: 6000, renewEveryMs: 1000, pollEveryMs: 200 },
    logger: silentLogger,
  });
  await keeper.start();
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    runner: { batchSize: BATCH, bufferSize: Math.max(BATCH, 8000), progressLogMs: 3_600_000 },
    logger: { ...silentLogger, error: (message) => console.error(`${id}: ${message}`) },
    ownership: keeper,
  });
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (process.env.BENCH_DEBUG) console.error(`${id} got ${line}`);
    if (line.trim() !== 'go') continue;
    await runtime.start([plan(segments)]);
    // What this worker holds, sampled through the run: the lease snapshot right after start says little,
    // since the fair share settles within a few renewals.
    const report = () =>
      console.log(
        `holds ${keeper
          .snapshot()
          .held.map((lease) => lease.resource)
          .join(' ')}`,
      );
    report();
    setInterval(report, 250).unref();
  }
}

// Parent ------------------------------------------------------------------------------------------------

interface Run {
  readonly label: string;
  readonly workers: number;
  readonly segments: number;
}

interface Result extends Run {
  readonly seconds: number;
  readonly ok: boolean;
  readonly detail: string;
  /** Per worker: how many samples showed it holding each lease, and how many samples it sent. */
  readonly holdings: Map<string, { samples: number; held: Map<string, number> }>;
}

function startWorker(url: string, schema: string, id: string, segments: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...process.execArgv,
      process.argv[1]!,
      '--worker',
      url,
      schema,
      id,
      String(segments),
      '--batch',
      String(BATCH),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (process.env.BENCH_DEBUG) console.error(`[${id}] ${line}`);
      if (line === 'ready') resolve(child);
    });
  });
}

async function measure(url: string, run: Run, head: bigint, schema: string): Promise<Result> {
  const workers = await Promise.all(
    Array.from({ length: run.workers }, (_, i) => startWorker(url, schema, `w${i + 1}`, run.segments)),
  );
  const holdings: Result['holdings'] = new Map();
  for (const [index, child] of workers.entries()) {
    const tally = { samples: 0, held: new Map<string, number>() };
    holdings.set(`w${index + 1}`, tally);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('holds')) return;
      tally.samples++;
      for (const resource of line.slice('holds'.length).trim().split(' ').filter(Boolean))
        tally.held.set(resource, (tally.held.get(resource) ?? 0) + 1);
    });
  }
  // Progress straight from the bookkeeping tables: every segment's checkpoint (segment k is recorded as
  // `order_summary#k`) of the active generation.
  const reader = new Client({ connectionString: url });
  await reader.connect();
  const lowest = async (): Promise<bigint | undefined> => {
    const { rows } = await reader.query(
      `SELECT count(*)::int AS segments, min(c.position)::text AS position
         FROM ${schema}.prism_checkpoints c JOIN ${schema}.prism_projections p ON p.name = 'order_summary'
        WHERE c.generation = p.active_generation
          AND (c.projection = 'order_summary' OR c.projection LIKE 'order\\_summary#%')`,
    );
    const row = rows[0] as { segments: number; position: string | null } | undefined;
    return row?.segments === run.segments && row.position !== null ? BigInt(row.position) : undefined;
  };
  const started = performance.now();
  if (process.env.BENCH_DEBUG) console.error('go');
  for (const child of workers) child.stdin!.write('go\n');
  try {
    for (;;) {
      const checkpoint = await lowest();
      if (checkpoint !== undefined && checkpoint >= head) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const { ok, detail } = await checkView(url, `${schema}.order_summary`);
    return { ...run, seconds, ok, detail, holdings };
  } finally {
    for (const child of workers) child.kill('SIGKILL');
    await reader.end();
  }
}

function describeHoldings(holdings: Result['holdings']): string {
  return [...holdings]
    .map(([worker, tally]) => {
      const held = [...tally.held]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([resource, samples]) => `${resource} ${Math.round((100 * samples) / Math.max(1, tally.samples))}%`,
        );
      return `${worker}: ${held.join(', ') || 'none'}`;
    })
    .join('; ');
}

async function checkView(url: string, relation: string): Promise<{ ok: boolean; detail: string }> {
  const figures = workloadFigures(ORDERS, SEED);
  const [row] = await sql<Record<string, string>>(
    url,
    `SELECT count(*)::bigint AS rows, coalesce(sum(total), 0)::bigint AS total,
            coalesce(sum(item_count), 0)::bigint AS items,
            count(*) FILTER (WHERE status = 'cancelled')::bigint AS cancelled FROM ${relation}`,
  );
  const got = [row!.rows, row!.total, row!.items, row!.cancelled].map(Number);
  const want = [figures.orders, figures.totalSum, figures.itemCountSum, figures.perStatus.cancelled];
  const ok = got.every((value, i) => value === want[i]);
  return {
    ok,
    detail: `rows ${fmt(got[0]!)}, total ${fmt(got[1]!)}${ok ? '' : ` (expected ${want.join('/')})`}`,
  };
}

async function main(): Promise<void> {
  await withScratchDatabase(`prism_seg_${Date.now().toString(36)}`, async (dbUrl) => {
    const {
      events: written,
      head,
      seconds,
    } = await writeWorkloadLog(dbUrl, { schema: 'log', orders: ORDERS, seed: SEED });
    console.log(
      `wrote ${fmt(written)} events (${fmt(ORDERS)} orders) in ${seconds.toFixed(1)} s; head ${head}`,
    );
    const load = (await import('node:os')).loadavg();
    console.log(
      `load average before the runs: ${load.map((l) => l.toFixed(1)).join(' ')} (${(await import('node:os')).cpus().length} cores)`,
    );

    const runs: Run[] = [
      { label: 'unsegmented, 1 worker', workers: 1, segments: 1 },
      { label: `segments: ${SEGMENTS}, 1 worker`, workers: 1, segments: SEGMENTS },
      { label: `segments: ${SEGMENTS}, 2 workers`, workers: 2, segments: SEGMENTS },
    ];
    const results: Result[] = [];
    for (const [index, run] of runs.entries()) {
      const result = await measure(dbUrl, run, head, `run${index + 1}`);
      results.push(result);
      console.log(
        `${run.label}: ${result.seconds.toFixed(1)} s, ${result.ok ? `${fmt(written / result.seconds)} events/s` : 'CHECK FAILED'}; ` +
          `${result.detail}; leases held (share of samples): ${describeHoldings(result.holdings)}`,
      );
    }
    console.log(`\n${fmt(written)} events, ${fmt(ORDERS)} orders, batch ${BATCH}, node ${process.version}`);
    console.log('| run | seconds | events/s | vs unsegmented |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const result of results) {
      const rate = result.ok ? fmt(written / result.seconds) : 'check failed';
      const ratio = (results[0]!.seconds / result.seconds).toFixed(2);
      console.log(`| ${result.label} | ${result.seconds.toFixed(1)} | ${rate} | ${ratio}× |`);
    }
    const [, one, two] = results;
    console.log(
      `2 workers vs 1 worker (segments: ${SEGMENTS}): ${(one!.seconds / two!.seconds).toFixed(2)}×`,
    );
    if (results.some((result) => !result.ok)) process.exitCode = 1;
  });
}

if (process.argv.includes('--worker')) {
  const at = process.argv.indexOf('--worker');
  const [url, schema, id, segments] = process.argv.slice(at + 1, at + 5);
  void worker(url!, schema!, id!, Number(segments)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
