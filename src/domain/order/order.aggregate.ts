/** The Order aggregate: placed by a registered customer, filled with items, then shipped or cancelled. */
import type { CustomerState } from '../customer/customer.aggregate';
import type { Decider } from '../decider';
import {
  CustomerNotFoundError,
  OrderAlreadyCancelledError,
  OrderAlreadyPlacedError,
  OrderAlreadyShippedError,
  OrderEmptyError,
  OrderFullError,
  OrderNotFoundError,
} from '../domain.errors';
import { requireListedProduct, type ProductState } from '../product/product.aggregate';
import { requireQuantity } from '../value-rules';
import { ORDER_EVENT_TYPES, type OrderEvent } from './order.events';

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

export type OrderCommand =
  /** `customer` is the ordering customer's state, loaded by the caller. `placedAt` comes from the clock. */
  | {
      readonly kind: 'PlaceOrder';
      orderId: string;
      customerId: string;
      customer: CustomerState;
      placedAt: Date;
    }
  /** `product` is the product's current state: it must be listed, and its price is captured in the event. */
  | { readonly kind: 'AddItem'; orderId: string; productId: string; qty: number; product: ProductState }
  | { readonly kind: 'ShipOrder'; orderId: string }
  | { readonly kind: 'CancelOrder'; orderId: string };

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced':
      return { status: 'open', orderId: event.data.orderId, customerId: event.data.customerId, itemCount: 0 };
    case 'ItemAdded':
      return state.status === 'none' ? state : { ...state, itemCount: state.itemCount + 1 };
    case 'OrderShipped':
      return state.status === 'none' ? state : { ...state, status: 'shipped' };
    case 'OrderCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
  }
}

function openOrder(state: OrderState, orderId: string) {
  if (state.status === 'none') throw new OrderNotFoundError(orderId);
  if (state.status === 'shipped') throw new OrderAlreadyShippedError(orderId);
  if (state.status === 'cancelled') throw new OrderAlreadyCancelledError(orderId);
  return state;
}

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.kind) {
    case 'PlaceOrder': {
      if (state.status !== 'none') throw new OrderAlreadyPlacedError(command.orderId);
      if (command.customer.status !== 'registered') throw new CustomerNotFoundError(command.customerId);
      return [
        {
          type: 'OrderPlaced',
          data: {
            orderId: command.orderId,
            customerId: command.customerId,
            placedAt: command.placedAt.toISOString(),
          },
        },
      ];
    }
    case 'AddItem': {
      const order = openOrder(state, command.orderId);
      const qty = requireQuantity(command.qty);
      const product = requireListedProduct(command.product, command.productId);
      if (order.itemCount >= MAX_ORDER_ITEMS) {
        throw new OrderFullError(command.orderId, MAX_ORDER_ITEMS);
      }
      return [
        {
          type: 'ItemAdded',
          data: { orderId: command.orderId, productId: command.productId, qty, price: product.price },
        },
      ];
    }
    case 'ShipOrder': {
      const order = openOrder(state, command.orderId);
      if (order.itemCount === 0) throw new OrderEmptyError(command.orderId);
      return [{ type: 'OrderShipped', data: { orderId: command.orderId } }];
    }
    case 'CancelOrder': {
      openOrder(state, command.orderId);
      return [{ type: 'OrderCancelled', data: { orderId: command.orderId } }];
    }
  }
}

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  streamPrefix: 'order',
  eventTypes: ORDER_EVENT_TYPES,
  initialState: { status: 'none' },
  evolve,
  decide,
  schemaVersionOf: () => 1,
};
