import { Logger, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { EventStore } from '../eventstore/event-store.port';
import { EVENT_STORE } from '../eventstore/event-store.module';
import { CommandRunner } from './command-runner';
import { CUSTOMER_HANDLERS } from './customers/customer.handlers';
import { CustomersController } from './customers/customers.controller';
import { EventStreamIdempotencyStore } from './idempotency/event-stream.idempotency-store';
import type { IdempotencyStore } from './idempotency/idempotency.port';
import { ORDER_HANDLERS } from './orders/order.handlers';
import { OrdersController } from './orders/orders.controller';
import { PRODUCT_HANDLERS } from './products/product.handlers';
import { ProductsController } from './products/products.controller';

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

const logger = new Logger('Commands');

/**
 * The write side: REST controllers -> CommandBus -> handlers -> CommandRunner -> EventStore.
 * Needs CqrsModule.forRoot(), ConfigModule and EventStoreModule in the app (all global).
 */
@Module({
  controllers: [CustomersController, ProductsController, OrdersController],
  providers: [
    {
      provide: IDEMPOTENCY_STORE,
      inject: [EVENT_STORE, APP_CONFIG],
      useFactory: (store: EventStore, config: AppConfig): IdempotencyStore =>
        new EventStreamIdempotencyStore(store, {
          leaseMs: config.commands.idempotencyLeaseMs,
          log: (message) => logger.warn(message),
        }),
    },
    {
      provide: CommandRunner,
      inject: [EVENT_STORE, IDEMPOTENCY_STORE],
      useFactory: (store: EventStore, idempotency: IdempotencyStore) =>
        new CommandRunner(store, idempotency, (message) => logger.warn(message)),
    },
    ...CUSTOMER_HANDLERS,
    ...PRODUCT_HANDLERS,
    ...ORDER_HANDLERS,
  ],
})
export class CommandsModule {}
