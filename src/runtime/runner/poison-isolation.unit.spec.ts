import {
  orderSummaryPlan,
  type OrderSummaryOptions,
} from '../../../test/runtime/fixtures/order-summary.fixture';
import type { CommitBatch } from '../../stores/target.port';
import { orderEvents, runnerParts } from '../../../test/runtime/support/runner-parts';

/** The store refuses any batch that writes an order of the customer "taken" (a constraint the fold cannot see). */
const refuseTaken = (batch: CommitBatch) =>
  batch.operations.some((op) => op.kind === 'put' && op.document.customer_id === 'taken')
    ? 'duplicate customer'
    : undefined;

function setUp(options: OrderSummaryOptions = {}) {
  const parts = runnerParts(orderSummaryPlan(options));
  parts.target.reject = refuseTaken;
  return { ...parts, events: orderEvents() };
}

describe('poison isolation: bisect and park', () => {
  it('bisects a batch the store refuses down to the one event it refuses, parks that one alone and stores the rest', async () => {
    const { poison, target, status, committer, events } = setUp();
    const batch = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) =>
      events.placed(id, id === 'e' ? 'taken' : `c-${id}`),
    );

    await poison.applyEvents(batch);

    expect(Object.keys(target.documentsByKey())).toEqual(['a', 'b', 'c', 'd', 'f', 'g', 'h']);
    expect([...target.parked.values()]).toEqual([
      expect.objectContaining({ position: 5n, status: 'parked', reason: 'duplicate customer', keys: ['e'] }),
    ]);
    // 8 refused, then halves: a-d stored, e-h refused, e-f refused, e refused and parked, f, g-h stored.
    expect(target.commits.map((c) => [c.batch.checkpoint.from, c.batch.checkpoint.to, c.outcome])).toEqual([
      [0n, 8n, 'rejected'],
      [0n, 4n, 'committed'],
      [4n, 8n, 'rejected'],
      [4n, 6n, 'rejected'],
      [4n, 5n, 'rejected'],
      [4n, 5n, 'committed'],
      [5n, 6n, 'committed'],
      [6n, 8n, 'committed'],
    ]);
    expect(status.checkpoint).toBe(8n);
    expect([...committer.blocked]).toEqual(['e']);
  });

  it('holds later events of the parked key behind it (sequenced parking)', async () => {
    const { poison, target, events } = setUp();
    await poison.applyEvents([events.placed('a', 'taken')]);
    await poison.applyEvents([events.placed('a', 'c-a'), events.placed('b')]);

    expect(Object.keys(target.documentsByKey())).toEqual(['b']);
    expect([...target.parked.values()].map((r) => [r.position, r.status])).toEqual([
      [1n, 'parked'],
      [2n, 'held'],
    ]);
  });

  it('with onPoison skip, sets aside only the refused event: later events of its key apply', async () => {
    const { poison, target, committer, events } = setUp({ onPoison: 'skip' });
    await poison.applyEvents([events.placed('a', 'taken')]);
    await poison.applyEvents([events.placed('a', 'c-a')]);

    expect(target.documentsByKey()).toEqual({ a: expect.objectContaining({ customer_id: 'c-a' }) });
    expect([...target.parked.values()].map((r) => r.status)).toEqual(['parked']);
    expect(committer.blocked.size).toBe(0);
  });

  it('does not bisect an error that is not poison: it reaches the loop and nothing is stored', async () => {
    const { poison, target, status, events } = setUp();
    target.gate = () => Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));

    await expect(poison.applyEvents([events.placed('a'), events.placed('b')])).rejects.toThrow('ECONNRESET');
    expect(target.commits).toHaveLength(1);
    expect(target.documents.size).toBe(0);
    expect(status.checkpoint).toBe(0n);
  });
});

describe('parked events: replay, discard, release of held events', () => {
  /** a is parked (refused by the store), two later events of a are held behind it, b is stored. */
  async function parkedScenario(options: OrderSummaryOptions = {}) {
    const parts = setUp(options);
    const { poison, parked, events } = parts;
    await poison.applyEvents([events.placed('a', 'taken'), events.placed('b')]);
    await poison.applyEvents([events.item('a', 2), events.shipped('a')]);
    await parked.refresh(false);
    return parts;
  }

  it('replays the parked event, then releases the held ones in log order, recorded at the checkpoint', async () => {
    const { target, parked, status } = await parkedScenario();
    target.reject = () => undefined;

    await expect(parked.resolve(1n, 'replay')).resolves.toEqual({ kind: 'replayed', released: 2 });

    expect(target.documentsByKey().a).toMatchObject({
      customer_id: 'taken',
      item_count: 2,
      status: 'shipped',
    });
    expect(target.parked.size).toBe(0);
    expect(target.resolutions).toEqual([
      expect.objectContaining({ position: 1n, action: 'replayed', checkpoint: 4n }),
    ]);
    // Releases write behind the checkpoint: it does not move.
    expect(target.checkpoint).toBe(4n);
    expect(status.report({ lifecycle: 'running', paused: false, role: 'live' })).toMatchObject({
      parked: 0,
      held: 0,
    });
  });

  it('a replay that fails again leaves the event parked with its reason and releases nothing', async () => {
    const { target, parked } = await parkedScenario();

    await expect(parked.resolve(1n, 'replay')).resolves.toEqual({
      kind: 'still-parked',
      reason: 'duplicate customer',
    });
    expect([...target.parked.values()].map((r) => r.status)).toEqual(['parked', 'held', 'held']);
    expect(target.resolutions).toEqual([]);
  });

  it('a discard releases the held events; one that fails is parked in turn and the rest stay held behind it', async () => {
    const { target, parked } = await parkedScenario();

    // Without its OrderPlaced, the held ItemAdded fails (order never placed) and OrderShipped stays behind it.
    await expect(parked.resolve(1n, 'discard')).resolves.toEqual({ kind: 'discarded', released: 0 });
    expect([...target.parked.values()].map((r) => [r.position, r.status])).toEqual([
      [3n, 'parked'],
      [4n, 'held'],
    ]);
    expect(target.resolutions).toEqual([expect.objectContaining({ position: 1n, action: 'discarded' })]);
  });

  it('refuses a position that holds no parked event (held ones are released by theirs)', async () => {
    const { parked } = await parkedScenario();
    await expect(parked.resolve(3n, 'replay')).rejects.toThrow('no parked event at position 3');
  });

  it('after a crash in the middle of a release, a held event waiting behind nothing is released on start', async () => {
    const { target, parked } = await parkedScenario();
    target.reject = () => undefined;
    // The parked event is gone (its release was stored), its held events are not yet.
    target.parked.delete(1n);
    target.documents.set('a', {
      order_id: 'a',
      customer_id: 'taken',
      status: 'placed',
      item_count: 0,
      total: 0,
    });

    await parked.refresh(true);

    expect(target.parked.size).toBe(0);
    expect(target.documentsByKey().a).toMatchObject({ item_count: 2, status: 'shipped' });
  });
});
