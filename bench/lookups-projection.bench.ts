/**
 * What correlation lookups cost (issue #16): customer_stats (projections/customer-stats.yaml: two lookups,
 * every order event reads one, OrderPlaced and ItemAdded remember) built from the reference log beside
 * order_summary (no lookups) on the same PostgreSQL server, in one run, each by Prism's runtime into a
 * schema of its own, from position 0 to the head of the events it reads. Both views are checked against
 * the generator's figures before any rate is printed.
 *
 *   npx tsx bench/lookups-projection.bench.ts [--orders 100000] [--seed 42] [--batch 2000]
 *
 * PRISM_PG_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres). Run it with the
 * single-projection benchmarks' heap flags to see their effect:
 * NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=32".
 */
import path from 'node:path';
import type { CompiledProjection } from '../src/core/plan';
import { loadProjections } from '../src/dsl/loader/definition.loader';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { silentLogger } from '../src/runtime/runtime.logger';
import { logFilterOf } from '../src/runtime/source-filter';
import { RelationalTarget } from '../src/stores/relational/relational.target';
import { arg } from './cli-args';
import { sql, withScratchDatabase, writeWorkloadLog } from './scratch-database';
import { expectedRow, orders, workloadFigures } from './workload';

const ORDERS = Number(arg('orders', '100000'));
const SEED = Number(arg('seed', '42'));
const BATCH = Number(arg('batch', '2000'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function plan(file: string): CompiledProjection {
  const [compiled] = loadProjections([path.join(__dirname, '..', 'projections', file)]);
  if (compiled === undefined) throw new Error(`projections/${file} did not compile`);
  return compiled;
}

/** customer_stats as the generator's orders make it, summed: orders placed, cancelled, total spent. */
function expectedCustomerStats(): { placed: number; cancelled: number; spent: number } {
  let placed = 0;
  let cancelled = 0;
  let spent = 0;
  for (const order of orders(ORDERS, SEED)) {
    placed += 1;
    if (order.outcome === 'cancelled') cancelled += 1;
    else spent += expectedRow(order).total;
  }
  return { placed, cancelled, spent };
}

async function build(url: string, compiled: CompiledProjection, schema: string): Promise<number> {
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema, poolSize: 4 });
  await target.initialize();
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    runner: { batchSize: BATCH, bufferSize: Math.max(BATCH, 8000), progressLogMs: 3_600_000 },
    logger: { ...silentLogger, error: (message) => console.error(message) },
  });
  // The head of the events it reads: a checkpoint never passes a later event it filters out.
  const head = await store.headPosition(logFilterOf(compiled));
  const started = performance.now();
  await runtime.start([compiled]);
  await runtime.waitForCheckpoint(compiled.name, head, 3_600_000);
  const seconds = (performance.now() - started) / 1000;
  await runtime.stop();
  await target.close();
  await store.close();
  return seconds;
}

async function main(): Promise<void> {
  await withScratchDatabase(`prism_lookups_${Date.now().toString(36)}`, async (dbUrl) => {
    const { events: written, seconds } = await writeWorkloadLog(dbUrl, {
      schema: 'log',
      orders: ORDERS,
      seed: SEED,
    });
    console.log(`wrote ${fmt(written)} events (${fmt(ORDERS)} orders) in ${seconds.toFixed(1)} s`);
    const load = (await import('node:os')).loadavg().map((n) => n.toFixed(1));
    console.log(`load average before the runs: ${load.join(' ')}`);

    const summary = plan('order-summary.yaml');
    const stats = plan('customer-stats.yaml');
    const summarySeconds = await build(dbUrl, summary, 'summary');
    const statsSeconds = await build(dbUrl, stats, 'stats');

    // Checks before any figure.
    const figures = workloadFigures(ORDERS, SEED);
    const [summaryRow] = await sql<{ rows: string; total: string }>(
      dbUrl,
      'SELECT count(*) AS rows, coalesce(sum(total), 0) AS total FROM summary.order_summary',
    );
    const [statsRow] = await sql<{ placed: string; cancelled: string; spent: string }>(
      dbUrl,
      'SELECT sum(orders_placed) AS placed, sum(orders_cancelled) AS cancelled, sum(total_spent) AS spent FROM stats.customer_stats',
    );
    const [entries] = await sql<{ entries: string }>(
      dbUrl,
      'SELECT count(*) AS entries FROM stats."customer_stats__g1__lk"',
    );
    const want = expectedCustomerStats();
    const summaryOk =
      Number(summaryRow!.rows) === figures.orders && Number(summaryRow!.total) === figures.totalSum;
    const statsOk =
      Number(statsRow!.placed) === want.placed &&
      Number(statsRow!.cancelled) === want.cancelled &&
      Number(statsRow!.spent) === want.spent;
    const events = async (compiled: CompiledProjection) =>
      Number(
        (
          await sql<{ n: string }>(
            dbUrl,
            `SELECT count(*) AS n FROM log.events WHERE type = ANY('{${compiled.source.eventTypes.join(',')}}')`,
          )
        )[0]!.n,
      );
    const summaryEvents = await events(summary);
    const statsEvents = await events(stats);
    console.log(`\n${fmt(written)} events, ${fmt(ORDERS)} orders, batch ${BATCH}, node ${process.version}`);
    console.log('| projection | lookups | events read | seconds | events/s | vs order_summary |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    const reference = summaryEvents / summarySeconds;
    const line = (name: string, lookups: string, n: number, s: number, ok: boolean) =>
      console.log(
        `| ${name} | ${lookups} | ${fmt(n)} | ${s.toFixed(1)} | ${ok ? fmt(n / s) : 'CHECK FAILED'} | ${(n / s / reference).toFixed(2)}× |`,
      );
    line('order_summary', 'none', summaryEvents, summarySeconds, summaryOk);
    line(
      'customer_stats',
      `2 (${fmt(Number(entries!.entries))} entries)`,
      statsEvents,
      statsSeconds,
      statsOk,
    );
    if (!summaryOk || !statsOk) {
      console.log(
        `checks: order_summary ${JSON.stringify(summaryRow)}; customer_stats ${JSON.stringify(statsRow)} (expected ${JSON.stringify(want)})`,
      );
      process.exitCode = 1;
    }
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
