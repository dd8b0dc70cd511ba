/**
 * A rolling deploy with a changed definition (issue #15), as real processes: the api node and worker-1
 * run version 1 of order_summary; worker-2 starts later with version 2 (a changed handler, so a new
 * fingerprint and a new generation). The newest worker's definition is preferred: worker-2 takes the
 * projection over, builds the new generation once and swaps it in once; worker-1 lets it go, never drops
 * the new generation (before #15, an old process starting dropped every `building` generation not its
 * own) and keeps running; the api node keeps answering queries throughout. Summed over both workers, the
 * events committed to the new generation equal the events a fresh build folds (built once), and the view
 * verifies against a fresh build of version 2.
 */
import { Writers } from '../support/store-outage-campaign';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { CLUSTER_API_KEY, Cluster, describeLeases, sleep, verifiedClean } from './support/cluster';
import { checkpointRaces, sumOverNodes } from './support/failover';

/** Version 2: a placed order's status reads "open"; same columns, another fingerprint. */
const VERSION_2 = { 'order-summary.yaml': { 'status: \'"placed"\'': 'status: \'"open"\'' } };

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'more than one Prism: rolling deploy (issue #15)',
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
      await cluster.preload(300);
      await Promise.all([cluster.start('api'), cluster.start('worker', { id: 'worker-1' })]);
    }, 180_000);

    afterAll(async () => {
      await writers?.stop();
      console.log(`multi-process rolling deploy:\n${lines.join('\n')}`);
      await cluster?.close();
    }, 60_000);

    it('builds the newer definition once on the newer worker and swaps it in once; the older one keeps running', async () => {
      await cluster.waitForCatchUp(await cluster.head(), 120_000);
      const [version1] = await cluster.generations('order_summary');
      expect(version1).toMatchObject({ generation: 1, status: 'active' });
      writers = new Writers({
        prismUrl: cluster.api.process.url,
        apiKey: CLUSTER_API_KEY,
        runId: cluster.runId,
      });
      writers.start(2);
      await writers.waitForAccepted(10, 60_000);

      await cluster.start('worker', { id: 'worker-2', definitions: cluster.definitionFiles(VERSION_2) });
      // Watch every generation of order_summary until version 2 is active: one new generation, never dropped.
      const seen = new Map<number, string[]>();
      const deadline = Date.now() + 120_000;
      let active: { generation: number; status: string; fingerprint: string } | undefined;
      while (Date.now() < deadline) {
        const generations = await cluster.generations('order_summary');
        for (const g of generations) {
          const statuses = seen.get(g.generation) ?? [];
          if (statuses.at(-1) !== g.status) statuses.push(g.status);
          seen.set(g.generation, statuses);
        }
        active = generations.find((g) => g.status === 'active');
        if (active !== undefined && active.generation > 1) break;
        await sleep(50);
      }
      lines.push(`order_summary generations seen: ${JSON.stringify([...seen])}`);
      lines.push(`leases: ${describeLeases(await cluster.leases())}`);
      expect(active?.generation).toBe(2);
      expect([...seen.keys()]).toEqual([1, 2]);
      // Built once and swapped in once: never retired or dropped on the way (on a fast machine the build
      // can finish between two polls, so `building` may not be seen).
      expect(seen.get(2)!.at(-1)).toBe('active');
      expect(seen.get(2)!.every((status) => status === 'building' || status === 'active')).toBe(true);
      expect((await cluster.owner('order_summary'))?.holder).toBe('worker-2');

      // The api node answers queries throughout, now from version 2.
      const open = await fetch(`${cluster.api.process.url}/views/order_summary?status=open&limit=1`);
      expect(open.status).toBe(200);
      expect(((await open.json()) as { items?: unknown[] }).items?.length).toBe(1);

      // Stay a few lease periods: worker-1 must not take version 1 back nor drop generation 2.
      await sleep(6_000);
      await writers.stop();
      await cluster.waitForCatchUp(await cluster.head(), 120_000);
      // Generation 1 is retired (or already dropped); nothing newer than 2 was ever made.
      expect(
        (await cluster.generations('order_summary'))
          .filter((g) => g.generation > 1)
          .map((g) => [g.generation, g.status]),
      ).toEqual([[2, 'active']]);
      expect((await cluster.owner('order_summary'))?.holder).toBe('worker-2');
      expect(cluster.node('worker-1').process.exited()).toBeUndefined();

      const [report] = (await cluster.verify()).filter((r) => r.projection === 'order_summary');
      expect({ clean: verifiedClean(report!), generation: report!.generation }).toEqual({
        clean: true,
        generation: 2,
      });
      const committed = await sumOverNodes(
        cluster,
        ['worker-1', 'worker-2'],
        'prism_projection_events_processed_total',
        {
          projection: 'order_summary',
          generation: '2',
        },
      );
      lines.push(
        `order_summary g2: ${report!.eventsFolded} events folded, committed ${JSON.stringify(committed.perNode)}`,
      );
      expect(committed.total).toBe(report!.eventsFolded);
      for (const id of ['worker-1', 'worker-2'])
        expect(cluster.node(id).process.output()).not.toMatch(
          /GenerationGone|no longer exists|failed for good/,
        );
      for (const worker of cluster.workers()) expect(checkpointRaces(worker.process.output())).toEqual([]);
    }, 300_000);
  },
);
