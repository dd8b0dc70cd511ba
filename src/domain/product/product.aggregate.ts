/** The Product aggregate: listing, repricing and delisting. Orders read its current price. */
import type { Decider } from '../decider';
import {
  InvalidValueError,
  PriceUnchangedError,
  ProductAlreadyListedError,
  ProductDelistedError,
  ProductNotFoundError,
} from '../domain.errors';
import { requirePrice, requireText } from '../value-rules';
import { PRODUCT_EVENT_TYPES, type ProductEvent } from './product.events';

export const MAX_TAGS = 20;

export type ProductState =
  | { readonly status: 'unlisted' }
  | {
      readonly status: 'listed' | 'delisted';
      readonly productId: string;
      readonly price: number;
    };

export type ProductCommand =
  | {
      readonly kind: 'ListProduct';
      productId: string;
      title: string;
      description: string;
      category: string;
      price: number;
      tags: readonly string[];
    }
  | { readonly kind: 'ChangeProductPrice'; productId: string; price: number }
  | { readonly kind: 'DelistProduct'; productId: string };

function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductListed':
      return { status: 'listed', productId: event.data.productId, price: event.data.price };
    case 'ProductPriceChanged':
      return state.status === 'unlisted' ? state : { ...state, price: event.data.price };
    case 'ProductDelisted':
      return state.status === 'unlisted' ? state : { ...state, status: 'delisted' };
  }
}

/** Tags are compared case-insensitively, so they are stored lowercased and without duplicates. */
function normalizeTags(tags: readonly string[]): string[] {
  const normalized = [...new Set(tags.map((tag) => requireText('tags', tag, 40).toLowerCase()))];
  if (normalized.length > MAX_TAGS) {
    throw new InvalidValueError('invalid_tags', 'tags', `a product has at most ${MAX_TAGS} distinct tags.`);
  }
  return normalized;
}

/** A product that exists and can still change. */
export function requireListedProduct(state: ProductState, productId: string) {
  if (state.status === 'unlisted') throw new ProductNotFoundError(productId);
  if (state.status === 'delisted') throw new ProductDelistedError(productId);
  return state;
}

function decide(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.kind) {
    case 'ListProduct': {
      if (state.status !== 'unlisted') throw new ProductAlreadyListedError(command.productId);
      return [
        {
          type: 'ProductListed',
          data: {
            productId: command.productId,
            title: requireText('title', command.title, 200),
            description: command.description.trim(),
            category: requireText('category', command.category, 100),
            price: requirePrice(command.price),
            tags: normalizeTags(command.tags),
          },
        },
      ];
    }
    case 'ChangeProductPrice': {
      const product = requireListedProduct(state, command.productId);
      const price = requirePrice(command.price);
      if (price === product.price) throw new PriceUnchangedError(command.productId, price);
      return [{ type: 'ProductPriceChanged', data: { productId: command.productId, price } }];
    }
    case 'DelistProduct': {
      requireListedProduct(state, command.productId);
      return [{ type: 'ProductDelisted', data: { productId: command.productId } }];
    }
  }
}

export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = {
  streamPrefix: 'product',
  eventTypes: PRODUCT_EVENT_TYPES,
  initialState: { status: 'unlisted' },
  evolve,
  decide,
  schemaVersionOf: () => 1,
};
