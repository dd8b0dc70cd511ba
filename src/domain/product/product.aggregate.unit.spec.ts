import { rehydrate } from '../decider';
import {
  PriceUnchangedError,
  ProductAlreadyListedError,
  ProductDelistedError,
  ProductNotFoundError,
} from '../domain.errors';
import { MAX_PRICE_CENTS } from '../value-rules';
import { MAX_TAGS, productDecider, type ProductCommand } from './product.aggregate';
import type { ProductEvent } from './product.events';

const listed: ProductEvent = {
  type: 'ProductListed',
  data: { productId: 'p1', title: 'Lamp', description: '', category: 'home', price: 1999, tags: [] },
};
const delisted: ProductEvent = { type: 'ProductDelisted', data: { productId: 'p1' } };
const decide = (past: ProductEvent[], command: ProductCommand) =>
  productDecider.decide(command, rehydrate(productDecider, 'product-p1', past));
const list = (overrides: Partial<Extract<ProductCommand, { kind: 'ListProduct' }>> = {}): ProductCommand => ({
  kind: 'ListProduct',
  productId: 'p1',
  title: 'Lamp',
  description: 'A lamp',
  category: 'home',
  price: 1999,
  tags: [],
  ...overrides,
});

describe('Product aggregate', () => {
  it('lists a product with lowercased, distinct tags', () => {
    expect(decide([], list({ tags: ['Light', 'light ', 'desk'] }))).toEqual([
      {
        type: 'ProductListed',
        data: {
          productId: 'p1',
          title: 'Lamp',
          description: 'A lamp',
          category: 'home',
          price: 1999,
          tags: ['light', 'desk'],
        },
      },
    ]);
  });

  it('refuses to list the same product twice, even after delisting', () => {
    expect(() => decide([listed], list())).toThrow(ProductAlreadyListedError);
    expect(() => decide([listed, delisted], list())).toThrow(ProductAlreadyListedError);
  });

  it.each([0, -5, 19.99, MAX_PRICE_CENTS + 1, Number.NaN])('rejects the price %p', (price) => {
    expect(() => decide([], list({ price }))).toThrow(expect.objectContaining({ code: 'invalid_price' }));
    expect(() => decide([listed], { kind: 'ChangeProductPrice', productId: 'p1', price })).toThrow(
      expect.objectContaining({ code: 'invalid_price' }),
    );
  });

  it('rejects too many tags', () => {
    const tags = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`);
    expect(() => decide([], list({ tags }))).toThrow(expect.objectContaining({ code: 'invalid_tags' }));
  });

  it('changes the price of a listed product, not to the same price, not after delisting', () => {
    expect(decide([listed], { kind: 'ChangeProductPrice', productId: 'p1', price: 2499 })).toEqual([
      { type: 'ProductPriceChanged', data: { productId: 'p1', price: 2499 } },
    ]);
    expect(() => decide([listed], { kind: 'ChangeProductPrice', productId: 'p1', price: 1999 })).toThrow(
      PriceUnchangedError,
    );
    expect(() =>
      decide([listed, delisted], { kind: 'ChangeProductPrice', productId: 'p1', price: 5 }),
    ).toThrow(ProductDelistedError);
    expect(() => decide([], { kind: 'ChangeProductPrice', productId: 'p1', price: 5 })).toThrow(
      ProductNotFoundError,
    );
  });

  it('delists once', () => {
    expect(decide([listed], { kind: 'DelistProduct', productId: 'p1' })).toEqual([delisted]);
    expect(() => decide([listed, delisted], { kind: 'DelistProduct', productId: 'p1' })).toThrow(
      ProductDelistedError,
    );
    expect(() => decide([], { kind: 'DelistProduct', productId: 'p1' })).toThrow(ProductNotFoundError);
  });

  it('tracks the latest price', () => {
    const state = rehydrate(productDecider, 'product-p1', [
      listed,
      { type: 'ProductPriceChanged', data: { productId: 'p1', price: 500 } },
    ]);
    expect(state).toEqual({ status: 'listed', productId: 'p1', price: 500 });
  });
});
