/** The graph query API in a small Nest app, over HTTP, against real Neo4j and the Neo4j target. */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import neo4j, { type Driver } from 'neo4j-driver';
import request from 'supertest';
import { describeWithStores, uniqueTestName } from '../../../../test/support/stores';
import type { CompiledProjection, NamedQuery } from '../../../core/plan';
import type { Neo4jTargetShape } from '../neo4j-view-shape';
import { Neo4jTarget } from '../neo4j.target';
import { cleanUp, EventLog, exampleProjection, operationsOf } from '../neo4j-test-support';
import type { ViewRef } from '../../target.port';
import { GraphQueryModule } from './graph-query.module';
import { GraphQueryService } from './graph-query.service';

const query = (name: string, body: string, parameters: NamedQuery['parameters'] = {}): NamedQuery => ({
  name,
  body,
  parameters,
});

describeWithStores(['neo4j'], 'graph query API', (urls) => {
  const prefix = `PrismQ${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  let driver: Driver;
  let target: Neo4jTarget;
  let app: INestApplication;
  let purchase: CompiledProjection;
  let social: CompiledProjection;
  const extraQueries: Record<string, NamedQuery> = {
    orderPath: query(
      'orderPath',
      `MATCH p = (c:Customer)-[:PLACED]->(o:Order {orderId: $orderId})
       RETURN c, o.placedAt AS placedAt, p, labels(o) AS labels, 'Customer:PLACED' AS text, $big AS big`,
      {
        orderId: { type: 'string', required: true },
        big: { type: 'integer', required: false },
      },
    ),
    items: query('items', 'MATCH (:Order {orderId: $orderId})-[r:CONTAINS]->() RETURN r ORDER BY r.qty', {
      orderId: { type: 'string', required: true },
    }),
    steps: query('steps', 'UNWIND range(1, 5, $step) AS i RETURN i', {
      step: { type: 'integer', required: true },
    }),
    page: query('page', 'MATCH (c:Customer) RETURN c.customerId AS id ORDER BY id SKIP $skip LIMIT $take', {
      skip: { type: 'integer', required: false, default: 0 },
      take: { type: 'integer', required: false, default: 10 },
    }),
    allCustomers: query('allCustomers', 'MATCH (c:Customer) RETURN c.customerId AS id ORDER BY id'),
    allProducts: query('allProducts', 'MATCH (p:Product) RETURN p.productId AS id ORDER BY id'),
    names: query(
      'names',
      'MATCH (c:Customer) WHERE c.name STARTS WITH $prefix AND $flag AND $ratio > 0.5 RETURN count(c) AS n',
      {
        prefix: { type: 'string', required: true },
        flag: { type: 'boolean', required: true },
        ratio: { type: 'float', required: true },
      },
    ),
  };
  const ref = (plan: CompiledProjection, generation = 1): ViewRef => ({
    projection: plan.name,
    generation,
    shape: plan.target,
  });
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    driver = neo4j.driver(urls.neo4j);
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
    purchase = exampleProjection('purchase-graph', uniqueTestName('qpurchase'));
    social = exampleProjection('social-graph', uniqueTestName('qsocial'));
    for (const plan of [purchase, social]) {
      await target.prepare({ ...ref(plan), fingerprint: plan.fingerprint, definition: null });
    }
    const log = new EventLog();
    log.add('CustomerRegistered', 'customer-c1', {
      customerId: 'c1',
      name: 'Ada',
      email: '',
      city: 'London',
    });
    log.add('CustomerRegistered', 'customer-c2', { customerId: 'c2', name: 'Bob', email: '', city: 'Paris' });
    log.add('ProductListed', 'product-p1', {
      productId: 'p1',
      title: 'Cup',
      description: '',
      category: 'k',
      price: 1,
      tags: [],
    });
    log.add('ProductListed', 'product-p2', {
      productId: 'p2',
      title: 'Pot',
      description: '',
      category: 'k',
      price: 1,
      tags: [],
    });
    log.add('ProductListed', 'product-p3', {
      productId: 'p3',
      title: 'Pan',
      description: '',
      category: 'k',
      price: 1,
      tags: [],
    });
    log.add('OrderPlaced', 'order-o1', { orderId: 'o1', customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' });
    log.add('ItemAdded', 'order-o1', { orderId: 'o1', productId: 'p1', qty: 2, price: 1 });
    log.add('ItemAdded', 'order-o1', { orderId: 'o1', productId: 'p2', qty: 1, price: 1 });
    log.add('OrderPlaced', 'order-o2', { orderId: 'o2', customerId: 'c2', placedAt: '2024-03-02T10:00:00Z' });
    log.add('ItemAdded', 'order-o2', { orderId: 'o2', productId: 'p1', qty: 1, price: 1 });
    log.add('ItemAdded', 'order-o2', { orderId: 'o2', productId: 'p3', qty: 1, price: 1 });
    log.add('OrderPlaced', 'order-o3', { orderId: 'o3', customerId: 'c2', placedAt: '2024-03-03T10:00:00Z' });
    log.add('ItemAdded', 'order-o3', { orderId: 'o3', productId: 'p2', qty: 4, price: 1 });
    await target.commit(ref(purchase), {
      operations: operationsOf(purchase, log.events),
      checkpoint: { from: 0n, to: 13n },
    });
    await target.activate(ref(purchase));

    const follows = new EventLog();
    for (const id of ['a', 'b', 'c', 'd'])
      follows.add('CustomerRegistered', `customer-${id}`, {
        customerId: id,
        name: id.toUpperCase(),
        email: '',
        city: 'X',
      });
    for (const [from, to] of [
      ['a', 'b'],
      ['b', 'c'],
      ['b', 'd'],
      ['a', 'd'],
      ['c', 'b'],
    ]) {
      follows.add('CustomerFollowed', `customer-${from}`, { customerId: from!, followedCustomerId: to! });
    }
    await target.commit(ref(social), {
      operations: operationsOf(social, follows.events),
      checkpoint: { from: 0n, to: 9n },
    });
    await target.activate(ref(social));

    const views = new Map([
      [purchase.name, { projection: purchase.name, queries: { ...purchase.queries, ...extraQueries } }],
      [social.name, { projection: social.name, queries: social.queries }],
    ]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        GraphQueryModule.forRoot({
          driver,
          registry: { get: (name) => views.get(name) },
          bookkeepingPrefix: prefix,
          maxRows: 2,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(driver, target.labels, [
      { projection: purchase.name, generations: [1, 2], shape: purchase.target as Neo4jTargetShape },
      { projection: social.name, generations: [1], shape: social.target as Neo4jTargetShape },
    ]);
    await driver.close();
  });

  it('answers the declared example queries: who bought a product, also bought (two hops), friends of friends', async () => {
    const buyers = await http()
      .get(`/views/${purchase.name}/graph/buyersOfProduct`)
      .query({ productId: 'p1' })
      .expect(200);
    expect(buyers.body).toMatchObject({ columns: ['customerId', 'name'], generation: 1, truncated: false });
    expect(buyers.body.rows).toEqual([
      { customerId: 'c1', name: 'Ada' },
      { customerId: 'c2', name: 'Bob' },
    ]);
    const also = await http()
      .get(`/views/${purchase.name}/graph/alsoBought`)
      .query({ productId: 'p1', limit: '5' })
      .expect(200);
    expect(also.body.rows).toEqual([
      { productId: 'p2', title: 'Pot', buyers: 2 },
      { productId: 'p3', title: 'Pan', buyers: 1 },
    ]);
    const fof = await http()
      .get(`/views/${social.name}/graph/friendsOfFriends`)
      .query({ customerId: 'a' })
      .expect(200);
    expect(fof.body.rows).toEqual([{ customerId: 'c', name: 'C', via: 1 }]);
  });

  it('returns nodes, relationships, paths and temporal values as JSON with declared names', async () => {
    const response = await http()
      .get(`/views/${purchase.name}/graph/orderPath`)
      .query({ orderId: 'o1', big: '9007199254740993' })
      .expect(200);
    const [row] = response.body.rows as Record<string, unknown>[];
    expect(row).toEqual({
      c: { labels: ['Customer'], properties: { customerId: 'c1', name: 'Ada' } },
      placedAt: '2024-03-01T10:00:00Z',
      p: {
        segments: [
          {
            start: { labels: ['Customer'], properties: { customerId: 'c1', name: 'Ada' } },
            relationship: {
              type: 'PLACED',
              properties: {},
              start: { label: 'Customer', key: 'c1' },
              end: { label: 'Order', key: 'o1' },
            },
            end: { labels: ['Order'], properties: { orderId: 'o1', placedAt: '2024-03-01T10:00:00Z' } },
          },
        ],
      },
      labels: ['Order'],
      text: 'Customer:PLACED',
      big: '9007199254740993',
    });
    const items = await http()
      .get(`/views/${purchase.name}/graph/items`)
      .query({ orderId: 'o1' })
      .expect(200);
    expect(items.body.rows).toEqual([
      {
        r: {
          type: 'CONTAINS',
          properties: { qty: 1 },
          start: { label: 'Order', key: 'o1' },
          end: { label: 'Product', key: 'p2' },
        },
      },
      {
        r: {
          type: 'CONTAINS',
          properties: { qty: 2 },
          start: { label: 'Order', key: 'o1' },
          end: { label: 'Product', key: 'p1' },
        },
      },
    ]);
  });

  it('caps the rows it returns', async () => {
    const all = await http().get(`/views/${purchase.name}/graph/allCustomers`).expect(200);
    expect(all.body).toMatchObject({ rows: [{ id: 'c1' }, { id: 'c2' }], truncated: false });
    const fof = await http()
      .get(`/views/${social.name}/graph/followers`)
      .query({ customerId: 'b' })
      .expect(200);
    expect(fof.body.rows).toHaveLength(2);
    expect(fof.body.truncated).toBe(false);
    const capped = await http().get(`/views/${purchase.name}/graph/allProducts`).expect(200);
    expect(capped.body.rows).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(capped.body.truncated).toBe(true);
  });

  it('types parameters and refuses missing, mistyped, repeated or unknown ones with 400 naming the parameter', async () => {
    const ok = await http()
      .get(`/views/${purchase.name}/graph/names`)
      .query({ prefix: 'A', flag: 'true', ratio: '0.75' })
      .expect(200);
    expect(ok.body.rows).toEqual([{ n: 1 }]);
    const missing = await http().get(`/views/${purchase.name}/graph/buyersOfProduct`).expect(400);
    expect(missing.body.message).toMatch(/"productId".*missing/);
    expect(missing.body.parameter).toBe('productId');
    const mistyped = await http()
      .get(`/views/${purchase.name}/graph/alsoBought`)
      .query({ productId: 'p1', limit: 'ten' })
      .expect(400);
    expect(mistyped.body.message).toMatch(/"limit".*integer/);
    await http()
      .get(`/views/${purchase.name}/graph/names`)
      .query({ prefix: 'A', flag: 'yes', ratio: '1' })
      .expect(400);
    await http()
      .get(`/views/${purchase.name}/graph/names`)
      .query({ prefix: 'A', flag: 'true', ratio: 'NaN' })
      .expect(400);
    await http().get(`/views/${purchase.name}/graph/buyersOfProduct?productId=p1&productId=p2`).expect(400);
    const unknown = await http()
      .get(`/views/${purchase.name}/graph/buyersOfProduct`)
      .query({ productId: 'p1', cypher: 'MATCH (n) DETACH DELETE n' })
      .expect(400);
    expect(unknown.body.message).toMatch(/"cypher".*not a parameter/);
  });

  describe('row counts and prototype names are specific 4xx answers, never 500s (issue #12)', () => {
    it.each([
      ['-1', /"limit".*row count from 0 to 1000000, got "-1"/],
      ['1000001', /"limit".*row count from 0 to 1000000/],
      ['9223372036854775807', /"limit".*row count from 0 to 1000000/],
      ['99999999999999999999', /"limit".*expected an integer/],
      ['1.5', /"limit".*expected an integer/],
      ['1e3', /"limit".*expected an integer/],
      ['', /"limit".*expected an integer/],
    ])('refuses limit=%s with a 400 naming it', async (limit, message) => {
      const response = await http()
        .get(`/views/${purchase.name}/graph/alsoBought`)
        .query({ productId: 'p1', limit })
        .expect(400);
      expect(response.body.parameter).toBe('limit');
      expect(response.body.message).toMatch(message);
    });

    it('checks SKIP parameters alike, and a row count of 0 is an empty answer', async () => {
      const skip = await http().get(`/views/${purchase.name}/graph/page`).query({ skip: '-3' }).expect(400);
      expect(skip.body.parameter).toBe('skip');
      const none = await http().get(`/views/${purchase.name}/graph/page`).query({ take: '0' }).expect(200);
      expect(none.body.rows).toEqual([]);
      const one = await http()
        .get(`/views/${purchase.name}/graph/page`)
        .query({ skip: '1', take: '1' })
        .expect(200);
      expect(one.body.rows).toEqual([{ id: 'c2' }]);
    });

    it('answers 400 when Neo4j refuses a value the declaration allows (range step 0)', async () => {
      const response = await http()
        .get(`/views/${purchase.name}/graph/steps`)
        .query({ step: '0' })
        .expect(400);
      expect(response.body.parameter).toBe('step');
      expect(response.body.message).toMatch(/"step" of query "steps": Neo4j refused the value/);
      const fine = await http().get(`/views/${purchase.name}/graph/steps`).query({ step: '2' }).expect(200);
      // This app returns at most 2 rows (maxRows: 2).
      expect(fine.body).toMatchObject({ rows: [{ i: 1 }, { i: 3 }], truncated: true });
    });

    it.each(['constructor', '__proto__', 'toString'])(
      'refuses %s as a parameter, as it refuses any undeclared name',
      async (name) => {
        const response = await http()
          .get(`/views/${purchase.name}/graph/buyersOfProduct?productId=p1&${name}=x`)
          .expect(400);
        expect(response.body.parameter).toBe(name);
        expect(response.body.message).toMatch(/not a parameter of this query/);
      },
    );

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'answers 404 for the query name %s',
      async (name) => {
        const response = await http().get(`/views/${purchase.name}/graph/${name}`).expect(404);
        expect(response.body.message).toContain(`no named query "${name}"`);
      },
    );
  });

  it('answers 404 for an unknown view or query', async () => {
    await http().get('/views/nope/graph/buyersOfProduct').expect(404);
    const response = await http().get(`/views/${purchase.name}/graph/nope`).expect(404);
    expect(response.body.message).toMatch(/buyersOfProduct/);
  });

  it('runs named queries in a read-only transaction: a write is refused by the server', async () => {
    const service = app.get(GraphQueryService);
    const label = `${prefix}_Write`;
    await expect(service.readOnly((tx) => tx.run(`CREATE (n:\`${label}\`) RETURN n`))).rejects.toMatchObject({
      code: expect.stringMatching(/AccessMode/) as unknown,
    });
    const count = await driver.executeQuery(`MATCH (n:\`${label}\`) RETURN count(n) AS n`);
    expect(neo4j.integer.toNumber(count.records[0]!.get('n'))).toBe(0);
  });

  it('while a rebuild is activated and the old generation dropped, every answer is the old graph or the new one', async () => {
    const log = new EventLog();
    log.add('CustomerRegistered', 'customer-c1', {
      customerId: 'c1',
      name: 'Ada L.',
      email: '',
      city: 'London',
    });
    log.add('OrderPlaced', 'order-o1', { orderId: 'o1', customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' });
    log.add('ItemAdded', 'order-o1', { orderId: 'o1', productId: 'p1', qty: 2, price: 1 });
    await target.prepare({ ...ref(purchase, 2), fingerprint: purchase.fingerprint, definition: null });
    await target.commit(ref(purchase, 2), {
      operations: operationsOf(purchase, log.events),
      checkpoint: { from: 0n, to: 13n },
    });
    const old = JSON.stringify([
      { customerId: 'c1', name: 'Ada' },
      { customerId: 'c2', name: 'Bob' },
    ]);
    const fresh = JSON.stringify([{ customerId: 'c1', name: 'Ada L.' }]);
    const seen = new Set<string>();
    let done = false;
    const reader = async () => {
      while (!done) {
        const response = await http()
          .get(`/views/${purchase.name}/graph/buyersOfProduct`)
          .query({ productId: 'p1' });
        expect(response.status).toBe(200);
        const rows = JSON.stringify(response.body.rows);
        expect([old, fresh]).toContain(rows);
        seen.add(`${String(response.body.generation)}:${rows === old ? 'old' : 'new'}`);
      }
    };
    const readers = [reader(), reader()];
    const swap = async () => {
      try {
        expect(await target.activate(ref(purchase, 2), { minCheckpoint: 13n })).toEqual({
          kind: 'activated',
          previous: 1,
        });
        await target.drop(ref(purchase, 1));
        // keep reading until the new graph has been answered a few times
        const after = Date.now();
        while (![...seen].includes('2:new') && Date.now() - after < 10_000)
          await new Promise((resolve) => setImmediate(resolve));
      } finally {
        done = true;
      }
    };
    await Promise.all([...readers, swap()]);
    expect(seen.has('2:new')).toBe(true);
    expect([...seen].every((entry) => entry === '1:old' || entry === '2:new')).toBe(true);
  });
});
