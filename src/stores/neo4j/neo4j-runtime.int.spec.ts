/** The projection runtime driving the Neo4j target: catch-up, live events, parking of a poison event. */
import neo4j, { type Driver } from 'neo4j-driver';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { InMemoryEventStore } from '../../../test/runtime/support/in-memory-event-store';
import { TEST_RUNNER } from '../../../test/runtime/support/runtime-harness';
import type { Neo4jTargetShape } from './neo4j-view-shape';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { silentLogger } from '../../runtime/runtime.logger';
import { Neo4jTarget } from './neo4j.target';
import { cleanUp, exampleProjection, snapshot } from './neo4j-test-support';

describeWithStores(['neo4j'], 'projection runtime on the Neo4j target', (urls) => {
  const prefix = `PrismR${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  const plan = exampleProjection('purchase-graph', uniqueTestName('rpurchase'));
  let driver: Driver;
  let target: Neo4jTarget;
  let runtime: ProjectionRuntime | undefined;

  beforeAll(async () => {
    driver = neo4j.driver(urls.neo4j);
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
  });
  afterAll(async () => {
    await runtime?.stop();
    await cleanUp(driver, target.labels, [
      { projection: plan.name, generations: [1], shape: plan.target as Neo4jTargetShape },
    ]);
    await driver.close();
  });

  it('builds the purchase graph from the log, follows live appends, and parks a poison event', async () => {
    const store = new InMemoryEventStore();
    await store.append(
      'customer-c1',
      [{ type: 'CustomerRegistered', data: { customerId: 'c1', name: 'Ada', email: '', city: 'L' } }],
      'any',
    );
    for (let i = 0; i < 60; i++) {
      await store.append(
        `order-o${i}`,
        [
          {
            type: 'OrderPlaced',
            data: { orderId: `o${i}`, customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' },
          },
          {
            type: 'ItemAdded',
            data: { orderId: `o${i}`, productId: `p${i % 7}`, qty: 1 + (i % 3), price: 1 },
          },
        ],
        'any',
      );
    }
    runtime = new ProjectionRuntime({
      store,
      targets: { neo4j: target },
      runner: TEST_RUNNER,
      logger: silentLogger,
    });
    await runtime.start([plan]);
    const caughtUp = store.events.at(-1)!.position;
    await runtime.waitForCheckpoint(plan.name, caughtUp);
    expect((await target.readProjection(plan.name))?.activeGeneration).toBe(1);

    const cancel = await store.append(
      'order-o0',
      [{ type: 'OrderCancelled', data: { orderId: 'o0' } }],
      'any',
    );
    const poison = await store.append(
      'order-o1',
      [{ type: 'ItemAdded', data: { orderId: 'o1', productId: 'p1', qty: 'many', price: 1 } }],
      'any',
    );
    await runtime.waitForCheckpoint(plan.name, poison.position);
    expect(cancel.position).toBeLessThan(poison.position);

    const graph = await snapshot(driver, plan.target as Neo4jTargetShape, plan.name, 1);
    expect(graph.nodes.filter((line) => line.startsWith('Order:'))).toHaveLength(59);
    expect(graph.nodes.filter((line) => line.startsWith('Product:'))).toHaveLength(7);
    expect(graph.relationships.filter((line) => line.includes('-CONTAINS'))).toHaveLength(59);
    expect(graph.relationships.filter((line) => line.includes('-PLACED'))).toHaveLength(59);
    const parked = await target.listParked({ projection: plan.name, generation: 1, shape: plan.target });
    expect(parked.map((p) => [p.position, p.status])).toEqual([[poison.position, 'parked']]);
  });
});
