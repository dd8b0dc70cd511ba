/** Events of the Product aggregate (stream `product-<id>`). Names and payloads are a public contract. */
import type { DomainEvent } from '../decider';

export type ProductListed = DomainEvent<
  'ProductListed',
  {
    productId: string;
    title: string;
    description: string;
    category: string;
    /** Integer cents. */
    price: number;
    tags: string[];
  }
>;
export type ProductPriceChanged = DomainEvent<'ProductPriceChanged', { productId: string; price: number }>;
export type ProductDelisted = DomainEvent<'ProductDelisted', { productId: string }>;

export type ProductEvent = ProductListed | ProductPriceChanged | ProductDelisted;

export const PRODUCT_EVENT_TYPES: ReadonlySet<ProductEvent['type']> = new Set([
  'ProductListed',
  'ProductPriceChanged',
  'ProductDelisted',
]);
