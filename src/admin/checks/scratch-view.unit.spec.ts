/**
 * ScratchView redoes an operator's replay where the live runner did it (issue #12): at the recorded
 * checkpoint, over the state of that moment, with what the target does to an event applied late.
 */
import { orderSummaryPlan } from '../../../test/runtime/fixtures/order-summary.fixture';
import { InMemoryEventStore } from '../../../test/runtime/support/in-memory-event-store';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { ParkingResolution } from '../../stores/target.port';
import { ScratchView } from './scratch-view';

describe('ScratchView redoing resolutions', () => {
  /** Order a: placed, an item that is poison until replayed (onPoison: skip), shipped, another item. */
  async function scenario() {
    const store = new InMemoryEventStore();
    await store.append(
      'order-a',
      [
        { type: 'OrderPlaced', data: { orderId: 'a', customerId: 'c' } },
        { type: 'ItemAdded', data: { orderId: 'a', productId: 'p', qty: 2, price: 5 } },
        { type: 'OrderShipped', data: { orderId: 'a' } },
        { type: 'ItemAdded', data: { orderId: 'a', productId: 'p', qty: 1, price: 1 } },
      ],
      'no_stream',
    );
    const poison = store.events[1]!;
    let replayed = false;
    const plan = orderSummaryPlan({
      onPoison: 'skip',
      poison: (event: StoredEvent) =>
        event.position === poison.position && !replayed ? 'bad price' : undefined,
    });
    const scratch = (transactional: boolean) =>
      new ScratchView({
        plan,
        view: { projection: plan.name, generation: 1, shape: plan.target },
        store,
        validate: () => undefined,
        transactional,
      });
    const replay: ParkingResolution = {
      position: poison.position,
      action: 'replayed',
      checkpoint: store.events[3]!.position,
      resolvedAt: new Date(0),
    };
    return { scratch, replay, fix: () => (replayed = true), last: store.events[3]!.position };
  }

  it('applies a replayed event at its checkpoint, over the state then (a transactional target)', async () => {
    const { scratch, replay, fix, last } = await scenario();
    const view = scratch(true);
    view.addResolutions([replay]);
    await view.foldTo(replay.checkpoint - 1n);
    expect(view.get('a')).toMatchObject({ item_count: 0, total: 0 });
    expect(view.setAside).toBe(1);
    fix();
    await view.foldTo(last);
    expect(view.get('a')).toMatchObject({ status: 'shipped', item_count: 3, total: 11 });
    expect({ setAside: view.setAside, redone: view.resolutionsRedone }).toEqual({ setAside: 0, redone: 1 });
  });

  it('skips a replayed event for a key written later, as a target without transactions does', async () => {
    const { scratch, replay, fix, last } = await scenario();
    const view = scratch(false);
    view.addResolutions([replay]);
    await view.foldTo(replay.checkpoint - 1n);
    fix();
    await view.foldTo(last);
    // Elasticsearch keeps the document of position 4 (external versions): the late item changes nothing.
    expect(view.get('a')).toMatchObject({ status: 'shipped', item_count: 1, total: 1 });
    expect(view.setAside).toBe(0);
  });

  it('ignores a resolution it already knows, and one for an event it did not set aside', async () => {
    const { scratch, replay, last } = await scenario();
    const view = scratch(true);
    view.addResolutions([replay, replay]);
    view.addResolutions([{ ...replay, position: 1n }]);
    await view.foldTo(last);
    // Still poison here (never fixed): the replay fails again and the event stays parked.
    expect(view.get('a')).toMatchObject({ item_count: 1, total: 1 });
    expect(view.setAside).toBe(1);
  });
});
