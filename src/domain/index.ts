/** The example marketplace domain: pure aggregates and their events (no Nest, no I/O). */
export * from './decider';
export * from './domain.errors';
export * from './value-rules';
export * from './customer/customer.events';
export * from './customer/customer.aggregate';
export * from './product/product.events';
export * from './product/product.aggregate';
export * from './order/order.events';
export * from './order/order.aggregate';
