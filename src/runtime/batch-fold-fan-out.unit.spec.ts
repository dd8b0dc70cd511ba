/**
 * foldBatch with fan-out updates (updateAll, issue #16): the stored documents found before the batch and
 * the documents earlier events of the batch wrote are matched by their state when the event is folded (a
 * document moved away is not updated, one created or moved in is), an event over its cap is parked with
 * the reason and blocks the keys it found, and the plan alone (what `prism test` runs) agrees.
 */
import type { ViewDocument } from '../core/plan';
import { compileYamlDefinition } from '../dsl';
import type { StoredEvent } from '../eventstore/event-store.port';
import { runProjection } from '../stores/memory/run-projection';
import type { MemoryDocumentView } from '../stores/memory/memory.view';
import { findKeysIn } from '../stores/memory/unique-indexes';
import { foldBatch, HELD_REASON, keyEvents } from './batch-fold';
import { withFanOutKeysNow } from './fan-out-keys';
import { EventSequence } from '../../test/support/event-sequence';

const definition = (max: number) =>
  compileYamlDefinition(
    `
name: order_names
version: 1
source: { events: [OrderPlaced, OrderTransferred, CustomerRenamed] }
target:
  kind: relational
  table: order_names
  key: order_id
  columns:
    order_id: { type: text }
    customer_id: { type: text }
    customer_name: { type: text }
  indexes:
    - columns: [customer_id]
handlers:
  OrderPlaced:
    - upsert: { key: event.data.orderId, set: { customer_id: event.data.customerId, customer_name: '""' } }
  OrderTransferred:
    - update: { key: event.data.orderId, set: { customer_id: event.data.customerId } }
  CustomerRenamed:
    - updateAll:
        where: { customer_id: event.data.customerId }
        set: { customer_name: event.data.name }
        max: ${max}
`,
    'order-names.yaml',
  );

const event = new EventSequence((_, position) => `s-${position}`).next;
const placed = (orderId: string, customerId: string) => event('OrderPlaced', { orderId, customerId });
const transferred = (orderId: string, customerId: string) =>
  event('OrderTransferred', { orderId, customerId });
const renamed = (customerId: string, name: string) => event('CustomerRenamed', { customerId, name });
const doc = (order_id: string, customer_id: string, customer_name = ''): ViewDocument => ({
  order_id,
  customer_id,
  customer_name,
});

/** Folds `events` as the runner does over a store holding `stored`: keys found there first. */
function fold(
  max: number,
  stored: readonly ViewDocument[],
  events: StoredEvent[],
  blocked = new Set<string>(),
) {
  const plan = definition(max);
  const table = new Map(stored.map((document) => [document.order_id as string, document]));
  const keyed = withFanOutKeysNow(plan, keyEvents(plan, events), (field, values, limit) =>
    findKeysIn(table, field, values, limit),
  );
  // what the runner loads: the documents of every key
  const state = new Map<string, ViewDocument>();
  for (const entry of keyed)
    for (const key of entry.keys ?? []) if (table.has(key)) state.set(key, table.get(key)!);
  const result = foldBatch({
    plan,
    view: { projection: plan.name, generation: 1, shape: plan.target },
    events: keyed,
    state,
    blocked,
    validate: () => undefined,
    now: new Date(0),
  });
  return { result, keyed, state };
}

describe('foldBatch with fan-out updates', () => {
  it('matches documents by their state at fold time: created or moved in by the batch yes, moved away no', () => {
    const events = [
      placed('o4', 'c1'),
      transferred('o2', 'c2'),
      renamed('c1', 'Ada'),
      renamed('c2', 'Bob'),
      transferred('o1', 'c3'),
      renamed('c1', 'Ada2'),
    ];
    const at = (index: number) => events[index]!.position;
    const { result, state } = fold(10, [doc('o1', 'c1'), doc('o2', 'c1'), doc('o3', 'c2')], events);
    expect(result.parked).toEqual([]);
    expect(result.applied).toBe(6);
    expect(Object.fromEntries(state)).toEqual({
      o1: doc('o1', 'c3', 'Ada'),
      o2: doc('o2', 'c2', 'Bob'),
      o3: doc('o3', 'c2', 'Bob'),
      o4: doc('o4', 'c1', 'Ada2'),
    });
    // the last write per key, in the order the keys were last written
    expect(result.operations.map((o) => o.kind === 'put' && [o.key, o.position])).toEqual([
      ['o2', at(3)],
      ['o3', at(3)],
      ['o1', at(4)],
      ['o4', at(5)],
    ]);
  });

  it('parks an event whose stored matches are over the cap, with the reason, and holds later events of its keys', () => {
    const { result } = fold(
      2,
      [doc('p1', 'c9'), doc('p2', 'c9'), doc('p3', 'c9'), doc('o1', 'c1')],
      [renamed('c9', 'Nine'), transferred('p1', 'c8'), renamed('c1', 'One')],
    );
    expect(result.parked.map((p) => [p.eventType, p.status, [...p.keys].sort()])).toEqual([
      ['CustomerRenamed', 'parked', ['p1', 'p2', 'p3']],
      ['OrderTransferred', 'held', ['p1']],
    ]);
    expect(result.parked[0]!.reason).toMatch(
      /^Projection "order_names" could not apply CustomerRenamed: updateAll matches more than 2 documents with customer_id = "c9" \(its cap, max: 2\)/,
    );
    expect(result.parked[1]!.reason).toBe(HELD_REASON);
    expect(result.operations.map((o) => o.kind === 'put' && o.document)).toEqual([doc('o1', 'c1', 'One')]);
  });

  it('parks an event the batch itself brought over the cap (counted by the plan)', () => {
    const { result } = fold(
      2,
      [doc('p1', 'c9'), doc('p2', 'c9')],
      [placed('p3', 'c9'), renamed('c9', 'Nine')],
    );
    expect(result.parked).toHaveLength(1);
    expect(result.parked[0]!.reason).toContain(
      'updateAll matches more than 2 documents with customer_id = "c9"',
    );
    expect(result.operations.map((o) => o.kind === 'put' && o.key)).toEqual(['p3']);
  });

  it('runs the same in memory, event by event (prism test), and refuses over the cap there too', () => {
    const view = runProjection(definition(10), [
      placed('o1', 'c1'),
      placed('o2', 'c1'),
      transferred('o2', 'c2'),
      renamed('c1', 'Ada'),
    ]) as MemoryDocumentView;
    expect(view.all()).toEqual([doc('o1', 'c1', 'Ada'), doc('o2', 'c2')]);
    expect(() =>
      runProjection(definition(1), [placed('o1', 'c1'), placed('o2', 'c1'), renamed('c1', 'Ada')]),
    ).toThrow(/updateAll matches more than 1 documents with customer_id = "c1"/);
  });

  it('keys a fan-out event by the stored documents found, and others exactly as before', () => {
    const plan = definition(10);
    const table = new Map([['o1', doc('o1', 'c1')]]);
    const events = [placed('o2', 'c1'), renamed('c1', 'Ada')];
    const keyed = withFanOutKeysNow(plan, keyEvents(plan, events), (field, values, limit) =>
      findKeysIn(table, field, values, limit),
    );
    expect(keyed[0]).toEqual({ event: events[0], keys: ['o2'] });
    expect(keyed[1]).toMatchObject({
      keys: ['o1'],
      fanOut: [{ selector: { field: 'customer_id', value: 'c1', max: 10 }, found: ['o1'] }],
    });
  });
});
