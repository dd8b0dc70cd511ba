import type { ViewDocument } from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import { orderSummaryPlan } from '../../test/runtime/fixtures/order-summary.fixture';
import { foldBatch, HELD_REASON, keyEvents } from './batch-fold';
import { EventSequence } from '../../test/support/event-sequence';

const event = new EventSequence().next;

const view = { projection: 'order_summary', generation: 1, shape: orderSummaryPlan().target };
const valid = () => undefined;

function fold(
  events: StoredEvent[],
  options: {
    state?: Map<string, ViewDocument>;
    blocked?: Set<string>;
    onPoison?: 'sequenced' | 'skip';
    poison?: bigint;
    validate?: (d: ViewDocument) => string | undefined;
  } = {},
) {
  const plan = orderSummaryPlan({
    ...(options.onPoison ? { onPoison: options.onPoison } : {}),
    poison: (e) => (e.position === options.poison ? 'broken' : undefined),
  });
  return foldBatch({
    plan,
    view,
    events: keyEvents(plan, events),
    state: options.state ?? new Map(),
    blocked: options.blocked ?? new Set(),
    validate: options.validate ?? valid,
    now: new Date(0),
  });
}

describe('foldBatch', () => {
  it('folds events in log order over state that later events see, one operation per key', () => {
    const events = [
      event('OrderPlaced', { orderId: 'a', customerId: 'c' }),
      event('ItemAdded', { orderId: 'a', qty: 2, price: 5 }),
      event('OrderPlaced', { orderId: 'b', customerId: 'd' }),
      event('ItemAdded', { orderId: 'a', qty: 1, price: 3 }),
      event('OrderShipped', { orderId: 'a' }),
    ];
    const result = fold(events);
    expect(result.applied).toBe(5);
    expect(result.parked).toEqual([]);
    expect(result.operations).toEqual([
      {
        kind: 'put',
        key: 'b',
        position: events[2]!.position,
        document: { order_id: 'b', customer_id: 'd', status: 'placed', item_count: 0, total: 0 },
      },
      {
        kind: 'put',
        key: 'a',
        position: events[4]!.position,
        document: { order_id: 'a', customer_id: 'c', status: 'shipped', item_count: 3, total: 13 },
      },
    ]);
  });

  it('starts from the loaded documents', () => {
    const state = new Map([
      ['a', { order_id: 'a', customer_id: 'c', status: 'placed', item_count: 1, total: 10 }],
    ]);
    const result = fold([event('ItemAdded', { orderId: 'a', qty: 1, price: 1 })], { state });
    expect(result.operations[0]).toMatchObject({ document: { item_count: 2, total: 11 } });
    expect(state.get('a')).toMatchObject({ item_count: 2 });
  });

  it('parks a failing event and holds later events of its key (sequenced), other keys go on', () => {
    const events = [
      event('OrderPlaced', { orderId: 'a', customerId: 'c' }),
      event('OrderPlaced', { orderId: 'b', customerId: 'd' }),
      event('ItemAdded', { orderId: 'a', qty: 1, price: 1 }),
      event('ItemAdded', { orderId: 'b', qty: 1, price: 1 }),
      event('OrderShipped', { orderId: 'a' }),
    ];
    const result = fold(events, { poison: events[2]!.position });
    expect(result.parked.map((p) => [p.position, p.status, p.keys])).toEqual([
      [events[2]!.position, 'parked', ['a']],
      [events[4]!.position, 'held', ['a']],
    ]);
    expect(result.parked[0]!.reason).toMatch(/broken/);
    expect(result.parked[1]!.reason).toBe(HELD_REASON);
    expect([...result.blocked]).toEqual(['a']);
    expect(result.operations.map((o) => (o.kind === 'put' ? [o.key, o.document.status] : [o.kind]))).toEqual([
      ['a', 'placed'],
      ['b', 'placed'],
    ]);
  });

  it('holds events of keys already blocked by an earlier batch', () => {
    const result = fold([event('OrderShipped', { orderId: 'a' })], {
      blocked: new Set(['a']),
      state: new Map([['a', { order_id: 'a' }]]),
    });
    expect(result.parked.map((p) => p.status)).toEqual(['held']);
    expect(result.operations).toEqual([]);
  });

  it('with onPoison skip, parks only the failing event', () => {
    const events = [
      event('OrderPlaced', { orderId: 'a', customerId: 'c' }),
      event('ItemAdded', { orderId: 'a', qty: 1, price: 1 }),
      event('OrderShipped', { orderId: 'a' }),
    ];
    const result = fold(events, { onPoison: 'skip', poison: events[1]!.position });
    expect(result.parked.map((p) => p.status)).toEqual(['parked']);
    expect(result.blocked.size).toBe(0);
    expect(result.operations[0]).toMatchObject({ document: { status: 'shipped', item_count: 0 } });
  });

  it('parks an event whose document the target rejects, keeping the state before it', () => {
    const events = [
      event('OrderPlaced', { orderId: 'a', customerId: 'c' }),
      event('ItemAdded', { orderId: 'a', qty: 1, price: 1 }),
    ];
    const result = fold(events, { validate: (d) => (d.total === 1 ? 'total too small' : undefined) });
    expect(result.parked[0]).toMatchObject({
      position: events[1]!.position,
      status: 'parked',
      reason: expect.stringMatching(/total too small/),
    });
    expect(result.operations[0]).toMatchObject({ document: { total: 0 } });
  });

  it('parks an event whose keys cannot be computed, without blocking anything', () => {
    const result = fold([event('OrderShipped', { other: 1 })]);
    expect(result.parked[0]).toMatchObject({
      status: 'parked',
      keys: [],
      reason: expect.stringMatching(/keys could not be computed/),
    });
    expect(result.blocked.size).toBe(0);
  });

  it('skips, per key, events a target without transactions already stored', () => {
    const events = [
      event('OrderPlaced', { orderId: 'a', customerId: 'c' }),
      event('ItemAdded', { orderId: 'a', qty: 4, price: 1 }),
    ];
    const plan = orderSummaryPlan();
    const result = foldBatch({
      plan,
      view,
      events: keyEvents(plan, events),
      state: new Map([['a', { order_id: 'a', customer_id: 'c', status: 'placed', item_count: 0, total: 0 }]]),
      appliedUpTo: new Map([['a', events[0]!.position]]),
      blocked: new Set(),
      validate: valid,
      now: new Date(0),
    });
    expect(result.operations).toEqual([
      {
        kind: 'put',
        key: 'a',
        position: events[1]!.position,
        document: { order_id: 'a', customer_id: 'c', status: 'placed', item_count: 4, total: 4 },
      },
    ]);
  });
});

describe('fold slices (issue #12 item 1: many expensive events in one batch)', () => {
  it('keyEvents and foldBatch stop at the deadline after at least one event, and say how many they took', () => {
    const plan = orderSummaryPlan();
    const events = ['a', 'b', 'c', 'd'].map((orderId) => event('OrderPlaced', { orderId, customerId: 'c' }));
    const input = (deadline?: number) => ({
      plan,
      view,
      events: keyEvents(plan, events),
      state: new Map<string, ViewDocument>(),
      blocked: new Set<string>(),
      validate: valid,
      now: new Date(0),
      ...(deadline !== undefined && { deadline }),
    });
    const now = jest.spyOn(Date, 'now');
    try {
      // Each clock read is 60 ms after the previous one: a deadline at 100 passes after the second event.
      let clock = 0;
      now.mockImplementation(() => (clock += 60));
      expect(keyEvents(plan, events, 100).map((k) => k.event.position)).toEqual(
        events.slice(0, 2).map((e) => e.position),
      );
      const whole = input();
      clock = 0;
      expect(foldBatch({ ...whole, deadline: 100 }).consumed).toBe(2);
      clock = 1_000;
      const late = foldBatch({ ...input(), deadline: 100 });
      expect(late.consumed).toBe(1);
      expect(late.operations).toHaveLength(1);
      expect(foldBatch(input()).consumed).toBe(4);
    } finally {
      now.mockRestore();
    }
  });
});
