/**
 * The example marketplace: customers, products and orders, each an aggregate in one file, built only on
 * the public API of @prism/platform. The ready-made server (`npm start`) serves these aggregates.
 */
import type { Aggregate } from '@prism/platform';
import { customer } from './customer.aggregate';
import { order } from './order.aggregate';
import { product } from './product.aggregate';

export { customer } from './customer.aggregate';
export { order } from './order.aggregate';
export { product } from './product.aggregate';

export const marketplaceAggregates: readonly Aggregate[] = [customer, product, order];
