import type { CustomerState } from '../customer/customer.aggregate';
import { rehydrate } from '../decider';
import {
  CustomerNotFoundError,
  OrderAlreadyCancelledError,
  OrderAlreadyPlacedError,
  OrderAlreadyShippedError,
  OrderEmptyError,
  OrderFullError,
  OrderNotFoundError,
  ProductDelistedError,
  ProductNotFoundError,
} from '../domain.errors';
import type { ProductState } from '../product/product.aggregate';
import { MAX_ORDER_ITEMS, orderDecider, type OrderCommand } from './order.aggregate';
import type { OrderEvent } from './order.events';

const customer: CustomerState = { status: 'registered', customerId: 'c1', name: 'Ada', following: new Set() };
const product: ProductState = { status: 'listed', productId: 'p1', price: 1999 };
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: { orderId: 'o1', customerId: 'c1', placedAt: '2025-01-01T00:00:00.000Z' },
};
const item: OrderEvent = { type: 'ItemAdded', data: { orderId: 'o1', productId: 'p1', qty: 2, price: 1999 } };
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId: 'o1' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o1' } };

const decide = (past: OrderEvent[], command: OrderCommand) =>
  orderDecider.decide(command, rehydrate(orderDecider, 'order-o1', past));
const addItem = (qty = 2, state: ProductState = product): OrderCommand => ({
  kind: 'AddItem',
  orderId: 'o1',
  productId: 'p1',
  qty,
  product: state,
});
const ship: OrderCommand = { kind: 'ShipOrder', orderId: 'o1' };
const cancel: OrderCommand = { kind: 'CancelOrder', orderId: 'o1' };

describe('Order aggregate', () => {
  it('places an order for a registered customer at the given time', () => {
    const placedAt = new Date('2025-01-01T00:00:00Z');
    expect(decide([], { kind: 'PlaceOrder', orderId: 'o1', customerId: 'c1', customer, placedAt })).toEqual([
      placed,
    ]);
    expect(() =>
      decide([], {
        kind: 'PlaceOrder',
        orderId: 'o1',
        customerId: 'c9',
        customer: { status: 'unregistered' },
        placedAt,
      }),
    ).toThrow(CustomerNotFoundError);
    expect(() =>
      decide([placed], { kind: 'PlaceOrder', orderId: 'o1', customerId: 'c1', customer, placedAt }),
    ).toThrow(OrderAlreadyPlacedError);
  });

  it("adds an item at the product's current price", () => {
    expect(decide([placed], addItem(3, { ...product, price: 250 }))).toEqual([
      { type: 'ItemAdded', data: { orderId: 'o1', productId: 'p1', qty: 3, price: 250 } },
    ]);
  });

  it.each([0, 1001, 1.5, -1])('rejects the quantity %p', (qty) => {
    expect(() => decide([placed], addItem(qty))).toThrow(
      expect.objectContaining({ code: 'invalid_quantity' }),
    );
  });

  it('accepts the quantity bounds 1 and 1000', () => {
    expect(decide([placed], addItem(1))).toHaveLength(1);
    expect(decide([placed], addItem(1000))).toHaveLength(1);
  });

  it('refuses unknown and delisted products', () => {
    expect(() => decide([placed], addItem(1, { status: 'unlisted' }))).toThrow(ProductNotFoundError);
    expect(() => decide([placed], addItem(1, { ...product, status: 'delisted' }))).toThrow(
      ProductDelistedError,
    );
  });

  it('refuses items for unknown, shipped and cancelled orders', () => {
    expect(() => decide([], addItem())).toThrow(OrderNotFoundError);
    expect(() => decide([placed, item, shipped], addItem())).toThrow(OrderAlreadyShippedError);
    expect(() => decide([placed, cancelled], addItem())).toThrow(OrderAlreadyCancelledError);
  });

  it(`caps an order at ${MAX_ORDER_ITEMS} items`, () => {
    const full = [placed, ...Array.from({ length: MAX_ORDER_ITEMS }, () => item)];
    expect(() => decide(full, addItem())).toThrow(OrderFullError);
  });

  it('ships a non-empty order exactly once', () => {
    expect(decide([placed, item], ship)).toEqual([shipped]);
    expect(() => decide([placed], ship)).toThrow(OrderEmptyError);
    expect(() => decide([placed, item, shipped], ship)).toThrow(OrderAlreadyShippedError);
    expect(() => decide([placed, cancelled], ship)).toThrow(OrderAlreadyCancelledError);
    expect(() => decide([], ship)).toThrow(OrderNotFoundError);
  });

  it('cancels an open order exactly once, never a shipped one', () => {
    expect(decide([placed], cancel)).toEqual([cancelled]);
    expect(() => decide([placed, cancelled], cancel)).toThrow(OrderAlreadyCancelledError);
    expect(() => decide([placed, item, shipped], cancel)).toThrow(OrderAlreadyShippedError);
  });
});
