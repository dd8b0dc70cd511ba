/**
 * A long failover campaign (issue #15): one api node and two worker nodes as real processes on the same
 * stores, writers sending commands to the api node, and N runs that each SIGKILL the worker owning a
 * projection at a random moment, during live traffic or during a rebuild, then start a replacement
 * worker. After each run: the takeover time (kill to a live node's unexpired lease, in PostgreSQL), the
 * time until every view reached the log's head as of the kill, and (every --verify-every runs, with the
 * writers paused) every view verified against a fresh build from the log. At the end every accepted
 * command is checked against the log (exactly once). Prints a line per run and a summary; exits non-zero
 * on the first view that differs, a command the log disagrees with, or a takeover that never came.
 *
 *   npx tsx bench/failover-campaign.ts [--runs 20] [--seed 1234] [--orders 3000] [--verify-every 1]
 *                                      [--lease-ttl-ms 2000] [--rebuild-share 0.5]
 *
 * Stores: PRISM_PG_URL (default the test PostgreSQL, postgres://postgres@127.0.0.1:5432/postgres, where a
 * fresh database is created and dropped), PRISM_ES_URL and PRISM_NEO4J_URL (default the test stores of
 * `npm run stores:up`). The suite's short version is test/multiproc/failover.e2e.spec.ts.
 */
import { arg } from './cli-args';
import {
  Cluster,
  CLUSTER_API_KEY,
  verifiedClean,
  type VerifyOutcome,
} from '../test/multiproc/support/cluster';
import {
  killOwnerAndMeasure,
  type FailoverReport,
  type KillMoment,
} from '../test/multiproc/support/failover';
import { configuredUrl } from '../test/stores/store-endpoints';
import { commandProblems, eventCounts } from '../test/support/outage-verdict';
import { Writers } from '../test/support/store-outage-campaign';
import { adminQuery, uniqueTestName } from '../test/support/stores';
import { prng } from './workload';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '20'));
  const seed = Number(arg('seed', String(Date.now() % 100_000)));
  const orders = Number(arg('orders', '3000'));
  const verifyEvery = Math.max(1, Number(arg('verify-every', '1')));
  const leaseTtlMs = Number(arg('lease-ttl-ms', '2000'));
  const rebuildShare = Number(arg('rebuild-share', '0.5'));
  const random = prng(seed);
  const server = configuredUrl('postgres').url;
  const database = uniqueTestName('prism_failover');
  await adminQuery(server, `CREATE DATABASE ${database}`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  const cluster = new Cluster(
    {
      postgres: url.toString(),
      elasticsearch: configuredUrl('elasticsearch').url,
      neo4j: configuredUrl('neo4j').url,
    },
    { leaseTtlMs, log: (line) => console.log(`  ${line}`) },
  );
  console.log(
    `failover campaign: ${runs} runs, seed ${seed}, ${orders} preloaded orders, lease ${leaseTtlMs} ms, database ${database}`,
  );
  const reports: FailoverReport[] = [];
  const verifications: VerifyOutcome[][] = [];
  let failure: string | undefined;
  let writers: Writers | undefined;
  try {
    await cluster.preload(orders);
    await cluster.start('api');
    await Promise.all([cluster.start('worker'), cluster.start('worker')]);
    await cluster.waitForCatchUp(await cluster.head(), 300_000);
    const runId = cluster.runId;
    writers = new Writers({ prismUrl: cluster.api.process.url, apiKey: CLUSTER_API_KEY, runId });
    writers.start(2);
    await writers.waitForAccepted(20, 60_000);
    for (let run = 1; run <= runs && failure === undefined; run += 1) {
      const moment: KillMoment = random() < rebuildShare ? 'rebuild' : 'live';
      const report = await killOwnerAndMeasure(cluster, { moment, random });
      reports.push(report);
      console.log(
        `run ${run}/${runs} ${moment.padEnd(7)} killed ${report.victim.padEnd(10)} takeover ${String(report.takeoverMs).padStart(5)} ms ` +
          `(${report.takeovers.map((t) => `${t.projection}->${t.to.holder}@${t.to.epoch}`).join(', ')}), ` +
          `resumed ${report.resumedMs} ms` +
          (report.rebuild === undefined
            ? ''
            : `, rebuild g${report.rebuild.generation} ${report.rebuild.buildingAtKill ? 'killed mid-build' : 'had swapped'}`),
      );
      await cluster.start('worker');
      if (run % verifyEvery === 0 || run === runs) {
        await writers.pause();
        await cluster.waitForCatchUp(await cluster.head(), 300_000);
        const outcomes = await cluster.verify();
        verifications.push(outcomes);
        console.log(
          `  verify: ${outcomes.map((o) => `${o.projection} g${o.generation} ${o.eventsFolded} events ${verifiedClean(o) ? 'clean' : `DIFFERS (${o.status} ${JSON.stringify(o.counts ?? o.error)})`}`).join('; ')}`,
        );
        const bad = outcomes.filter((o) => !verifiedClean(o));
        if (bad.length > 0)
          failure = `run ${run}: ${bad.map((o) => o.projection).join(', ')} differ from a fresh build`;
        writers.resume();
      }
    }
    await writers.stop();
    const problems = commandProblems(
      { cuts: [], commands: writers.outcomes },
      await eventCounts(cluster.urls.postgres, 'prism', runId),
    );
    const accepted = writers.outcomes.filter((c) => c.status >= 200 && c.status < 300).length;
    console.log(
      `commands: ${writers.outcomes.length} sent, ${accepted} accepted; ${problems.length} disagree with the log`,
    );
    for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
    if (problems.length > 0 && failure === undefined)
      failure = `${problems.length} commands disagree with the log`;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    console.log(cluster.outputs());
  } finally {
    await writers?.stop();
    await cluster.close();
    if (failure === undefined) await adminQuery(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  if (reports.length > 0) {
    const takeovers = reports.map((r) => r.takeoverMs);
    const resumed = reports.map((r) => r.resumedMs);
    const midBuild = reports.filter((r) => r.rebuild?.buildingAtKill === true).length;
    console.log(
      `summary: ${reports.length} kills (${reports.filter((r) => r.moment === 'rebuild').length} during a rebuild, ` +
        `${midBuild} of them mid-build); takeover ms p50 ${percentile(takeovers, 50)}, p95 ${percentile(takeovers, 95)}, ` +
        `max ${Math.max(...takeovers)}; resumed ms p50 ${percentile(resumed, 50)}, max ${Math.max(...resumed)}; ` +
        `${verifications.length} verifications, ${verifications.flat().filter((o) => !verifiedClean(o)).length} differing views`,
    );
  }
  if (failure !== undefined) {
    console.log(`FAILED (seed ${seed}, database ${database} kept): ${failure}`);
    process.exit(1);
  }
  console.log('OK');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
