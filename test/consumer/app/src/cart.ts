/**
 * The app's own aggregate, a shopping cart, decided by hand on the event store port (the host reads the
 * stream, decides, appends with the expected revision). `next/cart.aggregate.ts` is the same cart
 * declared with `defineAggregate`, for when the package has it (see test/consumer/README.md).
 */
import type { EventToAppend, StoredEvent } from '@prism/platform';

export interface CartState {
  readonly status: 'none' | 'open';
}

/** A command that breaks a rule of the cart; the controller answers 422. */
export class CartRuleError extends Error {}

export function cartState(events: readonly StoredEvent[]): CartState {
  return { status: events.some((event) => event.type === 'CartOpened') ? 'open' : 'none' };
}

export function openCart(state: CartState, cartId: string): EventToAppend[] {
  if (state.status !== 'none') throw new CartRuleError(`cart ${cartId} is already open`);
  return [{ type: 'CartOpened', data: { cartId } }];
}

export function addProduct(
  state: CartState,
  cartId: string,
  productId: string,
  qty: number,
): EventToAppend[] {
  if (state.status !== 'open') throw new CartRuleError(`cart ${cartId} is not open`);
  if (!Number.isInteger(qty) || qty < 1) throw new CartRuleError('qty must be a positive integer');
  return [{ type: 'ProductAdded', data: { cartId, productId, qty } }];
}
