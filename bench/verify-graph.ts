/**
 * `verify` of a large graph view (issue #17): time and peak RSS of verifying purchase_graph built in Neo4j
 * from the reference log (bench/workload.ts, ../shared/BENCHMARK-WORKLOAD.md: ~1.05M events for 100,000
 * orders, of which purchase_graph reads the ~970k order events). The graph is built by Prism's runtime into
 * the test Neo4j server, one Product node is changed behind Prism's back, and the verification runs in a
 * child process started with the single-projection heap flags (192/32, see README "Memory"); it must find
 * exactly that node, or no figure is printed as good.
 *
 *   npx tsx bench/verify-graph.ts [--orders 100000] [--seed 42] [--keep]
 *
 * PRISM_PG_URL names the PostgreSQL server of the event log (default postgres://postgres@127.0.0.1:5432/postgres),
 * PRISM_NEO4J_URL the Neo4j server (default bolt://127.0.0.1:7697, the one `npm run stores:up` starts).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { verifyProjection } from '../src/admin/checks/verify-projection';
import type { CompiledProjection } from '../src/core/plan';
import { recompileDefinition } from '../src/dsl';
import { compileYamlDefinition } from '../src/dsl/testing/compile-yaml';
import { createPostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../src/runtime/projection-runtime';
import { logFilterOf } from '../src/runtime/source-filter';
import { Neo4jTarget } from '../src/stores/neo4j/neo4j.target';
import { physicalName } from '../src/stores/neo4j/neo4j-names';
import { arg } from './cli-args';
import { withScratchDatabase, writeWorkloadLog } from './scratch-database';

const ORDERS = Number(arg('orders', '100000'));
const SEED = Number(arg('seed', '42'));
const KEEP = process.argv.includes('--keep');
const NEO4J = process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7697';
const NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** purchase_graph under a name of this run, so its labels and bookkeeping are its own. */
function planOf(run: string): CompiledProjection {
  const text = readFileSync(path.resolve(__dirname, '../projections/purchase-graph.yaml'), 'utf8');
  return compileYamlDefinition(text.replace(/^name: .*$/m, `name: verify_purchase_${run}`));
}

const prefixOf = (run: string) => `PrismVerify${run}`;

function connectTarget(run: string): Promise<Neo4jTarget> {
  return Neo4jTarget.connect({ url: NEO4J, bookkeepingPrefix: prefixOf(run) });
}

/** Writes the workload, builds the graph with Prism's runtime, and changes one Product behind its back. */
async function prepare(url: string, run: string): Promise<string> {
  // The log's statistics are refreshed after writing (see bench/verify-memory.ts).
  const written = await writeWorkloadLog(url, { schema: 'log', orders: ORDERS, seed: SEED });
  console.log(`wrote ${written.events} events in ${written.seconds.toFixed(1)} s`);
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  const plan = planOf(run);
  // The head of the events it reads: a checkpoint never passes a later event it filters out.
  const head = await store.headPosition(logFilterOf(plan));
  const target = await connectTarget(run);
  const runtime = new ProjectionRuntime({
    store,
    targets: { neo4j: target },
    recompile: (model) => recompileDefinition(model),
    runner: { batchSize: 5000 },
    logger: { info: () => undefined, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const started = performance.now();
  await runtime.start([plan]);
  await runtime.waitForCheckpoint(plan.name, head, 3_600_000);
  console.log(`built ${plan.name} in ${seconds(started)} s`);
  await runtime.stop();
  await target.close();
  await store.close();
  const driver = neo4j.driver(NEO4J);
  try {
    const label = physicalName('Product', plan.name, 1);
    const changed = await driver.executeQuery(
      `MATCH (p:\`${label}\`) WITH p ORDER BY p.productId LIMIT 1 SET p.title = 'changed behind Prism' RETURN p.productId AS id`,
    );
    return String(changed.records[0]!.get('id'));
  } finally {
    await driver.close();
  }
}

/** Child: one verification, printed as a JSON line. */
async function verifyOnce(url: string, run: string): Promise<void> {
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 4, pageSize: 5000 });
  const target = await connectTarget(run);
  const plan = planOf(run);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const report = await verifyProjection(
    { store, target, catalogPlan: plan, recompile: (model) => recompileDefinition(model) },
    plan.name,
  );
  console.log(
    JSON.stringify({
      seconds: (performance.now() - started) / 1000,
      peakRss: process.resourceUsage().maxRSS * 1024,
      rssBefore,
      live: report.liveEntries,
      rebuilt: report.rebuiltEntries,
      events: report.eventsFolded,
      rounds: report.rounds,
      different: report.differences.map(
        (d) => `${d.kind} ${d.key} ${d.fields.map((f) => f.field).join(',')}`,
      ),
    }),
  );
  await target.close();
  await store.close();
}

/** Removes the run's graph (generation labels) and bookkeeping nodes, a batch at a time. */
async function cleanUp(run: string): Promise<void> {
  const driver = neo4j.driver(NEO4J);
  const plan = planOf(run);
  try {
    const labels = ['Customer', 'Order', 'Product'].map((label) => physicalName(label, plan.name, 1));
    const session = driver.session();
    try {
      for (const label of labels)
        await session.run(
          `MATCH (n:\`${label}\`) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
        );
      const bookkeeping = await session.run(
        'CALL db.labels() YIELD label WHERE label STARTS WITH $prefix RETURN collect(label) AS labels',
        { prefix: prefixOf(run) },
      );
      for (const label of bookkeeping.records[0]!.get('labels') as string[])
        await session.run(`MATCH (n:\`${label}\`) DETACH DELETE n`);
      // The uniqueness constraints (and their indexes) Prism made for the run's labels.
      const constraints = await session.run(
        'SHOW CONSTRAINTS YIELD name, labelsOrTypes WHERE any(l IN labelsOrTypes WHERE l CONTAINS $run) RETURN collect(name) AS names',
        { run },
      );
      for (const constraint of constraints.records[0]!.get('names') as string[])
        await session.run(`DROP CONSTRAINT \`${constraint}\` IF EXISTS`);
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

async function main(): Promise<void> {
  const run = Date.now().toString(36);
  await withScratchDatabase(
    `prism_verify_graph_${run}`,
    async (url) => {
      const changed = await prepare(url, run);
      const child = spawnSync(
        process.execPath,
        [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1), '--verify-once', url, run],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
      );
      console.log(
        `\nverify purchase_graph, ${ORDERS} orders, node ${process.version} ${NODE_FLAGS.join(' ')}`,
      );
      if (child.status !== 0) {
        console.log(`  FAILED (exit ${child.status ?? child.signal}: e.g. out of heap)`);
        process.exitCode = 1;
        return;
      }
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
        seconds: number;
        peakRss: number;
        rssBefore: number;
        live: number;
        rebuilt: number;
        events: number;
        rounds: number;
        different: string[];
      };
      const ok =
        r.different.length === 1 && r.different[0]!.includes(changed) && r.different[0]!.endsWith(' title');
      console.log(
        `  ${ok ? 'ok  ' : 'FAIL'} ${r.seconds.toFixed(1)} s, peak RSS ${mb(r.peakRss)} (${mb(r.rssBefore)} before), ` +
          `${r.live} live / ${r.rebuilt} rebuilt entries, ${r.events} events folded, ${r.rounds} round(s), ` +
          `differences ${JSON.stringify(r.different)}`,
      );
      if (!ok) process.exitCode = 1;
    },
    KEEP,
  ).finally(() => (KEEP ? undefined : cleanUp(run)));
}

const once = process.argv.indexOf('--verify-once');
(once > 0 ? verifyOnce(process.argv[once + 1]!, process.argv[once + 2]!) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
