import { decideCommand, type DomainEvent } from '@prism/platform';
import { MAX_ORDER_ITEMS, order } from './order.aggregate';

const placed: DomainEvent = {
  type: 'OrderPlaced',
  data: { orderId: 'o1', customerId: 'c1', placedAt: '2025-01-01T00:00:00.000Z' },
};
const item: DomainEvent = {
  type: 'ItemAdded',
  data: { orderId: 'o1', productId: 'p1', qty: 2, price: 1999 },
};
const shipped: DomainEvent = { type: 'OrderShipped', data: { orderId: 'o1' } };
const cancelled: DomainEvent = { type: 'OrderCancelled', data: { orderId: 'o1' } };
const listed = (productId: string, price: number): DomainEvent => ({
  type: 'ProductListed',
  data: { productId, title: 'Lamp', description: '', category: 'home', price, tags: [] },
});

/** The other aggregates order o1 reads: customer c1, products p1 (listed), cheap (repriced), gone (delisted). */
const streams = {
  'customer-c1': [
    { type: 'CustomerRegistered', data: { customerId: 'c1', name: 'Ada', email: 'a@b.co', city: 'X' } },
  ],
  'product-p1': [listed('p1', 1999)],
  'product-cheap': [
    listed('cheap', 999),
    { type: 'ProductPriceChanged', data: { productId: 'cheap', price: 250 } },
  ],
  'product-gone': [listed('gone', 100), { type: 'ProductDelisted', data: { productId: 'gone' } }],
};
const now = new Date('2025-01-01T00:00:00Z');
const decide = (given: DomainEvent[], command: string, payload: Record<string, unknown> = {}) =>
  decideCommand(order, command, payload, { id: 'o1', given, streams, now });
const addItem = (qty = 2, productId = 'p1') => ({ productId, qty });

describe('Order aggregate', () => {
  it('places an order for a registered customer at the time of the command', async () => {
    await expect(decide([], 'place', { customerId: 'c1' })).resolves.toEqual([placed]);
    await expect(decide([], 'place', { customerId: 'c9' })).rejects.toMatchObject({
      code: 'customer_not_found',
      details: { customerId: 'c9' },
    });
    await expect(decide([placed], 'place', { customerId: 'c1' })).rejects.toMatchObject({
      code: 'order_already_placed',
    });
  });

  it("adds an item at the product's current price", async () => {
    await expect(decide([placed], 'addItem', addItem(3, 'cheap'))).resolves.toEqual([
      { type: 'ItemAdded', data: { orderId: 'o1', productId: 'cheap', qty: 3, price: 250 } },
    ]);
  });

  it.each([0, 1001, -1])('rejects the quantity %p', async (qty) => {
    await expect(decide([placed], 'addItem', addItem(qty))).rejects.toMatchObject({
      code: 'invalid_quantity',
    });
  });

  it('accepts the quantity bounds 1 and 1000', async () => {
    await expect(decide([placed], 'addItem', addItem(1))).resolves.toHaveLength(1);
    await expect(decide([placed], 'addItem', addItem(1000))).resolves.toHaveLength(1);
  });

  it('refuses unknown and delisted products', async () => {
    await expect(decide([placed], 'addItem', addItem(1, 'nope'))).rejects.toMatchObject({
      code: 'product_not_found',
    });
    await expect(decide([placed], 'addItem', addItem(1, 'gone'))).rejects.toMatchObject({
      code: 'product_delisted',
    });
  });

  it('refuses items for unknown, shipped and cancelled orders', async () => {
    await expect(decide([], 'addItem', addItem())).rejects.toMatchObject({ code: 'order_not_found' });
    await expect(decide([placed, item, shipped], 'addItem', addItem())).rejects.toMatchObject({
      code: 'order_already_shipped',
    });
    await expect(decide([placed, cancelled], 'addItem', addItem())).rejects.toMatchObject({
      code: 'order_already_cancelled',
    });
  });

  it(`caps an order at ${MAX_ORDER_ITEMS} items`, async () => {
    const full = [placed, ...Array.from({ length: MAX_ORDER_ITEMS }, () => item)];
    await expect(decide(full, 'addItem', addItem())).rejects.toMatchObject({ code: 'order_full' });
  });

  it('ships a non-empty order exactly once', async () => {
    await expect(decide([placed, item], 'ship')).resolves.toEqual([shipped]);
    await expect(decide([placed], 'ship')).rejects.toMatchObject({ code: 'order_empty' });
    await expect(decide([placed, item, shipped], 'ship')).rejects.toMatchObject({
      code: 'order_already_shipped',
    });
    await expect(decide([placed, cancelled], 'ship')).rejects.toMatchObject({
      code: 'order_already_cancelled',
    });
    await expect(decide([], 'ship')).rejects.toMatchObject({ code: 'order_not_found' });
  });

  it('cancels an open order exactly once, never a shipped one', async () => {
    await expect(decide([placed], 'cancel')).resolves.toEqual([cancelled]);
    await expect(decide([placed, cancelled], 'cancel')).rejects.toMatchObject({
      code: 'order_already_cancelled',
    });
    await expect(decide([placed, item, shipped], 'cancel')).rejects.toMatchObject({
      code: 'order_already_shipped',
    });
  });
});
