/** The app's root module on the package's Nest module: its aggregate, its projections folder, PostgreSQL. */
import { type DynamicModule, Module } from '@nestjs/common';
import { PrismModule } from '@prism/platform';
import { cart } from './cart.aggregate';

export interface CartAppSettings {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly projectionsDir: string;
}

@Module({})
export class AppModule {
  static forRoot(settings: CartAppSettings): DynamicModule {
    const { databaseUrl: url, schema } = settings;
    return {
      module: AppModule,
      imports: [
        PrismModule.forRoot({
          eventStore: { kind: 'postgres', url, schema },
          viewStores: { relational: { url, schema } },
          projections: { folder: settings.projectionsDir },
          aggregates: [cart],
          auth: false,
        }),
      ],
    };
  }
}
