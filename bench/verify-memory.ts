/**
 * `verify` of a large relational view (issue #17): time and peak RSS of verifying order_summary with the
 * rebuilt documents spilled to a temporary file (the default) beside keeping them all in memory (the
 * former behaviour: a cache that never spills), each in its own process started with the recommended
 * heap flags, on the same log and view. Both must find the same single difference (one row changed in
 * the view directly), or no figure is printed.
 *
 *   npx tsx bench/verify-memory.ts [--orders 100000] [--seed 42] [--keep]
 *
 * PRISM_PG_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { verifyProjection } from '../src/admin/checks/verify-projection';
import type { CompiledProjection } from '../src/core/plan';
import { recompileDefinition } from '../src/dsl';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { RelationalTarget } from '../src/stores/relational/relational.target';
import { arg } from './cli-args';
import { sql, withScratchDatabase, writeWorkloadLog } from './scratch-database';

const ORDERS = Number(arg('orders', '100000'));
const SEED = Number(arg('seed', '42'));
const KEEP = process.argv.includes('--keep');
const NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];
/** The row changed behind Prism's back, which both verifications must find. */
const CHANGED = `order-${Math.floor(ORDERS / 2)}`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function loadPlan(): Promise<CompiledProjection> {
  const { loadProjections } = await import('../src/dsl/loader/definition.loader');
  return loadProjections([path.join(__dirname, '..', 'projections', 'order-summary.yaml')])[0]!;
}

/**
 * Writes the workload and lets Prism build the view. The log's statistics are refreshed after writing
 * (writeWorkloadLog): without them (autovacuum off, as on the CI machine) PostgreSQL reads each page of a
 * log read through the type index and sorts it, which made every page cost the whole table.
 */
async function prepare(url: string): Promise<void> {
  const written = await writeWorkloadLog(url, { schema: 'log', orders: ORDERS, seed: SEED });
  const head = written.head;
  console.log(`wrote ${written.events} events in ${written.seconds.toFixed(1)} s`);
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  const plan = await loadPlan();
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema: 'prism', poolSize: 4 });
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    recompile: (model) => recompileDefinition(model),
    runner: { batchSize: 2000 },
    logger: { info: () => undefined, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const started = performance.now();
  await runtime.start([plan]);
  await runtime.waitForCheckpoint(plan.name, head, 3_600_000);
  console.log(`built order_summary in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await runtime.stop();
  await target.close();
  await store.close();
  // One row changed behind Prism's back: both verifications must find exactly it.
  await sql(url, `UPDATE prism."order_summary__g1" SET total = total + 1 WHERE order_id = '${CHANGED}'`);
}

/** Child: one verification, printed as a JSON line. */
async function verifyOnce(url: string, mode: 'spilled' | 'memory'): Promise<void> {
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema: 'prism', poolSize: 4 });
  const plan = await loadPlan();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const report = await verifyProjection(
    { store, target, catalogPlan: plan, recompile: (model) => recompileDefinition(model) },
    plan.name,
    { ...(mode === 'memory' && { rebuiltCacheSize: Number.MAX_SAFE_INTEGER }) },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      mode,
      seconds,
      peakRss: process.resourceUsage().maxRSS * 1024,
      rssBefore,
      rows: report.liveEntries,
      rebuilt: report.rebuiltEntries,
      events: report.eventsFolded,
      different: report.differences.map(
        (d) => `${d.kind} ${d.key} ${d.fields.map((f) => f.field).join(',')}`,
      ),
    }),
  );
  await target.close();
  await store.close();
}

function child(url: string, mode: string): Record<string, unknown> {
  const run = spawnSync(
    process.execPath,
    [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1), '--verify-once', url, mode],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (run.status !== 0) return { mode, failed: `exit ${run.status ?? run.signal}` };
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

async function main(): Promise<void> {
  await withScratchDatabase(
    `prism_verify_${Date.now().toString(36)}`,
    async (url) => {
      await prepare(url);
      const results = ['spilled', 'memory'].map((mode) => child(url, mode));
      console.log(
        `\nverify order_summary, ${ORDERS} orders, node ${process.version} ${NODE_FLAGS.join(' ')}`,
      );
      for (const r of results) {
        if (r.failed !== undefined) {
          console.log(`  ${String(r.mode).padEnd(8)} FAILED (${JSON.stringify(r.failed)}: e.g. out of heap)`);
          continue;
        }
        const ok =
          r.rows === ORDERS &&
          r.rebuilt === ORDERS &&
          JSON.stringify(r.different) === JSON.stringify([`different ${CHANGED} total`]);
        console.log(
          `  ${String(r.mode).padEnd(8)} ${ok ? 'ok  ' : 'FAIL'} ${(r.seconds as number).toFixed(1)} s, ` +
            `peak RSS ${mb(r.peakRss as number)} (${mb(r.rssBefore as number)} before), ${String(r.rows)} rows, ` +
            `${String(r.events)} events, differences ${JSON.stringify(r.different)}`,
        );
        if (!ok) process.exitCode = 1;
      }
    },
    KEEP,
  );
}

const once = process.argv.indexOf('--verify-once');
(once > 0
  ? verifyOnce(process.argv[once + 1]!, process.argv[once + 2] as 'spilled' | 'memory')
  : main()
).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
