/** projections/order-summary.yaml, written with the TypeScript builder (a test asserts they are the same). */
import { defineProjection } from '../../../src/dsl/builder/define-projection';
import { cel } from '../../../src/dsl/builder/expression.builder';
import { relational } from '../../../src/stores/relational/dsl/relational.builder';
import type { MarketplaceEvents } from './marketplace-events';

export const orderSummary = defineProjection<MarketplaceEvents>()({
  name: 'order_summary',
  version: 1,
  description: 'One row per order with its status, item count and total (cents).',
  source: { events: ['OrderPlaced', 'ItemAdded', 'OrderShipped', 'OrderCancelled'], streamPrefix: 'order-' },
  target: relational({
    table: 'order_summary',
    key: 'order_id',
    columns: {
      order_id: { type: 'text' },
      customer_id: { type: 'text' },
      status: { type: 'text' },
      item_count: { type: 'integer' },
      total: { type: 'bigint' },
    },
    indexes: [{ columns: ['customer_id'] }],
  }),
})
  .on('OrderPlaced', ({ event, upsert }) => [
    upsert({
      key: event.data.orderId,
      set: { customer_id: event.data.customerId, status: 'placed', item_count: 0, total: 0 },
    }),
  ])
  .on('ItemAdded', ({ event, update }) => [
    update({
      key: event.data.orderId,
      increment: { item_count: event.data.qty, total: cel`${event.data.qty} * ${event.data.price}` },
    }),
  ])
  .on('OrderShipped', ({ event, update }) => [
    update({ key: event.data.orderId, set: { status: 'shipped' } }),
  ])
  .on('OrderCancelled', ({ event, update }) => [
    update({ key: event.data.orderId, set: { status: 'cancelled' } }),
  ]);
