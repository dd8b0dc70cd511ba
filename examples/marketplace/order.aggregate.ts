/** Orders: placed by a registered customer, filled with items at their current price, shipped or cancelled. */
import { z } from 'zod';
import {
  aggregateId,
  AlreadyExistsError,
  defineAggregate,
  DomainRuleError,
  NotFoundError,
} from '@prism/platform';
import { customer, registered } from './customer.aggregate';
import { product, requireListedProduct } from './product.aggregate';
import { requireQuantity } from './rules';

/** Keeps one order's stream, and the work of loading it on every command, bounded. */
export const MAX_ORDER_ITEMS = 100;

export type OrderState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open' | 'shipped' | 'cancelled';
      readonly orderId: string;
      readonly customerId: string;
      readonly itemCount: number;
    };

const none = { status: 'none' } as OrderState;
const orderOnly = z.object({ orderId: z.string() });

/** The order, if it can still change (404 or 422 otherwise). */
function openOrder(state: OrderState, orderId: string) {
  if (state.status === 'none') {
    throw new NotFoundError('order_not_found', `Order "${orderId}" does not exist; place the order first.`, {
      orderId,
    });
  }
  if (state.status !== 'open') {
    const [code, done] =
      state.status === 'shipped'
        ? ['order_already_shipped', 'has already shipped']
        : ['order_already_cancelled', 'was cancelled'];
    throw new DomainRuleError(
      code,
      `Order "${orderId}" ${done}; it can no longer be changed, shipped or cancelled.`,
      {
        orderId,
      },
    );
  }
  return state;
}

export const order = defineAggregate({
  name: 'order',
  initialState: none,
  events: {
    OrderPlaced: { data: z.object({ orderId: z.string(), customerId: z.string(), placedAt: z.string() }) },
    /** `price`: the product's price in cents when the item was added, so later repricing leaves orders alone. */
    ItemAdded: {
      data: z.object({
        orderId: z.string(),
        productId: z.string(),
        qty: z.number().int(),
        price: z.number().int(),
      }),
    },
    OrderShipped: { data: orderOnly },
    OrderCancelled: { data: orderOnly },
  },
  evolve(state, event) {
    if (event.type === 'OrderPlaced') {
      return { status: 'open', orderId: event.data.orderId, customerId: event.data.customerId, itemCount: 0 };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'ItemAdded':
        return { ...state, itemCount: state.itemCount + 1 };
      case 'OrderShipped':
        return { ...state, status: 'shipped' };
      case 'OrderCancelled':
        return { ...state, status: 'cancelled' };
    }
  },
  commands: {
    place: {
      creates: true,
      idField: 'orderId',
      schemaName: 'PlaceOrderDto',
      summary: 'Place an order',
      payload: z.object({
        orderId: aggregateId().optional().describe('Chosen by the client, or a UUID is generated.'),
        customerId: aggregateId().describe('A registered customer (404 customer_not_found otherwise).'),
      }),
      async decide({ customerId }, state, ctx) {
        if (state.status !== 'none') {
          throw new AlreadyExistsError(
            'order_already_placed',
            `Order "${ctx.id}" was already placed; choose another id.`,
            {
              orderId: ctx.id,
            },
          );
        }
        registered((await ctx.load(customer, customerId)).state, customerId);
        return [
          { type: 'OrderPlaced', data: { orderId: ctx.id, customerId, placedAt: ctx.now.toISOString() } },
        ];
      },
    },
    addItem: {
      summary: 'Add an item to an open order',
      route: { path: 'items' },
      payload: z.object({
        productId: aggregateId().describe('A listed product; its current price is captured.'),
        qty: z.number().int().describe('Whole number from 1 to 1000 (422 invalid_quantity otherwise).'),
      }),
      async decide({ productId, qty }, state, ctx) {
        const current = openOrder(state, ctx.id);
        requireQuantity(qty);
        // The product is read, not written: its price at this moment is captured in ItemAdded.
        const { price } = requireListedProduct((await ctx.load(product, productId)).state, productId);
        if (current.itemCount >= MAX_ORDER_ITEMS) {
          throw new DomainRuleError(
            'order_full',
            `Order "${ctx.id}" already has ${MAX_ORDER_ITEMS} items; place another order for more.`,
            {
              orderId: ctx.id,
              maxItems: MAX_ORDER_ITEMS,
            },
          );
        }
        return [{ type: 'ItemAdded', data: { orderId: ctx.id, productId, qty, price } }];
      },
    },
    ship: {
      summary: 'Ship an order',
      decide(_command, state, { id }) {
        if (openOrder(state, id).itemCount === 0) {
          throw new DomainRuleError(
            'order_empty',
            `Order "${id}" has no items; add at least one item before shipping it.`,
            {
              orderId: id,
            },
          );
        }
        return [{ type: 'OrderShipped', data: { orderId: id } }];
      },
    },
    cancel: {
      summary: 'Cancel an order',
      decide(_command, state, { id }) {
        openOrder(state, id);
        return [{ type: 'OrderCancelled', data: { orderId: id } }];
      },
    },
  },
  errors: {
    order_not_found: { status: 404, meaning: 'The order does not exist (`orderId`).' },
    order_already_placed: { status: 409, meaning: 'An order with this id exists.' },
    invalid_quantity: { status: 422, meaning: 'qty is not a whole number from 1 to 1000.' },
    order_empty: { status: 422, meaning: 'The order has no items, so it cannot ship.' },
    order_full: { status: 422, meaning: 'The order has the maximum number of items.' },
    order_already_shipped: { status: 422, meaning: 'The order has shipped; it can no longer change.' },
    order_already_cancelled: { status: 422, meaning: 'The order was cancelled; it can no longer change.' },
  },
});
