/**
 * Prism's own data upgrades in place (issue #13): views written by the Prism of commit ac9f81a (the last
 * one without a bookkeeping schema version) are taken over by this code on the same PostgreSQL schema,
 * Elasticsearch prefix and Neo4j labels: no rebuild (same generation, same checkpoint), the projections
 * carry on from their checkpoints with new events, and parked events and resolutions are still listed.
 * Then the stores' recorded schema version refuses an older Prism, and concurrent initializers agree.
 * Schema version 2 (issue #15) gives the checkpoints they wrote a fence of 0, which fences from then on.
 */
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j, { type Driver } from 'neo4j-driver';
import { Client } from 'pg';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { BookkeepingSchemaTooNewError } from '../../src/stores/bookkeeping/schema-migrations';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../src/stores/elasticsearch/elasticsearch.target';
import { bookkeepingLabels } from '../../src/stores/neo4j/neo4j-bookkeeping';
import { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import { cleanUp } from '../../src/stores/neo4j/neo4j-test-support';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { Target } from '../../src/stores/target.port';
import { orderGraphPlan, orderGraphShape } from '../runtime/fixtures/order-graph.fixture';
import { orderSearchPlan } from '../runtime/fixtures/order-search.fixture';
import { orderSummaryPlan } from '../runtime/fixtures/order-summary.fixture';
import { TEST_RUNNER, untilVisible } from '../runtime/support/runtime-harness';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { exportCommit, runOldWriter } from './support/old-prism';
import { upgradeNames, type UpgradeNames } from './support/upgrade-names';

/** The Prism whose data this one must take over: main before bookkeeping versions (issue #13 step 1). */
const OLD_PRISM = 'ac9f81a';

jest.setTimeout(120_000);

interface Targets {
  readonly postgres: RelationalTarget;
  readonly elasticsearch: ElasticsearchTarget;
  readonly neo4j: Neo4jTarget;
}

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'upgrading data written by an older Prism',
  (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    const names: UpgradeNames = upgradeNames(uniqueTestName('upg'));
    let old: ReturnType<typeof exportCommit> | undefined;
    let es: ElasticsearchClient;
    let driver: Driver;
    let store: PostgresEventStore | undefined;
    let targets: Targets | undefined;
    const plans = () => [orderSummaryPlan(), orderSearchPlan(1), orderGraphPlan(names.graph, 1)];
    const targetOf = (opened: Targets, name: string): Target =>
      name === 'order_summary'
        ? opened.postgres
        : name === 'order_search'
          ? opened.elasticsearch
          : opened.neo4j;
    /** Before the test database is dropped (its hook runs first), so no pool sees its connections cut. */
    const closeAll = async () => {
      await Promise.all(Object.values(targets ?? {}).map((target: Target) => target.close()));
      await store?.close();
      targets = undefined;
      store = undefined;
    };

    beforeAll(async () => {
      old = exportCommit(OLD_PRISM);
      es = new ElasticsearchClient({ node: urls.elasticsearch });
      driver = neo4j.driver(urls.neo4j);
      await runOldWriter(old.root, {
        PRISM_UPGRADE_PG: database.url,
        PRISM_UPGRADE_ES: urls.elasticsearch,
        PRISM_UPGRADE_NEO4J: urls.neo4j,
        PRISM_UPGRADE_NAMES: JSON.stringify(names),
      });
    });
    afterAll(async () => {
      old?.remove();
      await closeAll();
      await deleteIndicesWithPrefix(es, names.esPrefix).catch(() => undefined);
      await es.close();
      const graphViews = [{ projection: names.graph, generations: [1, 2], shape: orderGraphShape(1) }];
      await cleanUp(driver, bookkeepingLabels(names.neo4jPrefix), graphViews).catch(() => undefined);
      await driver.close();
    });

    it('carries on without a rebuild: same generation and checkpoint, new events applied, parking kept', async () => {
      const opened: Targets = {
        postgres: await RelationalTarget.connect({
          kind: 'postgres',
          url: database.url,
          schema: names.pgSchema,
        }),
        elasticsearch: await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix: names.esPrefix }),
        neo4j: await Neo4jTarget.connect({ url: urls.neo4j, bookkeepingPrefix: names.neo4jPrefix }),
      };
      targets = opened;
      // Migration 2 gave the older Prism's checkpoint nodes a fence (0); the other stores read theirs as 0.
      const fences = await driver.executeQuery(
        `MATCH (c:\`${names.neo4jPrefix}Checkpoint\`) RETURN c.fence AS fence`,
      );
      expect(fences.records.map((r) => Number(r.get('fence')))).toEqual([0]);

      const log = createPostgresEventStore({ url: database.url, schema: names.log });
      store = log;
      await log.initialize();
      const head = await log.headPosition();

      // What the older Prism left, read by this one before it runs anything.
      const before = new Map<string, { checkpoint: bigint | undefined; fingerprint: string }>();
      for (const plan of plans()) {
        const target = targetOf(opened, plan.name);
        expect(await target.readProjection(plan.name)).toEqual({
          name: plan.name,
          activeGeneration: 1,
          paused: false,
        });
        const generations = await target.listGenerations(plan.name);
        expect(generations.map((g) => [g.generation, g.status, g.fingerprint])).toEqual([
          [1, 'active', plan.fingerprint],
        ]);
        const view = { projection: plan.name, generation: 1, shape: plan.target };
        const checkpoint = await target.readCheckpoint(view);
        expect(checkpoint).toBe(head);
        const parked = await target.listParked(view);
        expect(parked.map((p) => [p.streamId, p.status, p.keys])).toEqual([['bad-2', 'parked', []]]);
        const resolutions = await target.listResolutions(view);
        expect(resolutions.map((r) => [r.action, r.checkpoint])).toEqual([['discarded', head]]);
        before.set(plan.name, { checkpoint, fingerprint: plan.fingerprint });
      }

      const runtime = new ProjectionRuntime({
        store: log,
        targets: { ...opened },
        runner: TEST_RUNNER,
        logger: silentLogger,
      });
      await runtime.start(plans());
      try {
        const appended = await log.append(
          'order-3',
          [
            { type: 'OrderPlaced', data: { orderId: '3', customerId: 'c-3' } },
            { type: 'ItemAdded', data: { orderId: '3', productId: 'p-1', qty: 1, price: 4 } },
          ],
          'any',
        );
        await untilVisible(log, appended.position);
        for (const plan of plans()) {
          await runtime.waitForCheckpoint(plan.name, appended.position);
          const status = runtime.status(plan.name);
          expect(status.rebuild).toBeNull();
          expect(status.live).toMatchObject({
            generation: 1,
            fingerprint: before.get(plan.name)?.fingerprint,
          });
          expect(
            (await targetOf(opened, plan.name).listGenerations(plan.name)).map((g) => g.generation),
          ).toEqual([1]);
        }
      } finally {
        await runtime.stop();
      }

      // The new order is in each view, beside the ones the older Prism wrote.
      const summary = await opened.postgres.readActive(orderSummaryPlan().target);
      expect(summary.map((row) => [row.order_id, row.status, row.total])).toEqual([
        ['1', 'shipped', 10],
        ['2', 'placed', 10],
        ['3', 'placed', 4],
      ]);
      const search = await opened.elasticsearch.readActive(orderSearchPlan(1).target);
      expect(search.map((doc) => doc.order_id)).toEqual(['1', '2', '3']);
      const graphView = { projection: names.graph, generation: 1, shape: orderGraphShape(1) };
      const orders = (await opened.neo4j.scan(graphView, { limit: 1000 })).filter((e) =>
        e.key.startsWith('node:Order:'),
      );
      expect(orders.map((entry) => entry.document.key ?? entry.key)).toHaveLength(3);

      // The upgraded checkpoints fence: a lease holder raises the fence, a lower epoch is refused.
      for (const plan of plans()) {
        const target = targetOf(opened, plan.name);
        const view = { projection: plan.name, generation: 1, shape: plan.target };
        const at = (await target.readCheckpoint(view))!;
        const fencing = (fence: bigint) =>
          target.commit(view, { operations: [], checkpoint: { from: at, to: at }, fence });
        expect(await fencing(1n)).toEqual({ kind: 'committed', checkpoint: at });
        expect(await fencing(0n)).toEqual({ kind: 'fenced', fence: 1n });
      }
      await closeAll();
      await closeAll();
    });

    it('records the schema version, and an older Prism refuses data of a newer one', async () => {
      const pg = new Client({ connectionString: database.url });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          `SELECT component, version FROM "${names.pgSchema}".prism_schema_version`,
        );
        expect(rows).toEqual([{ component: 'bookkeeping', version: 2 }]);
        await pg.query(`UPDATE "${names.pgSchema}".prism_schema_version SET version = 99`);
      } finally {
        await pg.end();
      }
      await es.index({
        index: `${names.esPrefix}meta`,
        id: 'schema|bookkeeping',
        document: { kind: 'schema', body: { version: 99 } },
        refresh: true,
      });
      await driver.executeQuery(`MATCH (s:\`${names.neo4jPrefix}Schema\`) SET s.version = 99`);

      const refused = await Promise.allSettled([
        RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: names.pgSchema }),
        ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix: names.esPrefix }),
        Neo4jTarget.connect({ url: urls.neo4j, bookkeepingPrefix: names.neo4jPrefix }),
      ]);
      for (const attempt of refused) {
        expect(attempt.status).toBe('rejected');
        const reason = (attempt as PromiseRejectedResult).reason as Error;
        expect(reason).toBeInstanceOf(BookkeepingSchemaTooNewError);
        expect(reason.message).toMatch(
          /schema version 99, written by a newer Prism; this Prism knows versions up to 2/,
        );
      }
    });

    it('lets concurrent initializers of fresh bookkeeping agree on one version', async () => {
      const fresh = upgradeNames(uniqueTestName('upg'));
      const opened = await Promise.allSettled([
        ...[1, 2, 3].map(() =>
          RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: fresh.pgSchema }),
        ),
        ...[1, 2].map(() => ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix: fresh.esPrefix })),
        ...[1, 2].map(() => Neo4jTarget.connect({ url: urls.neo4j, bookkeepingPrefix: fresh.neo4jPrefix })),
      ]);
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
      const version = await es.get<{ body: { version: number } }>({
        index: `${fresh.esPrefix}meta`,
        id: 'schema|bookkeeping',
      });
      expect(version._source?.body.version).toBe(2);
      const nodes = await driver.executeQuery(
        `MATCH (s:\`${fresh.neo4jPrefix}Schema\`) RETURN s.version AS version`,
      );
      expect(nodes.records.map((r) => Number(r.get('version')))).toEqual([2]);
      await deleteIndicesWithPrefix(es, fresh.esPrefix);
      await cleanUp(driver, bookkeepingLabels(fresh.neo4jPrefix), []);
    });
  },
);
