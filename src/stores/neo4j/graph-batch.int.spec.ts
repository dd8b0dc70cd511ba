/**
 * The graph batch (graph-batch.ts) against a real Neo4j: whatever it CREATEs instead of MERGEs, skips or
 * looks up, a batch must leave the graph that the same operations leave one by one (issue #17).
 */
import type { Driver } from 'neo4j-driver';
import { describeWithStores } from '../../../test/support/stores';
import { commitInBatches, commitOneByOne, useNeo4jTestTarget } from '../../../test/support/neo4j-test-target';
import type { NodeRef, ViewOperation } from '../../core/plan';
import { prng } from '../../../bench/workload';
import { GraphStatementBuilder } from './graph-statement-builder';
import { physicalName } from './neo4j-names';
import { GraphChangedUnderBatchError } from './neo4j.errors';
import type { Neo4jTarget } from './neo4j.target';
import { EventLog, operationsOf, snapshot } from './neo4j-test-support';

describeWithStores(['neo4j'], 'Neo4j graph batches', (urls) => {
  const neo = useNeo4jTestTarget(() => urls.neo4j, 'B');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(() => ({ driver, target } = neo));

  /** A social graph projection with `generations` prepared. */
  const socialGraph = (generations: number[]) => neo.prepared('social-graph', 'batch', generations);

  /** Random operations on a few customers: merges with varying property sets, follows, unfollows, deletes. */
  function randomOperations(seed: number, count: number): ViewOperation[] {
    const random = prng(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const c = (): NodeRef => ({ label: 'Customer', key: pick(keys) });
    const sets = [{}, { name: 'N' }, { city: 'C' }, { name: 'M', city: 'D' }];
    const operations: ViewOperation[] = [];
    for (let position = 1n; operations.length < count; position += 1n) {
      const roll = random();
      if (roll < 0.3) {
        const set = Object.fromEntries(Object.keys(pick(sets)).map((name) => [name, `${name}${position}`]));
        operations.push({ kind: 'mergeNode', node: c(), set, position });
      } else if (roll < 0.65) {
        const set: Record<string, string> =
          random() < 0.5
            ? {}
            : { since: `2024-01-${String((Number(position) % 28) + 1).padStart(2, '0')}T00:00:00Z` };
        operations.push({ kind: 'mergeRelationship', type: 'FOLLOWS', from: c(), to: c(), set, position });
      } else if (roll < 0.8) {
        operations.push({ kind: 'deleteRelationship', type: 'FOLLOWS', from: c(), to: c(), position });
      } else {
        operations.push({ kind: 'deleteNode', node: c(), position });
      }
    }
    return operations;
  }

  it('leaves the same graph as one by one, for random batches over nodes that exist, are new, placeholders or deleted', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { shape, plan, ref } = await socialGraph([1, 2]);
      const operations = randomOperations(seed, 60);
      // generation 1: batches of 5 to 25 operations (later batches meet what earlier ones wrote)
      const random = prng(seed * 7919);
      await commitInBatches(target, ref(1), operations, () => 5 + Math.floor(random() * 21));
      // generation 2: one operation per commit
      await commitOneByOne(target, ref(2), operations);
      const batched = await snapshot(driver, shape, plan.name, 1);
      expect({ seed, ...batched }).toEqual({ seed, ...(await snapshot(driver, shape, plan.name, 2)) });
      expect(batched.nodes.length + batched.relationships.length).toBeGreaterThan(0);
    }
  });

  it('leaves the same purchase graph as one by one, for random batches of registrations, orders, items and cancellations', async () => {
    for (const seed of [21, 22, 23]) {
      const { plan, shape, ref } = await neo.prepared('purchase-graph', `random${seed}`, [1, 2]);
      const random = prng(seed);
      const pick = (prefix: string, count: number) => `${prefix}${Math.floor(random() * count)}`;
      const log = new EventLog();
      for (let i = 0; i < 200; i++) {
        const roll = random();
        const orderId = pick('o', 15);
        if (roll < 0.1) log.add('CustomerRegistered', 'c', { customerId: pick('c', 10), name: `n${i}` });
        else if (roll < 0.15) log.add('CustomerRenamed', 'c', { customerId: pick('c', 10), name: `r${i}` });
        else if (roll < 0.25) {
          log.add('ProductListed', 'p', { productId: pick('p', 25), title: `t${i}`, category: 'k' });
        } else if (roll < 0.45) {
          const placedAt = `2024-01-01T00:${String(i % 60).padStart(2, '0')}:00Z`;
          log.add('OrderPlaced', orderId, { orderId, customerId: pick('c', 10), placedAt });
        } else if (roll < 0.85) log.add('ItemAdded', orderId, { orderId, productId: pick('p', 25), qty: i });
        else log.add('OrderCancelled', orderId, { orderId });
      }
      const operations = operationsOf(plan, log.events);
      const sizes = prng(seed * 31);
      await commitInBatches(target, ref(1), operations, () => 5 + Math.floor(sizes() * 40));
      await commitOneByOne(target, ref(2), operations);
      const batched = await snapshot(driver, shape, plan.name, 1);
      expect({ seed, ...batched }).toEqual({ seed, ...(await snapshot(driver, shape, plan.name, 2)) });
      expect(batched.relationships.length).toBeGreaterThan(0);
    }
  });

  it('skips an order placed and cancelled in one batch, keeping its customer and products, as one by one', async () => {
    const { plan, shape, ref } = await neo.prepared('purchase-graph', 'cancel', [1, 2]);
    const log = new EventLog();
    log.add('OrderPlaced', 'order-1', { orderId: 'o1', customerId: 'c1', placedAt: '2024-01-01T00:00:00Z' });
    log.add('ItemAdded', 'order-1', { orderId: 'o1', productId: 'p1', qty: 2 });
    log.add('OrderPlaced', 'order-2', { orderId: 'o2', customerId: 'c2', placedAt: '2024-01-01T00:01:00Z' });
    log.add('ItemAdded', 'order-2', { orderId: 'o2', productId: 'p1', qty: 1 });
    log.add('ItemAdded', 'order-2', { orderId: 'o2', productId: 'p2', qty: 3 });
    log.add('ItemAdded', 'order-2', { orderId: 'o2', productId: 'p1', qty: 5 });
    log.add('OrderCancelled', 'order-1', { orderId: 'o1' });
    const operations = operationsOf(plan, log.events);
    await target.commit(ref(1), { operations, checkpoint: { from: 0n, to: 7n } });
    await commitOneByOne(target, ref(2), operations);
    const batched = await snapshot(driver, shape, plan.name, 1);
    expect(batched).toEqual(await snapshot(driver, shape, plan.name, 2));
    expect(batched.nodes.map((line) => line.split(' ')[0])).toEqual([
      'Customer:c1',
      'Customer:c2',
      'Order:o2',
      'Product:p1',
      'Product:p2',
    ]);
    expect(batched.relationships).toEqual([
      'Customer:c2 -PLACED {}-> Order:o2',
      'Order:o2 -CONTAINS {"qty":"int:3"}-> Product:p2',
      'Order:o2 -CONTAINS {"qty":"int:5"}-> Product:p1',
    ]);
  });

  it('writes the same graph when the batch is replayed after its transaction was rolled back', async () => {
    const { shape, plan, ref } = await socialGraph([1, 2]);
    const first = randomOperations(11, 30);
    const second = randomOperations(12, 30).map((op) => ({ ...op, position: op.position + 1000n }));
    const to = (ops: ViewOperation[]) => ops[ops.length - 1]!.position;
    for (const generation of [1, 2]) {
      await target.commit(ref(generation), { operations: first, checkpoint: { from: 0n, to: to(first) } });
    }
    // generation 1: the second batch is written, then its transaction fails (a crash before the commit)
    const batch = new GraphStatementBuilder(plan.name, 1, shape).prepare(second);
    const session = driver.session();
    const crash = new Error('crash before commit');
    try {
      await expect(
        session.executeWrite(async (tx) => {
          await batch.write((cypher, parameters) => tx.run(cypher, parameters));
          throw crash;
        }),
      ).rejects.toBe(crash);
    } finally {
      await session.close();
    }
    // the runner replays it from the same checkpoint; generation 2 gets it only once
    for (const generation of [1, 2]) {
      const result = await target.commit(ref(generation), {
        operations: second,
        checkpoint: { from: to(first), to: to(second) },
      });
      expect(result).toEqual({ kind: 'committed', checkpoint: to(second) });
    }
    expect(await snapshot(driver, shape, plan.name, 1)).toEqual(await snapshot(driver, shape, plan.name, 2));
  });

  it('fails the batch, writing nothing, when a node it found disappears before its statements run', async () => {
    const { shape, plan, ref } = await socialGraph([1]);
    const c = (key: string): NodeRef => ({ label: 'Customer', key });
    await target.commit(ref(1), {
      operations: [{ kind: 'mergeNode', node: c('x'), set: { name: 'X' }, position: 1n }],
      checkpoint: { from: 0n, to: 1n },
    });
    const before = await snapshot(driver, shape, plan.name, 1);
    const batch = new GraphStatementBuilder(plan.name, 1, shape).prepare([
      { kind: 'mergeNode', node: c('x'), set: { name: 'X2' }, position: 2n },
      { kind: 'mergeRelationship', type: 'FOLLOWS', from: c('x'), to: c('y'), set: {}, position: 3n },
    ]);
    const label = physicalName('Customer', plan.name, 1);
    const session = driver.session();
    try {
      await expect(
        session.executeWrite(async (tx) => {
          let lookedUp = false;
          await batch.write(async (cypher, parameters) => {
            const result = await tx.run(cypher, parameters);
            if (!lookedUp) {
              lookedUp = true; // the lookup found x: now something else deletes it
              await tx.run(`MATCH (n:\`${label}\` {customerId: 'x'}) DETACH DELETE n`);
            }
            return result;
          });
        }),
      ).rejects.toBeInstanceOf(GraphChangedUnderBatchError);
    } finally {
      await session.close();
    }
    expect(await snapshot(driver, shape, plan.name, 1)).toEqual(before);
  });
});
