/**
 * A long store-outage campaign (issue #12 item 11): Prism as a child process, every store behind a TCP
 * proxy, writers sending commands, and N cuts (connections reset, new ones refused) of a random store at
 * a random kind of moment. Prints each cut's catch-up time and a summary; exits non-zero if Prism died,
 * a command's answer disagrees with the log, or a view differs from a rebuild from the log.
 *
 *   npx tsx bench/store-outage-loop.ts [--cuts 50] [--seed 1234] [--down-min 500] [--down-max 5000]
 *
 * Stores: PRISM_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres, where a fresh database is
 * created and dropped), PRISM_ES_URL (default http://127.0.0.1:9200), PRISM_NEO4J_URL (default
 * bolt://127.0.0.1:7687). The suite's short version is test/e2e/store-connection-reset.e2e.spec.ts.
 */
import { arg } from './cli-args';
import { crashLines, OUTAGE_API_KEY, startOutageRig } from '../test/support/outage-rig';
import { commandProblems, eventCounts } from '../test/support/outage-verdict';
import { runOutageCampaign, type CutMoment, type PlannedCut } from '../test/support/store-outage-campaign';
import { adminQuery, uniqueTestName } from '../test/support/stores';
import { prng } from './workload';

const CHOICES: readonly PlannedCut[] = [
  { store: 'postgres', moment: 'append' },
  { store: 'postgres', moment: 'view-commit' },
  { store: 'postgres', moment: 'writing' },
  { store: 'postgres', moment: 'idle' },
  { store: 'elasticsearch', moment: 'writing' },
  { store: 'elasticsearch', moment: 'idle' },
  { store: 'neo4j', moment: 'writing' },
  { store: 'neo4j', moment: 'idle' },
];

async function main(): Promise<void> {
  const cutsWanted = Number(arg('cuts', '50'));
  const seed = Number(arg('seed', String(Date.now() % 100_000)));
  const downMs: [number, number] = [Number(arg('down-min', '500')), Number(arg('down-max', '5000'))];
  const random = prng(seed);
  const server = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = uniqueTestName('prism_outage');
  await adminQuery(server, `CREATE DATABASE ${database}`);
  const logUrl = new URL(server);
  logUrl.pathname = `/${database}`;
  const rig = await startOutageRig({
    postgres: logUrl.toString(),
    elasticsearch: process.env.PRISM_ES_URL ?? 'http://127.0.0.1:9200',
    neo4j: process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7687',
  });
  let failed = false;
  try {
    const cuts = Array.from({ length: cutsWanted }, () => CHOICES[Math.floor(random() * CHOICES.length)]!);
    const report = await runOutageCampaign({
      prismUrl: rig.prism.url,
      apiKey: OUTAGE_API_KEY,
      proxies: rig.proxies,
      logUrl: logUrl.toString(),
      logSchema: 'prism',
      projections: rig.projections,
      cuts,
      random,
      downMs,
      runId: rig.runId,
      log: (line) => console.log(line),
      alive: () => rig.prism.exited() === undefined,
    });
    const problems = commandProblems(report, await eventCounts(logUrl.toString(), 'prism', rig.runId));
    for (const verify of await rig.verify()) {
      const counts = JSON.stringify(verify.counts);
      if (counts !== JSON.stringify({ onlyLive: 0, onlyRebuilt: 0, different: 0 }))
        problems.push(`${verify.projection}: verify ${verify.status} ${counts}`);
    }
    const byKind = new Map<string, number[]>();
    for (const cut of report.cuts) {
      const key = `${cut.store}/${cut.moment satisfies CutMoment}`;
      byKind.set(key, [...(byKind.get(key) ?? []), cut.catchUpMs]);
    }
    console.log(`\n${report.cuts.length} cuts, ${report.commands.length} commands (seed ${seed})`);
    for (const [kind, times] of [...byKind].sort()) {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `  ${kind.padEnd(26)} catch-up ms: median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)} (${sorted.length} cuts)`,
      );
    }
    const unknown = report.commands.filter((c) => c.outcomeUnknown).length;
    if (unknown > 0)
      console.log(`  ${unknown} append(s) lost their connection during COMMIT (503, outcome unknown)`);
    if (problems.length > 0) {
      failed = true;
      console.error(`\n${problems.length} problem(s):\n${problems.slice(0, 50).join('\n')}`);
    }
  } catch (error) {
    failed = true;
    console.error(
      `campaign failed (seed ${seed}): ${error instanceof Error ? error.message : String(error)}`,
    );
    const exit = rig.prism.exited();
    if (exit !== undefined)
      console.error(`Prism exited ${JSON.stringify(exit)}:\n${crashLines(rig.prism.output())}`);
  } finally {
    await rig.close();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
  process.exit(failed ? 1 : 0);
}

void main();
