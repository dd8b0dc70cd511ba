/**
 * foldBatch with lookups (issue #16): an entry remembered by an earlier event of the same batch is read by
 * the later ones, a missing entry parks the event with a plain reason, a parked event's entries still
 * stand (they are facts of the event), and a plan without lookups keys exactly as before.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileYamlDefinition } from '../dsl';
import type { StoredEvent } from '../eventstore/event-store.port';
import { foldBatch, keyEvents, type LookupState } from './batch-fold';
import { EventSequence } from '../../test/support/event-sequence';

const read = (file: string) =>
  compileYamlDefinition(readFileSync(path.join(__dirname, '../../projections', file), 'utf8'), file);
const stats = read('customer-stats.yaml');
const summary = read('order-summary.yaml');

const sequence = new EventSequence();
const event = sequence.next;
const view = { projection: 'customer_stats', generation: 1, shape: stats.target };
const fold = (events: StoredEvent[], lookups: LookupState) =>
  foldBatch({
    plan: stats,
    view,
    events: keyEvents(stats, events, undefined, lookups),
    state: new Map(),
    blocked: new Set(),
    validate: () => undefined,
    now: new Date(0),
  });

describe('foldBatch with lookups', () => {
  it('lets later events of a batch read what earlier ones remembered, and parks a read of a missing entry', () => {
    const lookups: LookupState = new Map();
    const result = fold(
      [
        event('OrderPlaced', { orderId: 'o1', customerId: 'c1' }),
        event('ItemAdded', { orderId: 'o1', productId: 'p', qty: 2, price: 5 }),
        event('OrderShipped', { orderId: 'o9' }),
        event('OrderShipped', { orderId: 'o1' }),
      ],
      lookups,
    );
    expect(result.operations).toEqual([
      {
        kind: 'put',
        key: 'c1',
        document: {
          customer_id: 'c1',
          orders_placed: 1,
          orders_shipped: 1,
          orders_cancelled: 0,
          total_spent: 10,
        },
        position: 4n,
      },
    ]);
    expect(result.parked.map((p) => [p.position, p.reason])).toEqual([
      [3n, expect.stringContaining('lookup.order_customer has no entry for key "o9"')],
    ]);
    expect(result.lookups).toEqual([
      { lookup: 'order_customer', key: 'o1', value: 'c1', position: 1n },
      { lookup: 'order_total', key: 'o1', value: 10, position: 2n },
    ]);
    expect(lookups.get('order_total')?.get('o1')).toEqual({ value: 10, position: 2n });
  });

  it('never moves an entry of the batch state back to an earlier position', () => {
    const lookups: LookupState = new Map([
      ['order_customer', new Map([['o2', { value: 'c7', position: 50n }]])],
    ]);
    sequence.position = 10n;
    const result = fold([event('OrderPlaced', { orderId: 'o2', customerId: 'c2' })], lookups);
    // the entry a later event wrote stands: this event's write to it is dropped, the other one is kept
    expect(result.lookups).toEqual([{ lookup: 'order_total', key: 'o2', value: 0, position: 11n }]);
    expect(lookups.get('order_customer')?.get('o2')).toEqual({ value: 'c7', position: 50n });
  });

  it('applies an event delivered again once: an entry stored at its position already holds its effect', () => {
    // A store without transactions wrote the batch (the running total 0 + 2 * 5 = 10, at the ItemAdded's
    // position) and crashed before its checkpoint: the batch is delivered again with that entry loaded.
    sequence.position = 20n;
    const placed = event('OrderPlaced', { orderId: 'o5', customerId: 'c5' });
    const added = event('ItemAdded', { orderId: 'o5', productId: 'p', qty: 2, price: 5 });
    const lookups: LookupState = new Map();
    lookups.set('order_customer', new Map([['o5', { value: 'c5', position: placed.position }]]));
    lookups.set('order_total', new Map([['o5', { value: 10, position: added.position }]]));
    const result = fold([added], lookups);
    expect(result.lookups ?? []).toEqual([]);
    expect(lookups.get('order_total')?.get('o5')).toEqual({ value: 10, position: added.position });
    // A replayed parked event likewise: its entries stood, so it reads them as stored.
    const [keyed] = keyEvents(stats, [added], undefined, lookups);
    expect(keyed).toMatchObject({ keys: ['c5'], remembered: [] });
    if (keyed === undefined || keyed.keysError !== undefined) throw new Error('the event was not keyed');
    expect(keyed.lookups?.get('order_total')?.get('o5')).toBe(10);
  });

  it('keys a plan without lookups exactly as before: no lookup entries carried', () => {
    const [keyed] = keyEvents(summary, [event('OrderPlaced', { orderId: 'o3', customerId: 'c3' })]);
    expect(keyed).toEqual({ event: expect.anything(), keys: ['o3'] });
    expect(summary.lookups).toBeUndefined();
  });
});
