/**
 * Issue #15's opening measurement, repeated: two Prism processes in the default role (`all`) on the same
 * stores, writers sending commands to both for a while. Before leases, every batch was folded by both and
 * committed by one ("checkpoint was moved by someone else" warnings by the hundred). Prints, per node, the
 * projections whose lease it holds, the batches it committed (`prism_batches_committed_total`) and the
 * "moved" warnings it logged; then verifies every view against a fresh build (through a third, api-only
 * node) and checks every accepted command against the log.
 *
 *   npx tsx bench/two-processes.ts [--seconds 45] [--writers 2]
 *
 * Stores: as bench/failover-campaign.ts (a fresh PostgreSQL database is created and dropped).
 */
import { arg } from './cli-args';
import { Cluster, CLUSTER_API_KEY, verifiedClean } from '../test/multiproc/support/cluster';
import { configuredUrl } from '../test/stores/store-endpoints';
import { commandProblems, eventCounts } from '../test/support/outage-verdict';
import { Writers } from '../test/support/store-outage-campaign';
import { adminQuery, uniqueTestName } from '../test/support/stores';

/** Batches committed by a node, summed over projections, from its /metrics. */
async function batchesCommitted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('prism_batches_committed_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '45'));
  const writerCount = Number(arg('writers', '2'));
  const server = configuredUrl('postgres').url;
  const database = uniqueTestName('prism_two');
  await adminQuery(server, `CREATE DATABASE ${database}`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  const cluster = new Cluster({
    postgres: url.toString(),
    elasticsearch: configuredUrl('elasticsearch').url,
    neo4j: configuredUrl('neo4j').url,
  });
  let failure: string | undefined;
  const writers: Writers[] = [];
  try {
    const nodes = await Promise.all([
      cluster.start('all', { id: 'all-1' }),
      cluster.start('all', { id: 'all-2' }),
    ]);
    await cluster.start('api', { id: 'api-verify' });
    // Each node's writers under a run id of their own, so their commands never share a stream id.
    const runIds = nodes.map((node) => `${cluster.runId}${node.id.replace(/-/g, '')}`);
    for (const [index, node] of nodes.entries()) {
      const w = new Writers({ prismUrl: node.process.url, apiKey: CLUSTER_API_KEY, runId: runIds[index]! });
      w.start(writerCount);
      writers.push(w);
    }
    console.log(`two processes (role all), ${writerCount} writers on each, ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    for (const w of writers) await w.stop();
    await cluster.waitForCatchUp(await cluster.head(), 120_000);
    const leases = await cluster.leases();
    for (const node of nodes) {
      const held = leases.filter((lease) => lease.holder === node.id).map((lease) => lease.resource);
      const moved = node.process
        .output()
        .split('\n')
        .filter((line) => line.includes('was moved')).length;
      console.log(
        `${node.id}: holds ${held.length} lease(s) [${held.join(', ')}], ` +
          `${await batchesCommitted(node.process.url)} batches committed, ${moved} "checkpoint was moved" warnings`,
      );
    }
    const outcomes = await cluster.verify();
    console.log(
      `verify: ${outcomes.map((o) => `${o.projection} ${verifiedClean(o) ? 'clean' : 'DIFFERS'}`).join('; ')}`,
    );
    if (outcomes.some((o) => !verifiedClean(o))) failure = 'a view differs from a fresh build';
    const sent = writers.flatMap((w) => w.outcomes);
    const problems: string[] = [];
    for (const [index, w] of writers.entries())
      problems.push(
        ...commandProblems(
          { cuts: [], commands: w.outcomes },
          await eventCounts(cluster.urls.postgres, 'prism', runIds[index]!),
        ),
      );
    const accepted = sent.filter((c) => c.status >= 200 && c.status < 300).length;
    console.log(
      `commands: ${sent.length} sent, ${accepted} accepted; ${problems.length} disagree with the log`,
    );
    if (problems.length > 0) failure ??= `${problems.length} commands disagree with the log`;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    console.log(cluster.outputs());
  } finally {
    for (const w of writers) await w.stop();
    await cluster.close();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  if (failure !== undefined) {
    console.log(`FAILED: ${failure}`);
    process.exitCode = 1;
  }
}

void main();
