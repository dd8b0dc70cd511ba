/** Neo4jTarget.scan on a real Neo4j: nodes then relationships, in key order, across page boundaries. */
import neo4j, { type Driver } from 'neo4j-driver';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import type { Neo4jTargetShape } from './neo4j-view-shape';
import type { ScannedDocument, ViewRef } from '../target.port';
import { Neo4jTarget } from './neo4j.target';
import { physicalName } from './neo4j-names';
import { cleanUp, EventLog, exampleProjection, operationsOf } from './neo4j-test-support';

describeWithStores(['neo4j'], 'Neo4j target scan', (urls) => {
  const prefix = `PrismS${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  const plan = exampleProjection('purchase-graph', uniqueTestName('scan'));
  const shape = plan.target as Neo4jTargetShape;
  const view: ViewRef = { projection: plan.name, generation: 1, shape };
  let driver: Driver;
  let target: Neo4jTarget;

  beforeAll(async () => {
    driver = neo4j.driver(urls.neo4j);
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
    await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: null });
    const log = new EventLog();
    log.add('CustomerRegistered', 'customer-c2', { customerId: 'c2', name: 'Bo' });
    log.add('CustomerRegistered', 'customer-c1', { customerId: 'c1', name: 'Al' });
    log.add('ProductListed', 'product-p1', { productId: 'p1', title: 'Lamp', category: 'home' });
    for (const [order, customer] of [
      ['o3', 'c1'],
      ['o1', 'c2'],
      ['o2', 'c1'],
    ] as const) {
      log.add('OrderPlaced', `order-${order}`, {
        orderId: order,
        customerId: customer,
        placedAt: '2024-05-01T10:00:00.000Z',
      });
      log.add('ItemAdded', `order-${order}`, { orderId: order, productId: 'p1', qty: 2 });
    }
    // p9 exists only as the end of a relationship: a placeholder node, listed with its key only.
    log.add('ItemAdded', 'order-o2', { orderId: 'o2', productId: 'p9', qty: 1 });
    await target.commit(view, {
      operations: operationsOf(plan, log.events),
      checkpoint: { from: 0n, to: BigInt(log.events.length) },
    });
  });
  afterAll(async () => {
    await cleanUp(driver, target.labels, [{ projection: plan.name, generations: [1], shape }]);
    await driver.close();
  });

  it('lists nodes by label and key, then relationships by type and ends, page after page', async () => {
    const all: ScannedDocument[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await target.scan(view, { after, limit: 3 });
      all.push(...page);
      if (page.length < 3) break;
      after = page[page.length - 1]!.key;
    }
    expect(all.map((entry) => entry.key)).toEqual([
      'node:Customer:"c1"',
      'node:Customer:"c2"',
      'node:Order:"o1"',
      'node:Order:"o2"',
      'node:Order:"o3"',
      'node:Product:"p1"',
      'node:Product:"p9"',
      'rel:CONTAINS:["o1","p1"]',
      'rel:CONTAINS:["o2","p1"]',
      'rel:CONTAINS:["o2","p9"]',
      'rel:CONTAINS:["o3","p1"]',
      'rel:PLACED:["c1","o2"]',
      'rel:PLACED:["c1","o3"]',
      'rel:PLACED:["c2","o1"]',
    ]);
    const byKey = new Map(all.map((entry) => [entry.key, entry.document]));
    expect(byKey.get('node:Customer:"c1"')).toEqual({ customerId: 'c1', name: 'Al' });
    // datetime comes back as ISO-8601, integers as numbers, the placeholder mark is hidden
    expect(byKey.get('node:Order:"o1"')).toEqual({ orderId: 'o1', placedAt: '2024-05-01T10:00:00.000Z' });
    expect(byKey.get('node:Product:"p9"')).toEqual({ productId: 'p9' });
    expect(byKey.get('rel:CONTAINS:["o2","p1"]')).toEqual({ qty: 2 });
    expect(await target.scan(view, { after: 'rel:PLACED:["c2","o1"]', limit: 3 })).toEqual([]);
  });

  it('lists keys of another type written behind its back after the strings, numbers by value (issue #17)', async () => {
    // A range seek matches one type only, so the scan reads strings, then numbers: as ORDER BY sorts them.
    const product = physicalName('Product', plan.name, 1);
    const contains = physicalName('CONTAINS', plan.name, 1);
    const order = physicalName('Order', plan.name, 1);
    await driver.executeQuery(
      `UNWIND [7, 2.5, -1] AS k CREATE (p:\`${product}\` {productId: k}) ` +
        `WITH p MATCH (o:\`${order}\` {orderId: 'o1'}) CREATE (o)-[:\`${contains}\` {qty: 1}]->(p)`,
    );
    const all: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await target.scan(view, { after, limit: 2 });
      all.push(...page.map((entry) => entry.key));
      if (page.length < 2) break;
      after = page[page.length - 1]!.key;
    }
    expect(all.filter((key) => key.startsWith('node:Product') || key.startsWith('rel:CONTAINS'))).toEqual([
      'node:Product:"p1"',
      'node:Product:"p9"',
      'node:Product:-1',
      'node:Product:2.5',
      'node:Product:7',
      'rel:CONTAINS:["o1","p1"]',
      'rel:CONTAINS:["o1",-1]',
      'rel:CONTAINS:["o1",2.5]',
      'rel:CONTAINS:["o1",7]',
      'rel:CONTAINS:["o2","p1"]',
      'rel:CONTAINS:["o2","p9"]',
      'rel:CONTAINS:["o3","p1"]',
    ]);
    expect(all).toHaveLength(14 + 6);
  });
});
