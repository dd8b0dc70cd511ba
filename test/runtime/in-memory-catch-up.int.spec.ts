/**
 * Why "the runtime over the InMemoryEventStore with ~2,000 pre-appended events never reached its
 * checkpoint (121 worked)": not the size. A projection's checkpoint is the position of the last event it
 * READS; 200 orders of the reference workload end with an OrderShipped, and a projection that does not
 * read OrderShipped (purchase_graph, for one) stops one position short, so waiting for the log's last
 * position times out. The 121-event log ended with an event the projection reads. Wait for the head of
 * the projection's own events instead: `store.headPosition(logFilterOf(plan))`.
 * Runs on embedded SQLite (no server needed).
 */
import { orderEvents, orders } from '../../bench/workload';
import { logFilterOf } from '../../src/runtime/source-filter';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import { orderSummaryPlan } from './fixtures/order-summary.fixture';
import { InMemoryEventStore } from './support/in-memory-event-store';
import { TEST_RUNNER } from './support/runtime-harness';

describe('runtime over the in-memory log with ~2,000 pre-appended events', () => {
  it('reaches the head of the events it reads, which is not the last position when that event is filtered out', async () => {
    const store = new InMemoryEventStore();
    for (const order of orders(200)) await store.append(order.streamId, orderEvents(order), 'any');
    const summary = orderSummaryPlan();
    // Reads every order event but OrderShipped, like purchase_graph.
    const plan = { ...summary, source: { eventTypes: ['OrderPlaced', 'ItemAdded', 'OrderCancelled'] } };
    const last = store.events.at(-1)!;
    const readable = await store.headPosition(logFilterOf(plan));
    expect(store.events.length).toBeGreaterThan(1_900);
    expect(last.type).toBe('OrderShipped');
    expect(readable).toBe(last.position - 1n);

    const target = await RelationalTarget.connect({ kind: 'sqlite', file: ':memory:' });
    const runtime = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      runner: TEST_RUNNER,
      logger: silentLogger,
    });
    try {
      await runtime.start([plan]);
      await runtime.waitForCheckpoint(plan.name, readable, 30_000);
      expect(runtime.status(plan.name).live?.checkpoint).toBe(readable);
      // The log's last position is never reached: nothing the projection reads comes after `readable`.
      await expect(runtime.waitForCheckpoint(plan.name, last.position, 300)).rejects.toThrow(
        /did not reach position/,
      );
    } finally {
      await runtime.stop();
      await target.close();
    }
  });
});
