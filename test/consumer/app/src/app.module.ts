/** The app's root module: its event store, its projections and their query API, its commands. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { createEventStore, storeModule, type EventStore } from '@prism/platform';
import { CartProjections } from './cart-projections';
import { CartsController } from './carts.controller';
import { CART_SETTINGS, EVENT_STORE, type CartSettings } from './tokens';

@Global()
@Module({})
class CartCoreModule {}

@Module({})
export class AppModule {
  static forRoot(settings: CartSettings): DynamicModule {
    const core: DynamicModule = {
      module: CartCoreModule,
      providers: [
        { provide: CART_SETTINGS, useValue: settings },
        {
          provide: EVENT_STORE,
          useFactory: (): Promise<EventStore> =>
            createEventStore({ kind: 'postgres', url: settings.databaseUrl, schema: settings.schema }),
        },
        CartProjections,
      ],
      exports: [CART_SETTINGS, EVENT_STORE, CartProjections],
    };
    const queries = storeModule('relational').connection.query!.module({
      imports: [core],
      inject: [CartProjections],
      useFactory: (projections: CartProjections) => projections.queryHost(),
    });
    return { module: AppModule, imports: [core, queries], controllers: [CartsController] };
  }
}
