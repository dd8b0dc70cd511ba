/**
 * The app's own commands: POST /carts and POST /carts/:id/add-product. Each answers once the cart's view
 * has applied the write, so a read that follows sees it.
 */
import { Body, Controller, HttpException, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { WrongExpectedRevisionError, type EventStore, type EventToAppend } from '@prism/platform';
import { addProduct, cartState, CartRuleError, openCart, type CartState } from './cart';
import { CartProjections } from './cart-projections';
import { EVENT_STORE } from './tokens';

@Controller('carts')
export class CartsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CartProjections) private readonly projections: CartProjections,
  ) {}

  @Post()
  open(@Body() body: { cartId?: unknown }): Promise<{ position: string }> {
    if (typeof body.cartId !== 'string') throw new HttpException('cartId: expected a string', 400);
    return this.decide(body.cartId, (state) => openCart(state, body.cartId as string));
  }

  @Post(':id/add-product')
  add(@Param('id') id: string, @Body() body: { productId?: unknown; qty?: unknown }) {
    const { productId, qty } = body;
    if (typeof productId !== 'string' || typeof qty !== 'number')
      throw new HttpException('productId and qty: expected a string and a number', 400);
    return this.decide(id, (state) => addProduct(state, id, productId, qty));
  }

  private async decide(
    cartId: string,
    decide: (state: CartState) => EventToAppend[],
  ): Promise<{ position: string }> {
    const streamId = `cart-${cartId}`;
    const history = await this.store.readStream(streamId);
    try {
      const events = decide(cartState(history));
      const expected = history.length === 0 ? 'no_stream' : history.length - 1;
      const appended = await this.store.append(streamId, events, expected);
      await this.projections.runtime.waitForCheckpoint('cart_summary', appended.position);
      return { position: String(appended.position) };
    } catch (error) {
      if (error instanceof CartRuleError)
        throw new HttpException(error.message, HttpStatus.UNPROCESSABLE_ENTITY);
      if (error instanceof WrongExpectedRevisionError)
        throw new HttpException(error.message, HttpStatus.CONFLICT);
      throw error;
    }
  }
}
