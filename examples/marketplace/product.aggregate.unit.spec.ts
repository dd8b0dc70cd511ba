import { decideCommand, type DomainEvent } from '@prism/platform';
import { MAX_TAGS, product } from './product.aggregate';
import { MAX_PRICE_CENTS } from './rules';

const listed: DomainEvent = {
  type: 'ProductListed',
  data: { productId: 'p1', title: 'Lamp', description: '', category: 'home', price: 1999, tags: [] },
};
const delisted: DomainEvent = { type: 'ProductDelisted', data: { productId: 'p1' } };
const lamp = { title: 'Lamp', description: 'A lamp', category: 'home', price: 1999, tags: [] as string[] };

const decide = (given: DomainEvent[], command: string, payload: Record<string, unknown> = {}) =>
  decideCommand(product, command, payload, { id: 'p1', given });

describe('Product aggregate', () => {
  it('lists a product with lowercased, distinct tags', async () => {
    await expect(decide([], 'list', { ...lamp, tags: ['Light', 'light ', 'desk'] })).resolves.toEqual([
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

  it('refuses to list the same product twice, even after delisting', async () => {
    await expect(decide([listed], 'list', lamp)).rejects.toMatchObject({ code: 'product_already_listed' });
    await expect(decide([listed, delisted], 'list', lamp)).rejects.toMatchObject({
      code: 'product_already_listed',
    });
  });

  it.each([0, -5, MAX_PRICE_CENTS + 1])('rejects the price %p', async (price) => {
    await expect(decide([], 'list', { ...lamp, price })).rejects.toMatchObject({ code: 'invalid_price' });
    await expect(decide([listed], 'changePrice', { price })).rejects.toMatchObject({ code: 'invalid_price' });
  });

  it('refuses a price that is not a whole number as a malformed request', async () => {
    await expect(decide([], 'list', { ...lamp, price: 19.99 })).rejects.toMatchObject({
      fields: { price: ['price must be an integer number'] },
    });
  });

  it('rejects too many tags', async () => {
    const tags = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`);
    await expect(decide([], 'list', { ...lamp, tags })).rejects.toMatchObject({ code: 'invalid_tags' });
  });

  it('changes the price of a listed product, not to the same price, not after delisting', async () => {
    await expect(decide([listed], 'changePrice', { price: 2499 })).resolves.toEqual([
      { type: 'ProductPriceChanged', data: { productId: 'p1', price: 2499 } },
    ]);
    await expect(decide([listed], 'changePrice', { price: 1999 })).rejects.toMatchObject({
      code: 'price_unchanged',
    });
    await expect(decide([listed, delisted], 'changePrice', { price: 5 })).rejects.toMatchObject({
      code: 'product_delisted',
    });
    await expect(decide([], 'changePrice', { price: 5 })).rejects.toMatchObject({
      code: 'product_not_found',
    });
  });

  it('delists once', async () => {
    await expect(decide([listed], 'delist')).resolves.toEqual([delisted]);
    await expect(decide([listed, delisted], 'delist')).rejects.toMatchObject({ code: 'product_delisted' });
    await expect(decide([], 'delist')).rejects.toMatchObject({ code: 'product_not_found' });
  });
});
