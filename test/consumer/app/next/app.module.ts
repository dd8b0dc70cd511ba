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
    const postgres = { kind: 'postgres', url: settings.databaseUrl, schema: settings.schema } as const;
    return {
      module: AppModule,
      imports: [
        PrismModule.forRoot({
          eventStore: postgres,
          viewStores: { relational: postgres },
          projections: { folder: settings.projectionsDir },
          aggregates: [cart],
          auth: false,
        }),
      ],
    };
  }
}
