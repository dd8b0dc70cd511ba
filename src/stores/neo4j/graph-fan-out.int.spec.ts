/**
 * updateNodes (graph fan-out, issue #16) against a real Neo4j: a batch mixing it with merges and deletes
 * leaves the graph that the same operations leave one by one, and that the in-memory graph leaves
 * (which `verify`, `plan` and `prism test` use); past its cap the commit fails as poison and writes
 * nothing; the secondary key's RANGE index exists per generation, serves the statement, and is dropped
 * with the generation.
 */
import type { Driver } from 'neo4j-driver';
import { describeWithStores } from '../../../test/support/stores';
import { commitInBatches, commitOneByOne, useNeo4jTestTarget } from '../../../test/support/neo4j-test-target';
import { prng } from '../../../bench/workload';
import { FanOutCapError } from '../../core/fan-out';
import type { NodeRef, ViewOperation } from '../../core/plan';
import { classifyError } from '../../runtime/error-classifier';
import { MemoryGraphView } from '../memory/memory.view';
import { GraphStatementBuilder } from './graph-statement-builder';
import { physicalName, propertyIndexName } from './neo4j-names';
import type { Neo4jTarget } from './neo4j.target';
import { snapshot, type GraphSnapshot } from './neo4j-test-support';

describeWithStores(['neo4j'], 'Neo4j graph fan-out (updateNodes)', (urls) => {
  const neo = useNeo4jTestTarget(() => urls.neo4j, 'F');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(() => ({ driver, target } = neo));

  /** The order_graph example (Order indexed by customerId) with `generations` prepared. */
  const orderGraph = (generations: number[]) => neo.prepared('order-graph', 'fanout', generations);

  const order = (key: string): NodeRef => ({ label: 'Order', key });
  const customer = (key: string): NodeRef => ({ label: 'Customer', key });

  /**
   * Random operations over a few orders and customers: orders placed (moved to a customer), renamed,
   * cancelled, deleted; customers merged; PLACED relationships; renames by customerId, some of which move
   * every order of a customer to another one (they set the property they select by).
   */
  function randomOperations(seed: number, count: number): ViewOperation[] {
    const random = prng(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const orders = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'];
    const customers = ['c1', 'c2', 'c3'];
    const operations: ViewOperation[] = [];
    for (let position = 1n; operations.length < count; position += 1n) {
      const roll = random();
      if (roll < 0.3) {
        const set: Record<string, string> = { customerId: pick(customers) };
        if (random() < 0.5) set.status = `s${position}`;
        operations.push({ kind: 'mergeNode', node: order(pick(orders)), set, position });
      } else if (roll < 0.4) {
        operations.push({ kind: 'mergeNode', node: order(pick(orders)), set: { status: 'x' }, position });
      } else if (roll < 0.5) {
        const set = { name: `n${position}` };
        operations.push({ kind: 'mergeNode', node: customer(pick(customers)), set, position });
      } else if (roll < 0.6) {
        const [from, to] = [customer(pick(customers)), order(pick(orders))];
        operations.push({ kind: 'mergeRelationship', type: 'PLACED', from, to, set: {}, position });
      } else if (roll < 0.68) {
        operations.push({ kind: 'deleteNode', node: order(pick(orders)), position });
      } else {
        const moves = random() < 0.2;
        const set: Record<string, string> = moves
          ? { customerId: pick(customers) }
          : { customerName: `N${position}` };
        const value = pick(customers);
        operations.push({
          kind: 'updateNodes',
          label: 'Order',
          property: 'customerId',
          value,
          set,
          max: 100,
          position,
        });
      }
    }
    return operations;
  }

  /** The in-memory graph's nodes and relationships in the snapshot's form (no placeholder marker). */
  function memorySnapshot(view: MemoryGraphView): GraphSnapshot {
    const text = (properties: Readonly<Record<string, unknown>>) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(properties)
            .filter(([, value]) => value !== null)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        ),
      );
    return {
      nodes: view
        .allNodes()
        .map((node) => `${node.label}:${String(node.key)} ${text(node.properties)}`)
        .sort(),
      relationships: view
        .allRelationships()
        .map(
          (r) =>
            `Customer:${String(r.from.key)} -${r.type} ${text(r.properties)}-> Order:${String(r.to.key)}`,
        )
        .sort(),
    };
  }
  const withoutPlaceholderMarks = (graph: GraphSnapshot): GraphSnapshot => ({
    nodes: graph.nodes.map((line) => line.replace(/"_prism_placeholder":true,?/, '').replace(',}', '}')),
    relationships: graph.relationships,
  });

  it('leaves the same graph as one by one and as the in-memory graph, for random batches mixing renames, moves, merges and deletes', async () => {
    let renamedSomething = false;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { shape, plan, ref } = await orderGraph([1, 2]);
      const operations = randomOperations(seed, 70);
      const random = prng(seed * 7919);
      await commitInBatches(target, ref(1), operations, () => 5 + Math.floor(random() * 26));
      await commitOneByOne(target, ref(2), operations);
      const memory = new MemoryGraphView(shape, plan.name);
      memory.apply(operations);
      const batched = await snapshot(driver, shape, plan.name, 1);
      expect({ seed, ...batched }).toEqual({ seed, ...(await snapshot(driver, shape, plan.name, 2)) });
      expect({ seed, ...withoutPlaceholderMarks(batched) }).toEqual({ seed, ...memorySnapshot(memory) });
      renamedSomething ||= batched.nodes.some((line) => line.includes('"customerName":"N'));
    }
    expect(renamedSomething).toBe(true);
  });

  it('matches nodes created and moved earlier in the same batch by their state at that point', async () => {
    const { shape, plan, ref } = await orderGraph([1]);
    const rename = (value: string, name: string, position: bigint): ViewOperation => ({
      kind: 'updateNodes',
      label: 'Order',
      property: 'customerId',
      value,
      set: { customerName: name },
      max: 10,
      position,
    });
    await target.commit(ref(1), {
      operations: [
        { kind: 'mergeNode', node: order('o1'), set: { customerId: 'c1' }, position: 1n },
        { kind: 'mergeNode', node: order('o2'), set: { customerId: 'c1' }, position: 2n },
      ],
      checkpoint: { from: 0n, to: 2n },
    });
    await target.commit(ref(1), {
      operations: [
        { kind: 'mergeNode', node: order('o3'), set: { customerId: 'c1' }, position: 3n }, // created, then renamed
        { kind: 'mergeNode', node: order('o2'), set: { customerId: 'c2' }, position: 4n }, // moved away
        rename('c1', 'Ada', 5n),
        { kind: 'mergeNode', node: order('o4'), set: { customerId: 'c1' }, position: 6n }, // after: not renamed
        { kind: 'mergeNode', node: order('o1'), set: { customerId: 'c2' }, position: 7n }, // moved after the rename
        rename('c2', 'Bea', 8n), // o1 and o2 moved in earlier in the batch
        { kind: 'mergeNode', node: order('o2'), set: { customerName: 'kept' }, position: 9n },
      ],
      checkpoint: { from: 2n, to: 9n },
    });
    expect((await snapshot(driver, shape, plan.name, 1)).nodes).toEqual([
      'Order:o1 {"customerId":"c2","customerName":"Bea"}',
      'Order:o2 {"customerId":"c2","customerName":"kept"}',
      'Order:o3 {"customerId":"c1","customerName":"Ada"}',
      'Order:o4 {"customerId":"c1"}',
    ]);
  });

  it('fails the commit as poison past the cap, writing nothing and keeping the checkpoint', async () => {
    const { shape, plan, ref } = await orderGraph([1]);
    await target.commit(ref(1), {
      operations: ['o1', 'o2', 'o3'].map((key, i) => ({
        kind: 'mergeNode' as const,
        node: order(key),
        set: { customerId: 'c1' },
        position: BigInt(i + 1),
      })),
      checkpoint: { from: 0n, to: 3n },
    });
    const before = await snapshot(driver, shape, plan.name, 1);
    const error = await target
      .commit(ref(1), {
        operations: [
          { kind: 'mergeNode', node: order('o9'), set: { customerId: 'c9' }, position: 4n },
          {
            kind: 'updateNodes',
            label: 'Order',
            property: 'customerId',
            value: 'c1',
            set: { customerName: 'Ada' },
            max: 2,
            position: 5n,
          },
        ],
        checkpoint: { from: 3n, to: 5n },
      })
      .then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
    expect(error).toBeInstanceOf(FanOutCapError);
    expect(classifyError(error, (e) => target.classifyError(e))).toBe('poison');
    expect((error as Error).message).toBe(
      `Projection "${plan.name}" could not apply the event at position 5: updateNodes matches more than 2 ` +
        'Order nodes with customerId = "c1" (its cap, max: 2); raise `max` in the definition (a rebuild) or ' +
        'discard the event',
    );
    expect(await snapshot(driver, shape, plan.name, 1)).toEqual(before);
    expect(await target.readCheckpoint(ref(1))).toBe(3n);
  });

  it('creates the RANGE index per generation, idempotently, uses it, and drops it with the generation', async () => {
    const { plan, shape, ref, spec } = await orderGraph([1, 2]);
    await target.prepare(spec(1)); // again: nothing changes
    const indexes = async () =>
      (
        await driver.executeQuery(
          'SHOW INDEXES YIELD name, type, labelsOrTypes, properties WHERE name STARTS WITH $prefix ' +
            'RETURN name, type, labelsOrTypes, properties ORDER BY name',
          { prefix: `prism_index_Order__${plan.name.replace(/[^A-Za-z0-9_]/g, '_')}_g` },
        )
      ).records.map((record) => record.toObject());
    expect(await indexes()).toEqual(
      [1, 2].map((generation) => ({
        name: propertyIndexName('Order', 'customerId', plan.name, generation),
        type: 'RANGE',
        labelsOrTypes: [physicalName('Order', plan.name, generation)],
        properties: ['customerId'],
      })),
    );
    await driver.executeQuery('CALL db.awaitIndexes(60)');
    const [statement] = new GraphStatementBuilder(plan.name, 1, shape)
      .prepare([
        {
          kind: 'updateNodes',
          label: 'Order',
          property: 'customerId',
          value: 'c1',
          set: { customerName: 'Ada' },
          max: 10,
          position: 1n,
        },
      ])
      .statements(new Set());
    const explained = await driver.executeQuery(`EXPLAIN ${statement!.cypher}`, { rows: statement!.rows });
    const operators: string[] = [];
    const walk = (plan: { operatorType: string; children: unknown[] }) => {
      operators.push(plan.operatorType);
      for (const child of plan.children) walk(child as typeof plan);
    };
    walk(explained.summary.plan as unknown as { operatorType: string; children: unknown[] });
    expect(operators.some((operator) => operator.startsWith('NodeIndexSeek'))).toBe(true);
    await target.drop(ref(2));
    expect((await indexes()).map((index) => index.name as unknown)).toEqual([
      propertyIndexName('Order', 'customerId', plan.name, 1),
    ]);
  });
});
