/**
 * Many more crash-safety runs than the test suite does: SIGKILL the runtime at random moments during
 * catch-up and during rebuilds, restart it to completion, and compare every view with a fresh build.
 *
 *   npx tsx bench/kill-loop.ts [--runs 100] [--seed 1234] [--orders 300] [--mode both|catchup|rebuild]
 *                              [--target postgres|postgres-lookups|elasticsearch|neo4j]
 *
 * The event log is a fresh database on PRISM_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped at the end. The target is that database (postgres: order_summary; postgres-lookups:
 * customer_stats, whose lookup entries are compared too, values and positions), or the server at PRISM_ES_URL (default
 * http://127.0.0.1:9200) or PRISM_NEO4J_URL (default bolt://127.0.0.1:7687), each run in a namespace of
 * its own, removed after it. Exits non-zero at the first view that differs from the fresh build or the
 * pure expected view, printing the seed to repeat it (the differing run's namespace is kept to look at).
 */
import { isDeepStrictEqual } from 'node:util';
import { arg } from './cli-args';
import { adminQuery } from '../test/support/stores';
import type { StoredEvent } from '../src/eventstore/event-store.port';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { expectedOrderGraph } from '../test/runtime/fixtures/order-graph.fixture';
import { expectedOrderSearch } from '../test/runtime/fixtures/order-search.fixture';
import { expectedOrderSummary } from '../test/runtime/fixtures/order-summary.fixture';
import { expectedCustomerStats } from '../test/runtime/fixtures/customer-stats.fixture';
import { readCustomerStats } from '../test/runtime/support/kill-lookups-view';
import {
  buildVersion1,
  dropNamespace,
  readGraph,
  readSearchIndex,
  readView,
  runWithKills,
  startRunner,
  type KillTarget,
} from '../test/runtime/support/kill-harness';
import { killTargetKind } from '../test/runtime/support/kill-targets';
import { appendOrders } from '../test/runtime/support/runtime-harness';
import { prng } from './workload';

/** How the loop reads and checks one kind of target: the compared content, and what must exist around it. */
interface LoopTarget {
  readonly target: KillTarget;
  /** The pure expected content, computed from the events. */
  expected(events: readonly StoredEvent[], version: 1 | 2): unknown;
  read(namespace: string): Promise<{ content: unknown; layout: unknown }>;
  /** What a finished run must leave besides the content: only generation `generation`, live. */
  layout(generation: number): unknown;
}

function loopTarget(kind: KillTarget['kind'], url: string): LoopTarget {
  switch (kind) {
    case 'postgres':
      return {
        target: { kind },
        expected: (events, version) => expectedOrderSummary(events, version),
        read: async (namespace) => {
          const view = await readView(url, namespace);
          return { content: view.rows, layout: view.tables };
        },
        layout: (generation) => ['order_summary', `order_summary__g${generation}`],
      };
    case 'postgres-lookups':
      return {
        target: { kind },
        expected: (events, version) => expectedCustomerStats(events, version),
        read: async (namespace) => {
          const { rows, lookups, ...layout } = await readCustomerStats(url, namespace);
          return { content: { rows, lookups }, layout };
        },
        layout: (generation) => ({
          activeGeneration: generation,
          generations: [{ generation, status: 'active' }],
          tables: ['customer_stats', `customer_stats__g${generation}`, `customer_stats__g${generation}__lk`],
        }),
      };
    case 'elasticsearch': {
      const server = process.env.PRISM_ES_URL ?? 'http://127.0.0.1:9200';
      return {
        target: { kind, url: server },
        expected: (events, version) => expectedOrderSearch(events, version),
        read: async (namespace) => {
          const { documents, ...layout } = await readSearchIndex(server, namespace);
          return { content: documents, layout };
        },
        layout: (generation) => ({
          generations: [{ generation, status: 'active' }],
          indices: ['meta', `order_search-g${generation}`],
          aliasOn: [`order_search-g${generation}`],
        }),
      };
    }
    case 'neo4j': {
      const server = process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7687';
      return {
        target: { kind, url: server },
        expected: (events, version) => expectedOrderGraph(events, version, true),
        read: async (namespace) => {
          const { nodes, relationships, ...layout } = await readGraph(server, namespace);
          return { content: { nodes, relationships }, layout };
        },
        layout: (generation) => ({ generations: [{ generation, status: 'active' }], leftovers: 0 }),
      };
    }
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '100'));
  const seed = Number(arg('seed', String(Math.floor(Math.random() * 1_000_000))));
  const orders = Number(arg('orders', '300'));
  const mode = arg('mode', 'both');
  const kind = killTargetKind(arg('target', 'postgres'));
  const server = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `prism_killloop_${Date.now().toString(36)}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const log = url.toString();
  const loop = loopTarget(kind, log);
  const { target } = loop;
  // PostgreSQL schemas live in the loop's own database; Elasticsearch and Neo4j namespaces are shared
  // servers, so they carry the loop's name.
  const inLoopDatabase = kind === 'postgres' || kind === 'postgres-lookups';
  const namespace = (suffix: string) => (inLoopDatabase ? suffix : `${name}_${suffix}`);
  console.log(
    `kill loop: ${runs} runs, mode ${mode}, target ${kind}, ${orders} orders, seed ${seed}, database ${name}`,
  );

  await adminQuery(server, `CREATE DATABASE ${name}`);
  let failed = false;
  const leftover = new Set<string>();
  try {
    const store = createPostgresEventStore({ url: log, schema: 'log' });
    await store.initialize();
    // Interleaved for the targets without a relational transaction and for lookups: one order's events
    // span batches (its entries are read by batches after the one that remembered them).
    const events = await appendOrders(store, orders, {
      mode: kind === 'postgres' ? 'sequential' : 'interleaved',
    });
    await store.close();
    const expected = { 1: loop.expected(events, 1), 2: loop.expected(events, 2) };
    let windowMs = 0;
    const fresh: Record<number, unknown> = {};
    for (const version of [1, 2] as const) {
      const schema = namespace(`fresh_v${version}`);
      leftover.add(schema);
      const runner = await startRunner({ url: log, schema, version, batch: 25, target });
      await runner.ready;
      const started = Date.now();
      const ended = await runner.exit;
      if (!ended.done) throw new Error(`fresh build failed: ${ended.stderr}`);
      windowMs = Math.max(windowMs, Date.now() - started);
      fresh[version] = (await loop.read(schema)).content;
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
      const schema = namespace(`run_${run}`);
      leftover.add(schema);
      if (rebuild) await buildVersion1(log, schema, target);
      const result = await runWithKills({
        url: log,
        schema,
        version: rebuild ? 2 : 1,
        kills: 1 + Math.floor(random() * 3),
        windowMs,
        random,
        target,
        ...(inLoopDatabase ? {} : { batches: [5, 10, 25, 60, 200] }),
      });
      kills += result.kills;
      midWork += result.killsMidWork;
      const view = await loop.read(schema);
      const version = rebuild ? 2 : 1;
      if (
        !isDeepStrictEqual(view.content, fresh[version]) ||
        !isDeepStrictEqual(view.layout, loop.layout(version))
      ) {
        console.error(
          `run ${run} (${rebuild ? 'rebuild' : 'catch-up'}): the view in ${schema} differs from the fresh build; seed ${seed}`,
        );
        if (!isDeepStrictEqual(view.layout, loop.layout(version)))
          console.error(
            `layout: ${JSON.stringify(view.layout)}, expected ${JSON.stringify(loop.layout(version))}`,
          );
        failed = true;
        break;
      }
      await dropNamespace(log, schema, target);
      leftover.delete(schema);
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
    // A differing run's namespace is kept to look at (PostgreSQL: the whole database goes). A failing
    // clean-up only warns, so it never hides the error that ended the loop.
    if (!inLoopDatabase) {
      for (const schema of leftover) {
        if (failed && !schema.includes('fresh')) continue;
        await dropNamespace(log, schema, target).catch((error: unknown) =>
          console.error(`could not remove ${schema}: ${String(error)}`),
        );
      }
    }
    await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  if (failed) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
