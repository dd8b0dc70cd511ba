/** The Neo4j target against a real Neo4j: the example graph projections, ordering, CAS, generations. */
import neo4j, { type Driver } from 'neo4j-driver';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { commitOneByOne, useNeo4jTestTarget } from '../../../test/support/neo4j-test-target';
import type { CompiledProjection, ViewOperation } from '../../core/plan';
import { classifyError } from '../../runtime/error-classifier';
import type { ParkedEvent, ViewRef } from '../target.port';
import { physicalName } from './neo4j-names';
import type { Neo4jTarget } from './neo4j.target';
import { EventLog, exampleProjection, operationsOf, snapshot } from './neo4j-test-support';

describeWithStores(['neo4j'], 'Neo4j target', (urls) => {
  const neo = useNeo4jTestTarget(() => urls.neo4j, 'T');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(() => ({ driver, target } = neo));

  const viewOf = (plan: CompiledProjection, generations = [1]) => neo.view(plan, generations);

  it('prepare registers a building generation at checkpoint 0, creates key constraints, and is idempotent', async () => {
    const plan = exampleProjection('purchase-graph', uniqueTestName('purchase'));
    const { spec, ref } = viewOf(plan);
    await target.prepare(spec());
    await target.prepare(spec());
    expect(await target.readCheckpoint(ref())).toBe(0n);
    expect(await target.readCheckpoint(ref(2))).toBeUndefined();
    const generations = await target.listGenerations(plan.name);
    expect(generations.map((g) => [g.generation, g.status, g.fingerprint])).toEqual([
      [1, 'building', plan.fingerprint],
    ]);
    expect(generations[0]!.shape).toEqual(plan.target);
    const constraints = await driver.executeQuery(
      'SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type WHERE type = "UNIQUENESS" RETURN labelsOrTypes[0] AS label, properties[0] AS key',
    );
    const mine = constraints.records
      .map((r) => `${String(r.get('label'))}.${String(r.get('key'))}`)
      .filter((line) => line.includes(plan.name));
    expect(mine.sort()).toEqual(
      [
        `${physicalName('Customer', plan.name, 1)}.customerId`,
        `${physicalName('Order', plan.name, 1)}.orderId`,
        `${physicalName('Product', plan.name, 1)}.productId`,
      ].sort(),
    );
  });

  it('projects who bought what from the YAML definition, fills placeholders later, and deletes cancelled orders with their relationships', async () => {
    const plan = exampleProjection('purchase-graph', uniqueTestName('purchase'));
    const { shape, spec, ref } = viewOf(plan);
    await target.prepare(spec());
    const log = new EventLog();
    log.add('CustomerRegistered', 'customer-c1', {
      customerId: 'c1',
      name: 'Ada',
      email: 'a@x',
      city: 'London',
    });
    log.add('OrderPlaced', 'order-o1', { orderId: 'o1', customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' });
    log.add('ItemAdded', 'order-o1', { orderId: 'o1', productId: 'p1', qty: 2, price: 10 });
    log.add('OrderPlaced', 'order-o2', { orderId: 'o2', customerId: 'c2', placedAt: '2024-03-02T10:00:00Z' });
    log.add('ItemAdded', 'order-o2', { orderId: 'o2', productId: 'p1', qty: 1, price: 10 });
    const first = await target.commit(ref(), {
      operations: operationsOf(plan, log.events),
      checkpoint: { from: 0n, to: 5n },
    });
    expect(first).toEqual({ kind: 'committed', checkpoint: 5n });
    let graph = await snapshot(driver, shape, plan.name, 1);
    // c2 and p1 exist only as relationship ends so far: placeholders.
    expect(graph.nodes).toEqual([
      'Customer:c1 {"name":"Ada"}',
      'Customer:c2 {"_prism_placeholder":true}',
      'Order:o1 {"placedAt":"2024-03-01T10:00:00Z"}',
      'Order:o2 {"placedAt":"2024-03-02T10:00:00Z"}',
      'Product:p1 {"_prism_placeholder":true}',
    ]);
    expect(graph.relationships).toEqual([
      'Customer:c1 -PLACED {}-> Order:o1',
      'Customer:c2 -PLACED {}-> Order:o2',
      'Order:o1 -CONTAINS {"qty":"int:2"}-> Product:p1',
      'Order:o2 -CONTAINS {"qty":"int:1"}-> Product:p1',
    ]);

    const later = new EventLog();
    for (let i = 0; i < 5; i++) later.add('Skip', 's', {});
    later.add('ProductListed', 'product-p1', {
      productId: 'p1',
      title: 'Cup',
      description: '',
      category: 'kitchen',
      price: 10,
      tags: [],
    });
    later.add('CustomerRegistered', 'customer-c2', {
      customerId: 'c2',
      name: 'Bob',
      email: 'b@x',
      city: 'Paris',
    });
    later.add('OrderCancelled', 'order-o1', { orderId: 'o1' });
    await target.commit(ref(), {
      operations: operationsOf(plan, later.events.slice(5)),
      checkpoint: { from: 5n, to: 8n },
    });
    graph = await snapshot(driver, shape, plan.name, 1);
    expect(graph.nodes).toEqual([
      'Customer:c1 {"name":"Ada"}',
      'Customer:c2 {"name":"Bob"}',
      'Order:o2 {"placedAt":"2024-03-02T10:00:00Z"}',
      'Product:p1 {"category":"kitchen","title":"Cup"}',
    ]);
    expect(graph.relationships).toEqual([
      'Customer:c2 -PLACED {}-> Order:o2',
      'Order:o2 -CONTAINS {"qty":"int:1"}-> Product:p1',
    ]);
    // datetimes are stored as DATETIME values, so queries can compare them
    const typed = await driver.executeQuery(
      `MATCH (o:\`${physicalName('Order', plan.name, 1)}\`) RETURN valueType(o.placedAt) AS type`,
    );
    expect(typed.records[0]!.get('type')).toMatch(/^ZONED DATETIME/);
  });

  it('follows and unfollows in the social graph', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('social'));
    const { shape, spec, ref } = viewOf(plan);
    await target.prepare(spec());
    const log = new EventLog();
    log.add('CustomerRegistered', 'customer-a', { customerId: 'a', name: 'A', email: '', city: 'X' });
    log.add(
      'CustomerFollowed',
      'customer-a',
      { customerId: 'a', followedCustomerId: 'b' },
      '2024-01-01T00:00:00.000Z',
    );
    log.add('CustomerFollowed', 'customer-a', { customerId: 'a', followedCustomerId: 'a' });
    log.add(
      'CustomerFollowed',
      'customer-b',
      { customerId: 'b', followedCustomerId: 'c' },
      '2024-01-02T00:00:00.000Z',
    );
    log.add('CustomerUnfollowed', 'customer-a', { customerId: 'a', followedCustomerId: 'b' });
    await target.commit(ref(), {
      operations: operationsOf(plan, log.events),
      checkpoint: { from: 0n, to: 5n },
    });
    const graph = await snapshot(driver, shape, plan.name, 1);
    expect(graph.relationships).toEqual([
      'Customer:b -FOLLOWS {"since":"2024-01-02T00:00:00Z"}-> Customer:c',
    ]);
  });

  it('applies a batch with interleaved create/delete/recreate of one node and relationship exactly like one by one', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('order'));
    const { shape, spec, ref } = viewOf(plan, [1, 2]);
    await target.prepare(spec(1));
    await target.prepare(spec(2));
    const c = (key: string) => ({ label: 'Customer', key });
    let position = 0n;
    const next = () => (position += 1n);
    const follows = (
      kind: 'mergeRelationship' | 'deleteRelationship',
      a: string,
      b: string,
    ): ViewOperation =>
      kind === 'mergeRelationship'
        ? {
            kind,
            type: 'FOLLOWS',
            from: c(a),
            to: c(b),
            set: { since: `2024-01-0${Number(position % 9n) + 1}T00:00:00Z` },
            position: next(),
          }
        : { kind, type: 'FOLLOWS', from: c(a), to: c(b), position: next() };
    const operations: ViewOperation[] = [
      { kind: 'mergeNode', node: c('x'), set: { name: 'X1', city: 'A' }, position: next() },
      follows('mergeRelationship', 'x', 'y'),
      { kind: 'deleteNode', node: c('x'), position: next() },
      follows('mergeRelationship', 'y', 'x'),
      { kind: 'mergeNode', node: c('x'), set: { name: 'X2' }, position: next() },
      follows('deleteRelationship', 'y', 'x'),
      follows('mergeRelationship', 'y', 'x'),
      { kind: 'mergeNode', node: c('y'), set: { name: 'Y', city: 'B' }, position: next() },
      { kind: 'mergeNode', node: c('x'), set: { city: 'C' }, position: next() },
      { kind: 'mergeNode', node: c('x'), set: { name: 'X3', city: 'D' }, position: next() },
      { kind: 'mergeNode', node: c('z'), set: { name: 'Z', city: 'E' }, position: next() },
      follows('mergeRelationship', 'z', 'x'),
      { kind: 'deleteNode', node: c('z'), position: next() },
      follows('deleteRelationship', 'x', 'y'),
      follows('mergeRelationship', 'x', 'y'),
      follows('mergeRelationship', 'x', 'y'),
    ];
    await target.commit(ref(1), { operations, checkpoint: { from: 0n, to: position } });
    await commitOneByOne(target, ref(2), operations);
    const batched = await snapshot(driver, shape, plan.name, 1);
    expect(batched).toEqual(await snapshot(driver, shape, plan.name, 2));
    expect(batched.nodes).toEqual([
      'Customer:x {"city":"D","name":"X3"}',
      'Customer:y {"city":"B","name":"Y"}',
    ]);
    expect(batched.relationships).toHaveLength(2);
  });

  it('a checkpoint mismatch rolls back the whole batch, parked records included', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('cas'));
    const { shape, spec, ref } = viewOf(plan);
    await target.prepare(spec());
    await target.commit(ref(), {
      operations: [
        { kind: 'mergeNode', node: { label: 'Customer', key: 'a' }, set: { name: 'A' }, position: 1n },
      ],
      checkpoint: { from: 0n, to: 1n },
    });
    const result = await target.commit(ref(), {
      operations: [
        { kind: 'mergeNode', node: { label: 'Customer', key: 'b' }, set: { name: 'B' }, position: 7n },
        { kind: 'deleteNode', node: { label: 'Customer', key: 'a' }, position: 8n },
      ],
      checkpoint: { from: 5n, to: 9n },
      park: [parked(ref(), 6n)],
    });
    expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: 1n });
    expect((await snapshot(driver, shape, plan.name, 1)).nodes).toEqual(['Customer:a {"name":"A"}']);
    expect(await target.listParked(ref())).toEqual([]);
    expect(await target.readCheckpoint(ref())).toBe(1n);
    expect(
      await target.commit({ ...ref(), generation: 42 }, { operations: [], checkpoint: { from: 0n, to: 1n } }),
    ).toEqual({ kind: 'checkpoint-mismatch', actual: undefined });
  });

  it('lets exactly one of two concurrent commits from the same checkpoint win', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('race'));
    const { shape, spec, ref } = viewOf(plan);
    await target.prepare(spec());
    for (let round = 0; round < 3; round++) {
      const from = BigInt(round * 10);
      const commit = (key: string) =>
        target.commit(ref(), {
          operations: [
            {
              kind: 'mergeNode',
              node: { label: 'Customer', key: `${key}${round}` },
              set: { name: key },
              position: from + 1n,
            },
          ],
          checkpoint: { from, to: from + 10n },
        });
      const results = await Promise.all([commit('left'), commit('right')]);
      expect(results.map((r) => r.kind).sort()).toEqual(['checkpoint-mismatch', 'committed']);
    }
    expect((await snapshot(driver, shape, plan.name, 1)).nodes).toHaveLength(3);
  });

  it('records parked and held events with the batch, lists them in log order, and releases them', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('park'));
    const { spec, ref } = viewOf(plan);
    await target.prepare(spec());
    await target.commit(ref(), {
      operations: [],
      checkpoint: { from: 0n, to: 3n },
      park: [parked(ref(), 3n, 'held'), parked(ref(), 2n)],
    });
    const listed = await target.listParked(ref());
    expect(listed.map((p) => [p.position, p.status])).toEqual([
      [2n, 'parked'],
      [3n, 'held'],
    ]);
    expect(listed[0]).toEqual(parked(ref(), 2n));
    await target.commit(ref(), {
      operations: [],
      checkpoint: { from: 3n, to: 3n },
      park: [{ ...parked(ref(), 2n), reason: 'failed again' }],
      release: [3n],
    });
    expect((await target.listParked(ref())).map((p) => [p.position, p.reason])).toEqual([
      [2n, 'failed again'],
    ]);
  });

  it('records parking resolutions beside the parked events, lists them apart, and drops them with the generation', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('resolve'));
    const { spec, ref } = viewOf(plan, [1, 2]);
    await target.prepare(spec(1));
    await target.prepare(spec(2));
    await target.commit(ref(1), {
      operations: [],
      checkpoint: { from: 0n, to: 9n },
      park: [parked(ref(1), 2n), parked(ref(1), 5n), parked(ref(1), 6n, 'held')],
    });
    const discarded = {
      position: 5n,
      action: 'discarded',
      checkpoint: 9n,
      resolvedAt: new Date(1_000),
    } as const;
    const replayed = {
      position: 2n,
      action: 'replayed',
      checkpoint: 9n,
      resolvedAt: new Date(2_000),
    } as const;
    await target.commit(ref(1), {
      operations: [],
      checkpoint: { from: 9n, to: 9n },
      release: [5n],
      resolve: [discarded],
    });
    await target.commit(ref(1), {
      operations: [],
      checkpoint: { from: 9n, to: 9n },
      release: [2n],
      resolve: [replayed],
    });
    expect((await target.listParked(ref(1))).map((p) => [p.position, p.status])).toEqual([[6n, 'held']]);
    expect(await target.listResolutions(ref(1))).toEqual([discarded, replayed]);
    await target.activate(ref(2));
    await target.drop(ref(1));
    expect(await target.listResolutions(ref(1))).toEqual([]);
    expect(await target.listParked(ref(1))).toEqual([]);
  });

  it('activates after re-checking the checkpoint, refuses to drop the active generation, drops a retired one', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('swap'));
    const { spec, ref } = viewOf(plan, [1, 2]);
    await target.prepare(spec(1));
    await target.commit(ref(1), {
      operations: [
        {
          kind: 'mergeRelationship',
          type: 'FOLLOWS',
          from: { label: 'Customer', key: 'a' },
          to: { label: 'Customer', key: 'b' },
          set: {},
          position: 1n,
        },
      ],
      checkpoint: { from: 0n, to: 1n },
      park: [parked(ref(1), 1n)],
    });
    expect(await target.activate(ref(1))).toEqual({ kind: 'activated', previous: null });
    await target.prepare(spec(2));
    await target.commit(ref(2), { operations: [], checkpoint: { from: 0n, to: 4n } });
    expect(await target.activate(ref(2), { minCheckpoint: 5n })).toEqual({ kind: 'behind', checkpoint: 4n });
    expect((await target.readProjection(plan.name))?.activeGeneration).toBe(1);
    expect(await target.activate(ref(2), { minCheckpoint: 4n })).toEqual({ kind: 'activated', previous: 1 });
    expect((await target.listGenerations(plan.name)).map((g) => [g.generation, g.status])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    await expect(target.drop(ref(2))).rejects.toThrow(/active/);
    await target.drop(ref(1));
    await target.drop(ref(1));
    expect(await target.readCheckpoint(ref(1))).toBeUndefined();
    expect((await target.listGenerations(plan.name)).map((g) => g.generation)).toEqual([2]);
    const left = await driver.executeQuery(
      `MATCH (n:\`${physicalName('Customer', plan.name, 1)}\`) RETURN count(n) AS n`,
    );
    expect(neo4j.integer.toNumber(left.records[0]!.get('n'))).toBe(0);
    const parkedLeft = await driver.executeQuery(
      `MATCH (p:\`${target.labels.parked}\` {projection: $p}) RETURN count(p) AS n`,
      { p: plan.name },
    );
    expect(neo4j.integer.toNumber(parkedLeft.records[0]!.get('n'))).toBe(0);
  });

  it('pause flags survive in the registry', async () => {
    const plan = exampleProjection('social-graph', uniqueTestName('pause'));
    const { spec } = viewOf(plan);
    await target.prepare(spec());
    expect((await target.readProjection(plan.name))?.paused).toBe(false);
    await target.setPaused(plan.name, true);
    expect((await target.readProjection(plan.name))?.paused).toBe(true);
    expect(await target.readProjection('never_registered')).toBeUndefined();
  });

  it('rejects an operation outside the declared shape before writing, as a poison error', async () => {
    const plan = exampleProjection('purchase-graph', uniqueTestName('poison'));
    const { spec, ref } = viewOf(plan);
    await target.prepare(spec());
    const bad = target.commit(ref(), {
      operations: [
        { kind: 'mergeNode', node: { label: 'Customer', key: 'c1' }, set: { name: 'Ada' }, position: 1n },
        {
          kind: 'mergeRelationship',
          type: 'CONTAINS',
          from: { label: 'Order', key: 'o1' },
          to: { label: 'Product', key: 'p1' },
          set: { qty: 'two' },
          position: 2n,
        },
      ],
      checkpoint: { from: 0n, to: 2n },
    });
    await expect(bad).rejects.toThrow(/qty/);
    expect(classifyError(await bad.catch((error: unknown) => error))).toBe('poison');
    expect(await target.readCheckpoint(ref())).toBe(0n);
  });

  it('refuses a second projection whose physical names would collide', async () => {
    const name = uniqueTestName('claim');
    const plan = exampleProjection('social-graph', `${name}-x`);
    const { spec } = viewOf(plan);
    await target.prepare(spec());
    await expect(target.prepare({ ...spec(), projection: `${name}_x` })).rejects.toThrow(/already uses/);
  });
});

function parked(view: ViewRef, position: bigint, status: 'parked' | 'held' = 'parked'): ParkedEvent {
  return {
    projection: view.projection,
    generation: view.generation,
    position,
    streamId: `customer-c${position}`,
    eventType: 'CustomerFollowed',
    event: {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      streamId: `customer-c${position}`,
      revision: 0,
      position,
      type: 'CustomerFollowed',
      data: { customerId: `c${position}`, nested: { list: [1, 'two', null] } },
      metadata: { timestamp: '2024-05-01T10:00:00.000Z', schemaVersion: 1 },
    },
    keys: [`Customer:c${position}`],
    reason: status === 'held' ? 'held behind an earlier parked event for the same key' : 'bad value',
    status,
    parkedAt: new Date('2024-05-01T10:00:00.000Z'),
  };
}
