/**
 * Fan-out on a Neo4j graph view (updateNodes, issue #16) through the runtime, the graph sibling of
 * fan-out.int.spec.ts: Order nodes keep their customer's name, selected by the indexed `customerId`.
 *
 *  - In one batch: an order placed earlier in the batch is renamed, one transferred away earlier in the
 *    batch is not, one transferred in is, renames interleave with merges; the graph equals the expected
 *    one and the in-memory run (runProjection, what `prism test` uses); a rebuild gives the same graph and
 *    `verify` finds no difference.
 *  - Over the cap: the rename is parked alone (the commit fails as poison, the runner bisects) with a
 *    reason naming the projection, the event's position, the label, the property, the value and the cap;
 *    a later rename of the same customer is held behind it, other events are not; `verify` agrees with
 *    the parked state; discarding releases the held rename, and a rebuild with a higher cap applies both.
 */
import type { Driver } from 'neo4j-driver';
import { verifyProjection } from '../../src/admin/checks/verify-projection';
import type { CompiledProjection } from '../../src/core/plan';
import { compileYamlDefinition, recompileDefinition } from '../../src/dsl';
import type { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import type { MemoryGraphView } from '../../src/stores/memory/memory.view';
import { runProjection } from '../../src/stores/memory/run-projection';
import { snapshot } from '../../src/stores/neo4j/neo4j-test-support';
import type { Neo4jTargetShape } from '../../src/stores/neo4j/neo4j-view-shape';
import type { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import { useNeo4jTestTarget } from '../support/neo4j-test-target';
import { describeWithStores, uniqueTestName } from '../support/stores';
import { appendEach, placed, renamed, transferred } from './fixtures/fan-out-events';
import { InMemoryEventStore } from './support/in-memory-event-store';
import { waitFor, runRuntimeUntil } from './support/runtime-harness';

function definition(name: string, version: number, max: number): CompiledProjection {
  const text = [
    `name: ${name}`,
    `version: ${version}`,
    'source: { events: [OrderPlaced, OrderTransferred, CustomerRenamed] }',
    'target:',
    '  kind: neo4j',
    '  nodes:',
    '    Order:',
    '      key: orderId',
    '      properties: { orderId: string, customerId: string, customerName: string }',
    '      indexes: [customerId]',
    'handlers:',
    '  OrderPlaced:',
    '    - mergeNode:',
    '        label: Order',
    '        key: event.data.orderId',
    `        set: { customerId: event.data.customerId, customerName: '""' }`,
    '  OrderTransferred:',
    '    - mergeNode: { label: Order, key: event.data.orderId, set: { customerId: event.data.customerId } }',
    '  CustomerRenamed:',
    '    - updateNodes:',
    '        label: Order',
    '        where: { customerId: event.data.customerId }',
    '        set: { customerName: event.data.name }',
    `        max: ${max}`,
    '',
  ].join('\n');
  return compileYamlDefinition(text, `${name}.yaml`);
}

/** An order as the graph snapshot shows it. */
const order = (orderId: string, customerId: string, customerName: string) =>
  `Order:${orderId} ${JSON.stringify({ customerId, customerName })}`;

describeWithStores(['neo4j'], 'fan-out updates on Neo4j (updateNodes)', (urls) => {
  const neo = useNeo4jTestTarget(() => urls.neo4j, 'G');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(() => ({ driver, target } = neo));

  const head = (log: InMemoryEventStore) => log.events.at(-1)!.position;

  async function run(
    store: InMemoryEventStore,
    plans: readonly CompiledProjection[],
    until: (runtime: ProjectionRuntime) => Promise<void>,
  ): Promise<void> {
    return runRuntimeUntil(store, { neo4j: target }, plans, until);
  }

  const nodes = async (plan: CompiledProjection, generation: number) =>
    (await snapshot(driver, plan.target as Neo4jTargetShape, plan.name, generation)).nodes;

  /** The in-memory run's orders, in the snapshot's form. */
  const inMemory = (plan: CompiledProjection, log: InMemoryEventStore) =>
    (runProjection(plan, log.events) as MemoryGraphView)
      .allNodes()
      .map((node) => {
        const properties = Object.entries(node.properties).sort(([a], [b]) => (a < b ? -1 : 1));
        return `Order:${String(node.key)} ${JSON.stringify(Object.fromEntries(properties))}`;
      })
      .sort();

  it('updates every matching node, incl. ones the batch created or moved; in memory, a rebuild and verify agree', async () => {
    const name = uniqueTestName('graph_fan_out');
    const plan = definition(name, 1, 100);
    neo.view(plan, [1, 2]);
    const log = new InMemoryEventStore();
    await appendEach(log, [placed('o1', 'c1'), placed('o2', 'c1'), placed('o3', 'c2')]);
    await run(log, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));

    // appended while no runner runs: the next start reads them in one batch of 50, then a second one
    await appendEach(log, [
      placed('o4', 'c1'), // created in the batch, before the rename
      transferred('o2', 'c2'), // moved away from c1 in the batch
      renamed('c1', 'Ada'),
      renamed('c2', 'Bob'),
      transferred('o1', 'c3'), // moved in to c3, renamed below
      placed('o5', 'c3'),
      renamed('c1', 'Ada2'),
      renamed('c3', 'Cy'),
      transferred('o5', 'c1'), // after the rename: keeps Cy
      // 45 orders of c7: the first batch ends among them, the rename is in the next one
      ...Array.from({ length: 45 }, (_, i) => placed(`q${String(i).padStart(2, '0')}`, 'c7')),
      renamed('c7', 'Quinn'),
    ]);
    await run(log, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));
    const expected = [
      order('o1', 'c3', 'Cy'),
      order('o2', 'c2', 'Bob'),
      order('o3', 'c2', 'Bob'),
      order('o4', 'c1', 'Ada2'),
      order('o5', 'c1', 'Cy'),
      ...Array.from({ length: 45 }, (_, i) => order(`q${String(i).padStart(2, '0')}`, 'c7', 'Quinn')),
    ].sort();
    expect(await nodes(plan, 1)).toEqual(expected);
    expect(inMemory(plan, log)).toEqual(expected);
    expect(await target.listParked({ projection: name, generation: 1, shape: plan.target })).toEqual([]);

    const rebuilt = definition(name, 2, 100);
    await run(log, [rebuilt], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
    });
    expect(await nodes(rebuilt, 2)).toEqual(expected);
    const verified = await verifyProjection(
      { store: log, target, catalogPlan: rebuilt, recompile: recompileDefinition },
      name,
    );
    expect(verified.total).toBe(0);
  });

  it('parks an event over the cap alone with the reason, holds later renames of its customer, loses nothing', async () => {
    const name = uniqueTestName('graph_fan_out_cap');
    const plan = definition(name, 1, 3);
    neo.view(plan, [1, 2]);
    const log = new InMemoryEventStore();
    await appendEach(log, [...['p1', 'p2', 'p3'].map((id) => placed(id, 'c9')), placed('o1', 'c1')]);
    await run(log, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));
    await appendEach(log, [
      placed('p4', 'c9'), // the fourth order of c9, in the same batch as the rename
      renamed('c9', 'Nine'), // 4 orders, max 3: parked
      transferred('p1', 'c8'), // not held: it is not a rename of c9
      renamed('c9', 'Nine2'), // held behind the parked rename of c9
      renamed('c1', 'One'), // not blocked
    ]);
    await run(log, [plan], async (runtime) => {
      await runtime.waitForCheckpoint(name, head(log));
      const parked = await runtime.listParked(name);
      expect(parked.map((p) => [p.eventType, p.status, p.keys])).toEqual([
        ['CustomerRenamed', 'parked', ['Order[customerId]:c9']],
        ['CustomerRenamed', 'held', ['Order[customerId]:c9']],
      ]);
      expect(parked[0]!.reason).toBe(
        `Projection "${name}" could not apply the event at position ${parked[0]!.position}: updateNodes ` +
          'matches more than 3 Order nodes with customerId = "c9" (its cap, max: 3); raise `max` in the ' +
          'definition (a rebuild) or discard the event',
      );
      expect(await nodes(plan, 1)).toEqual(
        [
          order('o1', 'c1', 'One'),
          order('p1', 'c8', ''),
          ...['p2', 'p3', 'p4'].map((id) => order(id, 'c9', '')),
        ].sort(),
      );
      // verify rebuilds in memory, parks the same event and holds the same one: no difference
      const parkedState = await verifyProjection(
        { store: log, target, catalogPlan: plan, recompile: recompileDefinition },
        name,
      );
      expect(parkedState.total).toBe(0);
      expect(await runtime.discard(name, parked[0]!.position)).toEqual({ kind: 'discarded', released: 1 });
      expect(await runtime.listParked(name)).toEqual([]);
    });
    // the released rename now matches 3 orders (p1 moved away): within the cap
    expect(await nodes(plan, 1)).toEqual(
      [
        order('o1', 'c1', 'One'),
        order('p1', 'c8', ''),
        ...['p2', 'p3', 'p4'].map((id) => order(id, 'c9', 'Nine2')),
      ].sort(),
    );
    const discarded = await verifyProjection(
      { store: log, target, catalogPlan: plan, recompile: recompileDefinition },
      name,
    );
    expect(discarded.total).toBe(0);

    // a higher cap is a new definition: its rebuild applies the first rename too
    const raised = definition(name, 2, 10);
    await run(log, [raised], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
      expect(await runtime.listParked(name)).toEqual([]);
    });
    expect(await nodes(raised, 2)).toEqual(
      [
        order('o1', 'c1', 'One'),
        order('p1', 'c8', 'Nine'),
        ...['p2', 'p3', 'p4'].map((id) => order(id, 'c9', 'Nine2')),
      ].sort(),
    );
  });
});
