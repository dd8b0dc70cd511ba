/**
 * Lookups (correlation state, issue #16) through the runtime on the real stores: customer_stats on
 * PostgreSQL and customer_products (Buyer-BOUGHT->Item) on Neo4j, each fed the reference workload
 * (OrderShipped, OrderCancelled and ItemAdded carry no customerId), must equal the in-memory run `prism
 * test` uses, after a crash between batches (a store that keeps failing, then a new process), and after a
 * rebuild, which starts its lookups empty and drops the old generation's with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import neo4j, { type Driver } from 'neo4j-driver';
import { interleaved } from '../../bench/workload';
import type { StoredLookups } from '../../src/core/lookups';
import type { CompiledProjection } from '../../src/core/plan';
import { verifyProjection } from '../../src/admin/checks/verify-projection';
import { compileYamlDefinition, recompileDefinition } from '../../src/dsl';
import type { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../src/stores/elasticsearch/elasticsearch.target';
import { runProjection } from '../../src/stores/memory/run-projection';
import { type MemoryGraphView, type MemoryDocumentView } from '../../src/stores/memory/memory.view';
import { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import { cleanUp, snapshot } from '../../src/stores/neo4j/neo4j-test-support';
import type { Neo4jTargetShape } from '../../src/stores/neo4j/neo4j-view-shape';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import { isRelationalShape } from '../../src/stores/relational/relational-view-shape';
import type { Target, ViewRef } from '../../src/stores/target.port';
import { REPO_ROOT } from '../stores/store-endpoints';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { InMemoryEventStore } from './support/in-memory-event-store';
import { byKey, connectionReset, FaultyTarget, waitFor, runRuntimeUntil } from './support/runtime-harness';

const ORDERS = 120;

function example(
  file: string,
  name: string,
  version = 1,
  edit: (text: string) => string = (text) => text,
): CompiledProjection {
  const text = edit(readFileSync(path.join(REPO_ROOT, 'projections', `${file}.yaml`), 'utf8'));
  return compileYamlDefinition(
    text.replace(/^name: .*$/m, `name: ${name}`).replace(/^version: .*$/m, `version: ${version}`),
    `${file}.yaml`,
  );
}

/** The reference workload's orders, interleaved, as appends. */
const APPENDS = [...interleaved(ORDERS, 42, 20)];

/** Appends the first (`half` 1) or the second (`half` 2) half of the workload. */
async function workload(store: InMemoryEventStore, half: 1 | 2): Promise<void> {
  const middle = Math.floor(APPENDS.length / 2);
  const part = half === 1 ? APPENDS.slice(0, middle) : APPENDS.slice(middle);
  for (const { streamId, events } of part) await store.append(streamId, events, 'any');
}

/** The in-memory run: what `prism test` computes (view and lookups). */
function inMemory(plan: CompiledProjection, store: InMemoryEventStore) {
  const lookups = new Map<string, Map<string, unknown>>();
  const view = runProjection(plan, store.events, undefined, lookups as never);
  return { view, lookups };
}

function plainLookups(stored: StoredLookups): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...stored]
      .filter(([, entries]) => entries.size > 0)
      .map(([lookup, entries]) => [
        lookup,
        Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, e]) => [k, e.value])),
      ]),
  );
}

function plainMemoryLookups(
  lookups: Map<string, Map<string, unknown>>,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...lookups].map(([lookup, entries]) => [
      lookup,
      Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1))),
    ]),
  );
}

async function run(
  store: InMemoryEventStore,
  target: Target,
  kind: string,
  plans: readonly CompiledProjection[],
  until: (runtime: ProjectionRuntime) => Promise<void>,
): Promise<void> {
  return runRuntimeUntil(store, { [kind]: target }, plans, until);
}

/** Fails every commit after `allowed` of them (a store that is gone), until the process stops. */
function failingAfter(target: Target, allowed: number): FaultyTarget {
  const faulty = new FaultyTarget(target);
  let committed = 0;
  faulty.beforeCommit = () => {
    if (committed >= allowed) throw connectionReset();
    committed += 1;
  };
  return faulty;
}

describeWithStores(['postgres'], 'lookups on PostgreSQL: customer_stats', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let target: RelationalTarget;
  beforeAll(async () => {
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url });
  });
  afterAll(async () => target?.close());

  it('equals the in-memory run after a crash between batches, and after a rebuild that drops the old lookups', async () => {
    const name = uniqueTestName('customer_stats');
    const plan = example('customer-stats', name);
    const shape = plan.target;
    if (!isRelationalShape(shape)) throw new Error('customer_stats is relational');
    const store = new InMemoryEventStore();
    await workload(store, 1);
    const view = (generation: number): ViewRef => ({ projection: name, generation, shape });

    // A process whose store fails after three batches: whatever it committed is whole batches.
    const flaky = failingAfter(target, 3);
    await run(store, flaky, 'postgres', [plan], async (runtime) => {
      await waitFor(() => {
        const status = runtime.status(name);
        return (status.live ?? status.rebuild)?.lastError != null;
      }, 'the store to fail');
    });
    const crashedAt = (await target.readCheckpoint(view(1)))!;
    expect(crashedAt).toBeGreaterThan(0n);
    expect(crashedAt).toBeLessThan(store.events.at(-1)!.position);

    // A new process resumes from the checkpoint; the other half of the orders arrives meanwhile.
    await workload(store, 2);
    await run(store, target, 'postgres', [plan], (runtime) =>
      runtime.waitForCheckpoint(name, store.events.at(-1)!.position),
    );
    const expected = inMemory(plan, store);
    const documents = byKey(
      (expected.view as MemoryDocumentView).entries().map(([, d]) => d),
      'customer_id',
    );
    expect(documents.length).toBeGreaterThan(10);
    expect(byKey(await target.readActive(shape), 'customer_id')).toEqual(documents);
    expect(plainLookups(await target.scanLookups(view(1)))).toEqual(plainMemoryLookups(expected.lookups));
    expect(await target.listParked(view(1))).toEqual([]);

    // A rebuild (version 2) fills generation 2's own lookups from the log, swaps, and drops generation 1's.
    const rebuilt = example('customer-stats', name, 2);
    await run(store, target, 'postgres', [rebuilt], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
      await waitFor(async () => (await target.listGenerations(name)).length === 1, 'generation 1 dropped');
    });
    expect(byKey(await target.readActive(shape), 'customer_id')).toEqual(documents);
    expect(plainLookups(await target.scanLookups(view(2)))).toEqual(plainMemoryLookups(expected.lookups));
    // verify compares the lookups too: equal, then one entry changed behind Prism's back is reported
    const deps = { store, target, catalogPlan: rebuilt, recompile: recompileDefinition };
    const clean = await verifyProjection(deps, name);
    expect(clean.total).toBe(0);
    expect(clean.lookupEntries).toBe(
      Object.values(plainMemoryLookups(expected.lookups)).reduce((n, e) => n + Object.keys(e).length, 0),
    );
    const [orderId, customerId] = Object.entries(plainMemoryLookups(expected.lookups).order_customer!)[0]!;
    await target.readRows({
      sql: `UPDATE ${shape.table}__g2__lk SET value = $1 WHERE lookup = 'order_customer' AND key = $2`,
      params: [JSON.stringify({ v: 'someone-else' }), orderId],
    });
    const tampered = await verifyProjection(deps, name);
    expect(tampered.counts).toEqual({ onlyLive: 0, onlyRebuilt: 0, different: 1 });
    expect(tampered.differences).toMatchObject([
      {
        key: `lookup:order_customer:${JSON.stringify(orderId)}`,
        fields: [{ field: 'value', live: 'someone-else', rebuilt: customerId }],
      },
    ]);

    const exists = async (table: string) =>
      (await target.readRows(target.dialect.relationKind(`${shape.table}${table}`))).length > 0;
    expect(await exists('__g2__lk')).toBe(true);
    expect(await exists('__g1__lk')).toBe(false);
    expect(await exists('__g1')).toBe(false);
  });
});

describeWithStores(['neo4j'], 'lookups on Neo4j: Buyer-BOUGHT->Item', (urls) => {
  const prefix = `PrismL${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  const name = uniqueTestName('customer_products');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(async () => {
    driver = neo4j.driver(urls.neo4j);
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
  });
  afterAll(async () => {
    const shape = example('customer-products', name).target as Neo4jTargetShape;
    await cleanUp(driver, target.labels, [{ projection: name, generations: [1, 2], shape }]);
    await driver.close();
  });

  it('equals the in-memory run after a crash between batches, and after a rebuild that drops the old lookups', async () => {
    const plan = example('customer-products', name);
    const shape = plan.target as Neo4jTargetShape;
    const store = new InMemoryEventStore();
    await workload(store, 1);
    const view = (generation: number): ViewRef => ({ projection: name, generation, shape });

    const flaky = failingAfter(target, 2);
    await run(store, flaky, 'neo4j', [plan], async (runtime) => {
      await waitFor(() => {
        const status = runtime.status(name);
        return (status.live ?? status.rebuild)?.lastError != null;
      }, 'the store to fail');
    });
    const crashedAt = (await target.readCheckpoint(view(1)))!;
    expect(crashedAt).toBeGreaterThan(0n);
    expect(crashedAt).toBeLessThan(store.events.at(-1)!.position);

    await workload(store, 2);
    const head = await store.headPosition({ eventTypes: plan.source.eventTypes });
    await run(store, target, 'neo4j', [plan], (runtime) => runtime.waitForCheckpoint(name, head));
    const expected = inMemory(plan, store);
    const graph = expected.view as MemoryGraphView;
    const bought = graph
      .allRelationships()
      .map((r) => `Buyer:${r.from.key} -> Item:${r.to.key} ${r.properties.lastOrderId as string}`);
    expect(bought.length).toBeGreaterThan(100);
    const lines = (snap: { relationships: string[] }) =>
      snap.relationships
        .map((line) => line.replace(/ -BOUGHT \{"lastOrderId":"([^"]+)"\}-> (.*)$/, ' -> $2 $1'))
        .sort();
    expect(lines(await snapshot(driver, shape, name, 1))).toEqual(bought.sort());
    expect(plainLookups(await target.scanLookups(view(1)))).toEqual(plainMemoryLookups(expected.lookups));

    const rebuilt = example('customer-products', name, 2);
    await run(store, target, 'neo4j', [rebuilt], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
      await waitFor(async () => (await target.listGenerations(name)).length === 1, 'generation 1 dropped');
    });
    expect(lines(await snapshot(driver, shape, name, 2))).toEqual(bought.sort());
    expect(plainLookups(await target.scanLookups(view(2)))).toEqual(plainMemoryLookups(expected.lookups));
    expect(plainLookups(await target.scanLookups(view(1)))).toEqual({});
    const verified = await verifyProjection(
      { store, target, catalogPlan: rebuilt, recompile: recompileDefinition },
      name,
    );
    expect(verified.total).toBe(0);
    expect(verified.lookupEntries).toBe(
      Object.keys(plainMemoryLookups(expected.lookups).order_customer!).length,
    );
  });
});

/** customer_stats as a search view: the same handlers and lookups, an Elasticsearch target. */
const asSearchView = (text: string) =>
  text.replace(
    /^target:\n(?: {2}.*\n)+/m,
    [
      'target:',
      '  kind: elasticsearch',
      '  index: customer_stats',
      '  id: customer_id',
      '  fields:',
      '    customer_id: { type: keyword }',
      '    orders_placed: { type: integer }',
      '    orders_shipped: { type: integer }',
      '    orders_cancelled: { type: integer }',
      '    total_spent: { type: long }',
      '',
    ].join('\n'),
  );

describeWithStores(['elasticsearch'], 'lookups on Elasticsearch: customer_stats as a search view', (urls) => {
  const prefix = `${uniqueTestName('es_lookups')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  afterAll(async () => {
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  it('equals the in-memory run after a crash between batches, and after a rebuild that drops the old lookups', async () => {
    const name = uniqueTestName('customer_stats');
    const plan = example('customer-stats', name, 1, asSearchView);
    const shape = plan.target;
    const target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    try {
      const store = new InMemoryEventStore();
      await workload(store, 1);
      const view = (generation: number): ViewRef => ({ projection: name, generation, shape });

      await run(store, failingAfter(target, 3), 'elasticsearch', [plan], async (runtime) => {
        await waitFor(() => {
          const status = runtime.status(name);
          return (status.live ?? status.rebuild)?.lastError != null;
        }, 'the store to fail');
      });
      const crashedAt = (await target.readCheckpoint(view(1)))!;
      expect(crashedAt).toBeGreaterThan(0n);

      await workload(store, 2);
      await run(store, target, 'elasticsearch', [plan], (runtime) =>
        runtime.waitForCheckpoint(name, store.events.at(-1)!.position),
      );
      const expected = inMemory(plan, store);
      const documents = byKey(
        (expected.view as MemoryDocumentView).entries().map(([, d]) => d),
        'customer_id',
      );
      expect(byKey(await target.readActive(shape), 'customer_id')).toEqual(documents);
      expect(plainLookups(await target.scanLookups(view(1)))).toEqual(plainMemoryLookups(expected.lookups));

      const rebuilt = example('customer-stats', name, 2, asSearchView);
      await run(store, target, 'elasticsearch', [rebuilt], async (runtime) => {
        await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
        await waitFor(async () => (await target.listGenerations(name)).length === 1, 'generation 1 dropped');
      });
      expect(byKey(await target.readActive(shape), 'customer_id')).toEqual(documents);
      expect(plainLookups(await target.scanLookups(view(2)))).toEqual(plainMemoryLookups(expected.lookups));
      expect(await admin.indices.exists({ index: `${prefix}${name}-g1-lookups` })).toBe(false);
      const verified = await verifyProjection(
        { store, target, catalogPlan: rebuilt, recompile: recompileDefinition },
        name,
      );
      expect(verified.total).toBe(0);
      expect(verified.lookupEntries).toBeGreaterThan(100);
    } finally {
      await target.close();
    }
  });
});
