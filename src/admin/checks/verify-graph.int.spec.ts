/**
 * Streaming verify of a graph view (issue #17) on a real Neo4j, with the event log in PostgreSQL: the
 * rebuilt graph is spilled to a temporary file (a cache of 10 entries here, so nearly all of it is), the
 * live graph is scanned page by page, and verify still finds a node changed behind Prism's back, a
 * relationship removed and extra nodes (one with a key of another type); settle rounds read only the
 * suspects by key, never the whole graph again; an abort during the scan removes the file.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../../test/support/stores';
import type { CompiledProjection } from '../../core/plan';
import { compileYamlDefinition, definitionModelOf, recompileDefinition } from '../../dsl';
import { createEventStore } from '../../eventstore/event-store.factory';
import type { EventStore } from '../../eventstore/event-store.port';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import type { Neo4jTargetShape } from '../../stores/neo4j/neo4j-view-shape';
import { physicalName } from '../../stores/neo4j/neo4j-names';
import { cleanUp } from '../../stores/neo4j/neo4j-test-support';
import { Neo4jTarget } from '../../stores/neo4j/neo4j.target';
import type { Target } from '../../stores/target.port';
import { VerifyCancelledError } from './checks.errors';
import { verifyProjection, type VerifyDependencies, type VerifyProgress } from './verify-projection';

const ORDERS = 300;

describeWithStores(['postgres', 'neo4j'], 'streaming verify of a graph on Neo4j', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const prefix = `PrismVG${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  let store: EventStore;
  let target: Neo4jTarget;
  let runtime: ProjectionRuntime;
  let plan: CompiledProjection;
  let driver: Driver;
  let head = 0n;
  /** Entries the graph holds: customers, products (one a placeholder), orders left, their relationships. */
  let entries = 0;

  beforeAll(async () => {
    store = await createEventStore({ kind: 'postgres', url: database.url });
    driver = neo4j.driver(urls.neo4j);
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
    const yaml = readFileSync(path.join(__dirname, '../../../projections/purchase-graph.yaml'), 'utf8');
    plan = compileYamlDefinition(
      yaml.replace(/^name: .*$/m, `name: ${uniqueTestName('verify_graph')}`),
      'purchase-graph.yaml',
    );
    runtime = new ProjectionRuntime({
      store,
      targets: { neo4j: target },
      recompile: (model) => recompileDefinition(model),
      definitionOf: definitionModelOf,
      runner: { batchSize: 200, maxBatchLatencyMs: 5, headPollMs: 20 },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await runtime.start([plan]);
    for (let c = 0; c < 10; c++)
      await store.append(
        `customer-c${c}`,
        [{ type: 'CustomerRegistered', data: { customerId: `c${c}`, name: `N${c}` } }],
        'any',
      );
    for (let p = 0; p < 20; p++)
      await store.append(
        `product-p${p}`,
        [{ type: 'ProductListed', data: { productId: `p${p}`, title: `T${p}`, category: 'x' } }],
        'any',
      );
    let cancelled = 0;
    for (let i = 1; i <= ORDERS; i++) {
      const orderId = `o${String(i).padStart(4, '0')}`;
      const cancel = i % 7 === 0;
      if (cancel) cancelled += 1;
      head = (
        await store.append(
          `order-${orderId}`,
          [
            {
              type: 'OrderPlaced',
              data: { orderId, customerId: `c${i % 10}`, placedAt: '2024-05-01T10:00:00.000Z' },
            },
            { type: 'ItemAdded', data: { orderId, productId: `p${i % 20}`, qty: 1 } },
            // p99 is never listed: a placeholder node
            { type: 'ItemAdded', data: { orderId, productId: i === 5 ? 'p99' : `p${(i + 3) % 20}`, qty: 2 } },
            ...(cancel ? [{ type: 'OrderCancelled', data: { orderId } }] : []),
          ],
          'any',
        )
      ).position;
    }
    // nodes: 10 customers, 21 products, orders left; relationships: PLACED and two CONTAINS per order left
    entries = 10 + 21 + (ORDERS - cancelled) * 4;
    await runtime.waitForCheckpoint(plan.name, head, 60_000);
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    await cleanUp(driver, target.labels, [
      { projection: plan.name, generations: [1], shape: plan.target as Neo4jTargetShape },
    ]);
    await target?.close();
    await driver?.close();
    await store?.close();
  });

  /** The target, counting the live reads verify makes. */
  const calls = { scan: 0, readEntries: [] as string[][] };
  const deps = (): VerifyDependencies => {
    const counting = new Proxy(target, {
      get(object, property, receiver) {
        if (property === 'scan') calls.scan += 1;
        if (property === 'readEntries')
          return (view: Parameters<Target['scan']>[0], keys: readonly string[]) => {
            calls.readEntries.push([...keys]);
            return target.readEntries(view, keys);
          };
        const value: unknown = Reflect.get(object, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      },
    });
    return { store, target: counting, catalogPlan: plan, recompile: (model) => recompileDefinition(model) };
  };
  // A directory of this file's own: other verifications may run beside it and spill into the OS's.
  const spillDirectory = mkdtempSync(path.join(tmpdir(), 'prism-test-spill-'));
  afterAll(() => rmSync(spillDirectory, { recursive: true, force: true }));
  const spillFolders = () => readdirSync(spillDirectory);
  const label = (name: string) => `\`${physicalName(name, plan.name, 1)}\``;

  it('compares the live graph page by page with the spilled rebuild: no difference, progress per page', async () => {
    const before = new Set(spillFolders());
    const progress: VerifyProgress[] = [];
    let spilling: string[] = [];
    calls.scan = 0;
    const report = await verifyProjection(deps(), plan.name, {
      spillDirectory,
      pageSize: 50,
      rebuiltCacheSize: 10,
      onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'scanning') spilling = spillFolders().filter((name) => !before.has(name));
      },
    });
    // the rebuild was in its file while the live graph was scanned
    expect(spilling).toHaveLength(1);
    expect(report.total).toBe(0);
    expect(report.liveEntries).toBe(entries);
    expect(report.rebuiltEntries).toBe(entries);
    expect(report.rounds).toBe(0);
    // one scan of the live graph, a page of 50 at a time
    expect(calls.scan).toBe(Math.floor(entries / 50) + 1);
    const scanned = progress.filter((p) => p.phase === 'scanning').map((p) => p.scanned);
    expect(scanned).toEqual(expect.arrayContaining([50, 100, entries]));
    expect(spillFolders().filter((name) => !before.has(name))).toEqual([]);
  });

  it('finds a node changed behind its back, a relationship removed and extra nodes, re-reading only those', async () => {
    await driver.executeQuery(`MATCH (p:${label('Product')} {productId: 'p3'}) SET p.title = 'changed'`);
    await driver.executeQuery(
      `MATCH (:${label('Order')} {orderId: 'o0010'})-[r:${label('CONTAINS')}]->(:${label('Product')} {productId: 'p10'}) DELETE r`,
    );
    await driver.executeQuery(`CREATE (:${label('Customer')} {customerId: 'intruder', name: 'X'})`);
    // a key of another type than the label's (a number): listed after the strings by the scan
    await driver.executeQuery(`CREATE (:${label('Product')} {productId: 42, title: 'number'})`);
    calls.scan = 0;
    calls.readEntries = [];
    try {
      const report = await verifyProjection(deps(), plan.name, { pageSize: 50, rebuiltCacheSize: 10 });
      expect(report.counts).toEqual({ onlyLive: 2, onlyRebuilt: 1, different: 1 });
      expect(report.differences.map((d) => [d.kind, d.key])).toEqual([
        ['only-live', 'node:Customer:"intruder"'],
        ['different', 'node:Product:"p3"'],
        ['only-live', 'node:Product:42'],
        ['only-rebuilt', 'rel:CONTAINS:["o0010","p10"]'],
      ]);
      expect(report.differences[1]!.fields).toEqual([{ field: 'title', live: 'changed', rebuilt: 'T3' }]);
      expect(report.differences[3]!.rebuilt).toEqual({ qty: 1 });
      expect(report.liveEntries).toBe(entries + 1);
      expect(report.settled).toBe(true);
      // settling read the four suspects by key, not the graph again
      expect(calls.scan).toBe(Math.floor((entries + 1) / 50) + 1);
      expect(calls.readEntries.flat().sort()).toEqual(report.differences.map((d) => d.key).sort());
    } finally {
      await driver.executeQuery(`MATCH (p:${label('Product')} {productId: 'p3'}) SET p.title = 'T3'`);
      await driver.executeQuery(
        `MATCH (o:${label('Order')} {orderId: 'o0010'}), (p:${label('Product')} {productId: 'p10'}) CREATE (o)-[:${label('CONTAINS')} {qty: 1}]->(p)`,
      );
      await driver.executeQuery(`MATCH (n:${label('Customer')} {customerId: 'intruder'}) DELETE n`);
      await driver.executeQuery(`MATCH (n:${label('Product')} {productId: 42}) DELETE n`);
    }
  });

  it('stops during the scan when aborted, and removes its spilled file', async () => {
    const before = new Set(spillFolders());
    const cancel = new AbortController();
    const progress: VerifyProgress[] = [];
    const error = await verifyProjection(deps(), plan.name, {
      spillDirectory,
      pageSize: 50,
      rebuiltCacheSize: 10,
      signal: cancel.signal,
      onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'scanning') cancel.abort(new Error('the HTTP caller disconnected'));
      },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(VerifyCancelledError);
    expect(progress.filter((p) => p.phase === 'scanning').map((p) => p.scanned)).toEqual([50]);
    expect(spillFolders().filter((name) => !before.has(name))).toEqual([]);
  });
});
