/**
 * Regression for issue #12 item 11: a PostgreSQL connection reset killed Prism ("write ECONNRESET ...
 * Emitted 'error' event on Client instance", unhandled: a pooled client held by an append had no 'error'
 * listener), and after an outage the projections took 22 s to catch up because the retry backoff had
 * grown to 30 s.
 *
 * Prism runs as a real child process (src/main.ts), so a crash is a crash, and reaches PostgreSQL (event
 * log and relational view), Elasticsearch and Neo4j through TCP proxies. Writers keep sending commands
 * while each store's connections are reset (TCP RST) and new ones refused: the event log the moment an
 * append's transaction is open, the moment a view's batch transaction is open, at a random moment, and
 * while idle on LISTEN; Elasticsearch and Neo4j during their writes. Then: the process is alive and never
 * needed its last-resort handler; commands answered 503 event_store_unavailable (with Retry-After, writing
 * nothing) while the log was cut and 2xx otherwise; every accepted event is in the log exactly once; each
 * view equals a rebuild from the log (admin verify); and the projections caught up within a generous bound
 * after each store's return (the measured times are printed). bench/store-outage-loop.ts runs the same
 * campaign with as many cuts as you like.
 */
import { prng } from '../../bench/workload';
import { crashLines, OUTAGE_API_KEY, startOutageRig, type OutageRig } from '../support/outage-rig';
import { commandProblems, eventCounts } from '../support/outage-verdict';
import { runOutageCampaign, type CampaignReport, type PlannedCut } from '../support/store-outage-campaign';
import { describeWithStores, useTestDatabase } from '../support/stores';

/** Catch-up after a store's return is bounded generously: the machine running the suite may be loaded. */
const CATCH_UP_BOUND_MS = 15_000;

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'a store connection reset (issue #12 item 11)',
  (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    let rig: OutageRig | undefined;

    beforeAll(async () => {
      rig = await startOutageRig({
        postgres: database.url,
        elasticsearch: urls.elasticsearch,
        neo4j: urls.neo4j,
      });
    }, 120_000);

    afterAll(async () => {
      await rig?.close();
    }, 60_000);

    it('survives resets of every store at random moments, answers 503 only while the log is cut, loses and doubles nothing, and catches up', async () => {
      const { prism } = rig!;
      const seed = Number(process.env.PRISM_OUTAGE_SEED ?? Date.now() % 100_000);
      const cuts: PlannedCut[] = [
        { store: 'postgres', moment: 'append' },
        { store: 'elasticsearch', moment: 'writing' },
        { store: 'postgres', moment: 'idle' },
        { store: 'neo4j', moment: 'writing' },
        { store: 'postgres', moment: 'view-commit' },
        { store: 'postgres', moment: 'writing' },
      ];
      const lines: string[] = [];
      let report: CampaignReport;
      try {
        report = await runOutageCampaign({
          prismUrl: prism.url,
          apiKey: OUTAGE_API_KEY,
          proxies: rig!.proxies,
          logUrl: database.url,
          logSchema: 'prism',
          projections: rig!.projections,
          cuts,
          random: prng(seed),
          runId: rig!.runId,
          log: (line) => lines.push(line),
          alive: () => prism.exited() === undefined,
        });
      } finally {
        const exit = prism.exited();
        const crash =
          exit === undefined ? '' : `\nPrism exited ${JSON.stringify(exit)}:\n${crashLines(prism.output())}`;
        console.log(`store-connection-reset (seed ${seed}):\n${lines.join('\n')}${crash}`);
      }

      // The process survived, and without its last-resort handler: every client handled its own errors.
      expect(prism.exited()).toBeUndefined();
      expect((await fetch(`${prism.url}/health/live`)).status).toBe(200);
      expect(prism.output()).not.toMatch(/escaped its handler|Prism stops on|Emitted 'error' event/);
      // The outage was logged, naming the store.
      expect(prism.output()).toMatch(/Lost the connection to the PostgreSQL event store at/);

      // Commands: 503 with the code and Retry-After while the log was cut, nothing lost or doubled.
      const counts = await eventCounts(database.url, 'prism', rig!.runId);
      expect(commandProblems(report, counts)).toEqual([]);
      for (const cut of report.cuts.filter((c) => c.store === 'postgres' && c.moment !== 'idle'))
        expect(cut.unavailable).toBeGreaterThan(0);
      for (const cut of report.cuts.filter((c) => c.store !== 'postgres')) expect(cut.unavailable).toBe(0);

      // The projections caught up after each store's return, within a generous bound.
      for (const cut of report.cuts) expect(cut.catchUpMs).toBeLessThan(CATCH_UP_BOUND_MS);

      // Each view equals a rebuild from the log: no event lost or applied twice.
      for (const verify of await rig!.verify()) {
        expect(verify.status).toBe(200);
        expect(verify.eventsFolded).toBeGreaterThan(0);
        expect(verify.counts).toEqual({ onlyLive: 0, onlyRebuilt: 0, different: 0 });
      }
    }, 600_000);
  },
);
