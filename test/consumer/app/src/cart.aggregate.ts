/**
 * The app's cart declared with the package's `defineAggregate`: routes (`POST /carts`,
 * `POST /carts/:cartId/add-product`), validation, domain errors, revisions and idempotency come with it.
 */
import { z } from 'zod';
import { AlreadyExistsError, defineAggregate, NotFoundError } from '@prism/platform';

interface CartState {
  readonly status: 'none' | 'open';
}

const initialState: CartState = { status: 'none' };

export const cart = defineAggregate({
  name: 'cart',
  initialState,
  events: {
    CartOpened: { data: z.object({ cartId: z.string() }) },
    ProductAdded: {
      data: z.object({ cartId: z.string(), productId: z.string(), qty: z.number().int().positive() }),
    },
  },
  errors: {
    cart_exists: { status: 409, meaning: 'A cart with this id is already open.' },
    cart_not_found: { status: 404, meaning: 'No open cart has this id: open it first.' },
  },
  evolve(state, event) {
    return event.type === 'CartOpened' ? { status: 'open' } : state;
  },
  commands: {
    open: {
      creates: true,
      idField: 'cartId',
      payload: z.object({ cartId: z.string().optional() }),
      decide: (_command, state, ctx) => {
        if (state.status !== 'none')
          throw new AlreadyExistsError('cart_exists', `cart ${ctx.id} is already open`);
        return [{ type: 'CartOpened', data: { cartId: ctx.id } }];
      },
    },
    addProduct: {
      payload: z.object({ productId: z.string(), qty: z.number().int().positive() }),
      decide: (command, state, ctx) => {
        if (state.status !== 'open') throw new NotFoundError('cart_not_found', `open cart ${ctx.id} first`);
        return [{ type: 'ProductAdded', data: { cartId: ctx.id, ...command } }];
      },
    },
  },
});
