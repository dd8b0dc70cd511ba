/**
 * Many more crash-safety runs than the test suite does: SIGKILL the runtime at random moments during
 * catch-up and during rebuilds, restart it to completion, and compare every view with a fresh build.
 *
 *   npx tsx bench/kill-loop.ts [--runs 100] [--seed 1234] [--orders 300] [--mode both|catchup|rebuild]
 *
 * Uses a fresh database on PRISM_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), dropped
 * at the end. Exits non-zero at the first view that differs, printing the seed to repeat it.
 */
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { silentLogger } from '../src/runtime/runtime.logger';
import { RelationalTarget } from '../src/targets/relational/relational.target';
import {
  expectedOrderSummary,
  orderSummaryDefinition,
  orderSummaryPlan,
} from '../test/runtime/fixtures/order-summary.fixture';
import { dropSchema, readView, runWithKills, startRunner } from '../test/runtime/support/kill-harness';
import { appendOrders } from '../test/runtime/support/runtime-harness';
import { prng } from './workload';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '100'));
  const seed = Number(arg('seed', String(Math.floor(Math.random() * 1_000_000))));
  const orders = Number(arg('orders', '300'));
  const mode = arg('mode', 'both');
  const server = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `prism_killloop_${Date.now().toString(36)}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  console.log(`kill loop: ${runs} runs, mode ${mode}, ${orders} orders, seed ${seed}, database ${name}`);

  await admin(server, `CREATE DATABASE ${name}`);
  let failed = false;
  try {
    const store = createPostgresEventStore({ url: url.toString(), schema: 'log' });
    await store.initialize();
    const events = await appendOrders(store, orders);
    await store.close();
    const expected = { 1: expectedOrderSummary(events, 1), 2: expectedOrderSummary(events, 2) };
    let windowMs = 0;
    const fresh: Record<number, unknown> = {};
    for (const version of [1, 2] as const) {
      const runner = await startRunner({
        url: url.toString(),
        schema: `fresh_v${version}`,
        version,
        batch: 25,
      });
      await runner.ready;
      const started = Date.now();
      const ended = await runner.exit;
      if (!ended.done) throw new Error(`fresh build failed: ${ended.stderr}`);
      windowMs = Math.max(windowMs, Date.now() - started);
      fresh[version] = (await readView(url.toString(), `fresh_v${version}`)).rows;
      if (!isDeepStrictEqual(fresh[version], expected[version]))
        throw new Error(`fresh build v${version} differs from the expected view`);
    }
    console.log(
      `fresh builds equal the expected views (${events.length} events); kill window ${windowMs} ms`,
    );

    let kills = 0;
    let midWork = 0;
    const started = Date.now();
    for (let run = 0; run < runs; run += 1) {
      const rebuild = mode === 'rebuild' || (mode === 'both' && run % 2 === 1);
      const random = prng(seed * 1000 + run);
      const schema = `run_${run}`;
      if (rebuild) await buildVersion1(url.toString(), schema);
      const result = await runWithKills({
        url: url.toString(),
        schema,
        version: rebuild ? 2 : 1,
        kills: 1 + Math.floor(random() * 3),
        windowMs,
        random,
      });
      kills += result.kills;
      midWork += result.killsMidWork;
      const view = await readView(url.toString(), schema);
      const version = rebuild ? 2 : 1;
      const tables = ['order_summary', `order_summary__g${version}`];
      if (!isDeepStrictEqual(view.rows, fresh[version]) || !isDeepStrictEqual(view.tables, tables)) {
        console.error(
          `run ${run} (${rebuild ? 'rebuild' : 'catch-up'}): the view differs from the fresh build; seed ${seed}`,
        );
        failed = true;
        break;
      }
      await dropSchema(url.toString(), schema);
      console.log(
        `run ${run + 1}/${runs} ${rebuild ? 'rebuild ' : 'catch-up'} ok: ${result.kills} kill(s), ${result.killsMidWork} mid-work`,
      );
    }
    if (!failed) {
      console.log(
        `all ${runs} runs equal the fresh build: ${kills} kills (${midWork} while working) in ${((Date.now() - started) / 1000).toFixed(0)} s; seed ${seed}`,
      );
    }
  } finally {
    await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  if (failed) process.exit(1);
}

async function buildVersion1(url: string, schema: string): Promise<void> {
  const store = createPostgresEventStore({ url, schema: 'log' });
  await store.initialize();
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema, poolSize: 2 });
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    runner: { batchSize: 1000, maxBatchLatencyMs: 5, headPollMs: 20 },
    logger: silentLogger,
  });
  try {
    await runtime.start([
      { plan: orderSummaryPlan({ version: 1 }), definition: orderSummaryDefinition({ version: 1 }) },
    ]);
    await runtime.waitForCheckpoint('order_summary', await store.headPosition());
  } finally {
    await runtime.stop();
    await Promise.all([target.close(), store.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
