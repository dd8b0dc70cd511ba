/**
 * More than one Prism (issue #15), as real processes on real stores: one `api` node and two `worker` nodes
 * (test/multiproc/support/cluster.ts) share one PostgreSQL database (log, relational view, coordination),
 * Elasticsearch and Neo4j, with a 2 s lease. Writers send commands to the api node throughout.
 *
 *  - every projection is owned by exactly one worker (a lease row), never by the api node, and the work
 *    spreads over both workers;
 *  - an admin pause sent to the api node (which runs nothing) stops the owner; resume restarts it;
 *  - a SIGSTOPped owner, resumed after its lease lapsed and a standby took over, writes nothing: summed
 *    over the workers, the events committed to each generation equal the events a fresh build folds
 *    (each batch committed once), and no runner ever found its checkpoint moved by another;
 *  - the owner SIGKILLed during live traffic and during a rebuild: a standby takes over (times printed,
 *    not judged: the machine may be loaded), the rebuild's generation is built once and swapped in, every
 *    view verifies against a fresh build, and every accepted command is in the log exactly once.
 *
 * bench/failover-campaign.ts runs the SIGKILL part as many times as you like (≥ 20 runs).
 */
import { prng } from '../../bench/workload';
import { commandProblems, eventCounts } from '../support/outage-verdict';
import { Writers } from '../support/store-outage-campaign';
import { describeWithStores, useTestDatabase } from '../support/stores';
import {
  CLUSTER_API_KEY,
  Cluster,
  describeLeases,
  sleep,
  TEST_LEASE_TTL_MS,
  verifiedClean,
  type ProjectionJson,
} from './support/cluster';
import { checkpointRaces, killOwnerAndMeasure, sumOverNodes, type FailoverReport } from './support/failover';

/** Orders in the log before the nodes start: enough that a rebuild takes a moment to kill it in. */
const PRELOADED_ORDERS = 600;

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'more than one Prism: failover (issue #15)',
  (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    const lines: string[] = [];
    let cluster: Cluster;
    let writers: Writers | undefined;

    beforeAll(async () => {
      cluster = new Cluster(
        { postgres: database.url, elasticsearch: urls.elasticsearch, neo4j: urls.neo4j },
        { log: (line) => lines.push(line) },
      );
      await cluster.preload(PRELOADED_ORDERS);
      await cluster.start('api');
      await Promise.all([cluster.start('worker'), cluster.start('worker')]);
    }, 180_000);

    afterEach(async () => {
      await writers?.stop();
      writers = undefined;
    });

    afterAll(async () => {
      console.log(`multi-process failover:\n${lines.join('\n')}`);
      await cluster?.close();
    }, 60_000);

    /** Writers with ids of their own (`tag`), so each test's commands can be checked against the log. */
    const startWriters = async (tag: string): Promise<Writers> => {
      const runId = `${cluster.runId}${tag}`;
      writers = new Writers({ prismUrl: cluster.api.process.url, apiKey: CLUSTER_API_KEY, runId });
      writers.start(2);
      await writers.waitForAccepted(20, 60_000);
      return writers;
    };

    const workerIds = () => cluster.workers().map((node) => node.id);

    it('gives each projection to exactly one worker, never the api node, and spreads them over both workers', async () => {
      await cluster.waitForCatchUp(await cluster.head(), 120_000);
      // Fair share: a node holding more than ceil(3 / 2) releases one per tick; bounded wait for it.
      let holders = new Set<string>();
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const owners = await cluster.waitForOwners();
        holders = new Set([...owners.values()].map((lease) => lease.holder));
        if (holders.size === 2) break;
        await sleep(200);
      }
      const leases = (await cluster.leases()).filter((lease) => cluster.projections.includes(lease.resource));
      lines.push(`leases: ${describeLeases(leases)}`);
      expect(leases.filter((lease) => !lease.expired)).toHaveLength(cluster.projections.length);
      expect([...holders].sort()).toEqual(workerIds().sort());
      // Each node's view of it agrees: the owner says held, the other says not (prism_lease_held).
      for (const lease of leases) {
        for (const id of workerIds()) {
          const held = (await cluster.metrics(id)).find(
            (s) => s.name === 'prism_lease_held' && s.labels.projection === lease.resource,
          );
          expect({ id, projection: lease.resource, held: held?.value ?? 0 }).toEqual({
            id,
            projection: lease.resource,
            held: lease.holder === id ? 1 : 0,
          });
        }
      }
    }, 240_000);

    it('applies an admin pause sent to the api node on the owner, and a resume', async () => {
      await startWriters('pause');
      const owner = (await cluster.waitForOwners()).get('order_summary')!.holder;
      const paused = await cluster.adminPost<ProjectionJson>('/admin/projections/order_summary/pause');
      expect({ status: paused.status, state: paused.body.state }).toEqual({ status: 200, state: 'paused' });
      // The owner stopped applying: its state says paused, and the stored checkpoint stays put while the
      // log grows (two looks, commands accepted in between).
      const stateOf = async (id: string, state: string) =>
        (await cluster.metrics(id)).find(
          (s) =>
            s.name === 'prism_projection_state' &&
            s.labels.projection === 'order_summary' &&
            s.labels.state === state,
        )?.value;
      try {
        expect(await stateOf(owner, 'paused')).toBe(1);
        const before = await cluster.storedCheckpoint('order_summary');
        const accepted = writers!.outcomes.length;
        while (writers!.outcomes.length < accepted + 20) await sleep(50);
        expect(await cluster.head()).toBeGreaterThan(before!.position);
        expect(await cluster.storedCheckpoint('order_summary')).toEqual(before);
      } catch (error) {
        // Resumed all the same: the cases after this one need order_summary running.
        await cluster.adminPost('/admin/projections/order_summary/resume');
        throw error;
      }

      const resumed = await cluster.adminPost<ProjectionJson>('/admin/projections/order_summary/resume');
      expect(resumed.status).toBe(200);
      expect(resumed.body.state).not.toBe('paused');
      await writers!.stop();
      await cluster.waitForCatchUp(await cluster.head());
      expect(await stateOf(owner, 'paused')).toBe(0);
    }, 120_000);

    it('lets a SIGSTOPped owner resumed after its lease lapsed write nothing: every batch is committed once', async () => {
      await startWriters('stop');
      const owners = await cluster.waitForOwners();
      const victim = owners.get('order_summary')!;
      const node = cluster.node(victim.holder);
      await node.process.signal('SIGSTOP');
      const stoppedAt = Date.now();
      const after = await cluster.waitForOwners({ not: victim.holder });
      lines.push(
        `SIGSTOP ${victim.holder}: order_summary taken over by ${after.get('order_summary')!.holder}` +
          `@${after.get('order_summary')!.epoch} after ${Date.now() - stoppedAt} ms`,
      );
      // Past its lease, with commands still flowing, then it runs again with whatever it had in flight.
      await sleep(TEST_LEASE_TTL_MS);
      await node.process.signal('SIGCONT');
      await sleep(2 * TEST_LEASE_TTL_MS);
      await writers!.stop();
      await cluster.waitForCatchUp(await cluster.head());
      expect(node.process.exited()).toBeUndefined();

      const reports = await cluster.verify();
      for (const report of reports) {
        expect({ projection: report.projection, clean: verifiedClean(report) }).toEqual({
          projection: report.projection,
          clean: true,
        });
        // Summed over the workers (none died), the events committed to the active generation are exactly the
        // events a fresh build folds: no batch was committed twice, by the frozen node or anyone.
        const committed = await sumOverNodes(
          cluster,
          workerIds(),
          'prism_projection_events_processed_total',
          {
            projection: report.projection,
            generation: String(report.generation),
          },
        );
        lines.push(
          `${report.projection} g${report.generation}: ${report.eventsFolded} events folded, committed ${JSON.stringify(committed.perNode)}`,
        );
        expect(committed.total).toBe(report.eventsFolded);
      }
      const fenced = node.process
        .output()
        .split('\n')
        .filter((line) => /fenc|lease/i.test(line));
      lines.push(`${victim.holder} after SIGCONT:\n  ${fenced.slice(-5).join('\n  ')}`);
      for (const worker of cluster.workers()) expect(checkpointRaces(worker.process.output())).toEqual([]);
    }, 180_000);

    it('survives SIGKILL of the owner during live traffic and during a rebuild: takeover, one rebuild, views verify, nothing lost or doubled', async () => {
      const seed = Number(process.env.PRISM_FAILOVER_SEED ?? Date.now() % 100_000);
      const random = prng(seed);
      lines.push(`SIGKILL runs (seed ${seed}):`);
      const runId = `${cluster.runId}kill`;
      await startWriters('kill');
      const runs: FailoverReport[] = [];
      for (const moment of ['live', 'rebuild'] as const) {
        const generationsBefore = await cluster.generations('order_summary');
        const report = await killOwnerAndMeasure(cluster, {
          moment,
          random,
          log: (line) => lines.push(`  ${line}`),
        });
        runs.push(report);
        await cluster.start('worker');
        if (report.rebuild !== undefined) {
          await cluster.waitForCatchUp(await cluster.head(), 120_000);
          // The rebuild's generation was built once (resumed by the new owner, not restarted as another)
          // and swapped in; nothing newer was created.
          const generations = await cluster.generations('order_summary');
          expect(
            generations.map((g) => g.generation).filter((g) => g > generationsBefore.at(-1)!.generation),
          ).toEqual([report.rebuild.generation]);
          expect((await cluster.storedCheckpoint('order_summary'))?.generation).toBe(
            report.rebuild.generation,
          );
        }
      }
      await writers!.stop();
      await cluster.waitForCatchUp(await cluster.head(), 120_000);

      const reports = await cluster.verify();
      lines.push(
        `  verify: ${reports.map((r) => `${r.projection} g${r.generation} ${r.eventsFolded} events, ${r.total} differences`).join('; ')}`,
      );
      for (const report of reports)
        expect({
          projection: report.projection,
          clean: verifiedClean(report),
          answer: report.status,
        }).toEqual({
          projection: report.projection,
          clean: true,
          answer: 200,
        });
      const counts = await eventCounts(database.url, 'prism', runId);
      expect(commandProblems({ cuts: [], commands: writers!.outcomes }, counts)).toEqual([]);
      expect(runs.every((run) => run.takeovers.length > 0)).toBe(true);
      for (const worker of cluster.workers()) expect(checkpointRaces(worker.process.output())).toEqual([]);
    }, 240_000);
  },
);
