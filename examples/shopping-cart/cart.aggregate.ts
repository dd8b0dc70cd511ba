/** A shopping cart in one file: open it, add and remove products, confirm it. Served at /carts. */
import { z } from 'zod';
import { AlreadyExistsError, DomainRuleError, NotFoundError, defineAggregate } from '@prism/platform';

type Lines = ReadonlyMap<string, number>;
type CartState = { status: 'none' } | { status: 'open' | 'confirmed'; lines: Lines };
const noCart = { status: 'none' } as CartState;

const cartEvent = z.object({ cartId: z.string() });
const lineEvent = z.object({ cartId: z.string(), productId: z.string(), qty: z.number().int().positive() });

/** The lines of an open cart; a cart never opened is a 404, a confirmed one a 422. */
function openLines(state: CartState, cartId: string): Lines {
  if (state.status === 'none')
    throw new NotFoundError('cart_not_found', `Open cart ${cartId} first.`, { cartId });
  if (state.status === 'confirmed')
    throw new DomainRuleError('cart_confirmed', `Cart ${cartId} is confirmed; open a new one.`);
  return state.lines;
}

export const cart = defineAggregate({
  name: 'cart',
  initialState: noCart,
  events: {
    CartOpened: { data: cartEvent },
    ProductAdded: { data: lineEvent },
    ProductRemoved: { data: lineEvent },
    CartConfirmed: { data: cartEvent },
  },
  evolve(state, event) {
    if (event.type === 'CartOpened') return { status: 'open', lines: new Map() };
    if (state.status === 'none') return state;
    const lines = new Map(state.lines);
    if (event.type === 'ProductAdded') lines.set(event.data.productId, event.data.qty);
    if (event.type === 'ProductRemoved') lines.delete(event.data.productId);
    return { status: event.type === 'CartConfirmed' ? 'confirmed' : state.status, lines };
  },
  commands: {
    open: {
      creates: true,
      idField: 'cartId',
      payload: z.object({ cartId: z.string().optional() }),
      decide(_command, state, { id }) {
        if (state.status !== 'none') throw new AlreadyExistsError('cart_exists', `Cart ${id} exists.`);
        return [{ type: 'CartOpened', data: { cartId: id } }];
      },
    },
    addProduct: {
      payload: z.object({ productId: z.string().min(1), qty: z.number().int().min(1).max(99) }),
      decide({ productId, qty }, state, { id }) {
        if (openLines(state, id).has(productId))
          throw new DomainRuleError('product_in_cart', `${productId} is in the cart; remove it first.`);
        return [{ type: 'ProductAdded', data: { cartId: id, productId, qty } }];
      },
    },
    removeProduct: {
      payload: z.object({ productId: z.string().min(1) }),
      decide({ productId }, state, { id }) {
        const qty = openLines(state, id).get(productId);
        if (qty === undefined)
          throw new DomainRuleError('product_not_in_cart', `${productId} is not in the cart.`);
        return [{ type: 'ProductRemoved', data: { cartId: id, productId, qty } }];
      },
    },
    confirm: {
      decide(_command, state, { id }) {
        if (openLines(state, id).size === 0)
          throw new DomainRuleError('cart_empty', `Add a product to ${id} first.`);
        return [{ type: 'CartConfirmed', data: { cartId: id } }];
      },
    },
  },
});
