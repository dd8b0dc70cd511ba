/** Products: listing, repricing and delisting. Orders read a product's current price. Routes `/products`. */
import { z } from 'zod';
import {
  aggregateId,
  AlreadyExistsError,
  defineAggregate,
  DomainRuleError,
  NotFoundError,
} from '@prism/platform';
import { invalidValue, requirePrice, requireText } from './rules';

export const MAX_TAGS = 20;

export type ProductState =
  | { readonly status: 'unlisted' }
  | { readonly status: 'listed' | 'delisted'; readonly productId: string; readonly price: number };

const unlisted = { status: 'unlisted' } as ProductState;

/** A product that exists and can still change or be ordered (404 or 422 otherwise). */
export function requireListedProduct(state: ProductState, productId: string) {
  if (state.status === 'unlisted') {
    throw new NotFoundError(
      'product_not_found',
      `Product "${productId}" does not exist; list the product first.`,
      {
        productId,
      },
    );
  }
  if (state.status === 'delisted') {
    throw new DomainRuleError(
      'product_delisted',
      `Product "${productId}" is delisted and can no longer be changed or ordered.`,
      { productId },
    );
  }
  return state;
}

/** Tags are compared case-insensitively, so they are stored lowercased and without duplicates. */
function normalizeTags(tags: readonly string[]): string[] {
  const normalized = [...new Set(tags.map((tag) => requireText('tags', tag, 40).toLowerCase()))];
  if (normalized.length > MAX_TAGS) {
    throw invalidValue('invalid_tags', 'tags', `a product has at most ${MAX_TAGS} distinct tags.`);
  }
  return normalized;
}

export const product = defineAggregate({
  name: 'product',
  initialState: unlisted,
  events: {
    ProductListed: {
      data: z.object({
        productId: z.string(),
        title: z.string(),
        description: z.string(),
        category: z.string(),
        /** Integer cents. */
        price: z.number().int(),
        tags: z.array(z.string()),
      }),
    },
    ProductPriceChanged: { data: z.object({ productId: z.string(), price: z.number().int() }) },
    ProductDelisted: { data: z.object({ productId: z.string() }) },
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ProductListed':
        return { status: 'listed', productId: event.data.productId, price: event.data.price };
      case 'ProductPriceChanged':
        return state.status === 'unlisted' ? state : { ...state, price: event.data.price };
      case 'ProductDelisted':
        return state.status === 'unlisted' ? state : { ...state, status: 'delisted' };
    }
  },
  commands: {
    list: {
      creates: true,
      idField: 'productId',
      schemaName: 'ListProductDto',
      summary: 'List a product',
      payload: z.object({
        productId: aggregateId().optional().describe('Chosen by the client, or a UUID is generated.'),
        title: z.string().max(200),
        description: z.string().max(5000),
        category: z.string().max(100),
        price: z.number().int().describe('Price in integer cents; must be positive (422 invalid_price).'),
        tags: z.array(z.string().max(40)).max(50).optional(),
      }),
      decide({ title, description, category, price, tags = [] }, state, { id }) {
        if (state.status !== 'unlisted') {
          throw new AlreadyExistsError(
            'product_already_listed',
            `Product "${id}" was already listed; choose another id.`,
            {
              productId: id,
            },
          );
        }
        return [
          {
            type: 'ProductListed',
            data: {
              productId: id,
              title: requireText('title', title, 200),
              description: description.trim(),
              category: requireText('category', category, 100),
              price: requirePrice(price),
              tags: normalizeTags(tags),
            },
          },
        ];
      },
    },
    changePrice: {
      summary: "Change a product's price",
      route: { path: 'price' },
      payload: z.object({
        price: z.number().int().describe('New price in integer cents; must be positive and differ.'),
      }),
      decide(command, state, { id }) {
        const current = requireListedProduct(state, id);
        const price = requirePrice(command.price);
        if (price === current.price) {
          throw new DomainRuleError(
            'price_unchanged',
            `Product "${id}" already costs ${price} cents; send a different price.`,
            {
              productId: id,
              price,
            },
          );
        }
        return [{ type: 'ProductPriceChanged', data: { productId: id, price } }];
      },
    },
    delist: {
      summary: 'Delist a product',
      route: { method: 'DELETE', path: '' },
      decide(_command, state, { id }) {
        requireListedProduct(state, id);
        return [{ type: 'ProductDelisted', data: { productId: id } }];
      },
    },
  },
  errors: {
    product_not_found: { status: 404, meaning: 'The product does not exist (`productId`).' },
    product_already_listed: { status: 409, meaning: 'A product with this id exists.' },
    invalid_price: { status: 422, meaning: 'price is not a positive whole number of cents within the cap.' },
    invalid_title: { status: 422, meaning: 'title is empty or too long once trimmed.' },
    invalid_category: { status: 422, meaning: 'category is empty or too long once trimmed.' },
    invalid_tags: { status: 422, meaning: 'A tag is empty or too long, or there are too many tags.' },
    price_unchanged: { status: 422, meaning: 'The product already has this price.' },
    product_delisted: { status: 422, meaning: 'The product is delisted: it cannot change or be ordered.' },
  },
});
