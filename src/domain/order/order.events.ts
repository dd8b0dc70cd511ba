/** Events of the Order aggregate (stream `order-<id>`). Names and payloads are a public contract. */
import type { DomainEvent } from '../decider';

export type OrderPlaced = DomainEvent<
  'OrderPlaced',
  { orderId: string; customerId: string; placedAt: string }
>;
/** `price` is the product's price in cents when the item was added, so later repricing leaves orders alone. */
export type ItemAdded = DomainEvent<
  'ItemAdded',
  { orderId: string; productId: string; qty: number; price: number }
>;
export type OrderShipped = DomainEvent<'OrderShipped', { orderId: string }>;
export type OrderCancelled = DomainEvent<'OrderCancelled', { orderId: string }>;

export type OrderEvent = OrderPlaced | ItemAdded | OrderShipped | OrderCancelled;

export const ORDER_EVENT_TYPES: ReadonlySet<OrderEvent['type']> = new Set([
  'OrderPlaced',
  'ItemAdded',
  'OrderShipped',
  'OrderCancelled',
]);
