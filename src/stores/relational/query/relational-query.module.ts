/**
 * The relational query API as a Nest module. It needs a RelationalViewSource (the loaded projections and
 * the connected relational target), given as a factory:
 *
 *   RelationalQueryModule.register({
 *     imports: [ProjectionsModule],
 *     inject: [ProjectionsService],
 *     source: (projections: ProjectionsService) => relationalViewSourceOf(projections),
 *   })
 *
 * Register it after the other stores' query modules (the app does: its `routeOrder` in
 * ../relational.connection.ts): its `GET /views/:name/:key` would otherwise also match
 * `GET /views/:name/search`.
 */
import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { RelationalQueryController } from './relational-query.controller';
import { RelationalQueryService, type RelationalViewSource } from './relational-query.service';

const RELATIONAL_VIEW_SOURCE = Symbol('RELATIONAL_VIEW_SOURCE');

export interface RelationalQueryModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  /** Providers passed to `source`, in order. */
  readonly inject?: readonly InjectionToken[];
  readonly source: (...dependencies: never[]) => RelationalViewSource | Promise<RelationalViewSource>;
}

@Module({})
export class RelationalQueryModule {
  static register(options: RelationalQueryModuleOptions): DynamicModule {
    return {
      module: RelationalQueryModule,
      imports: options.imports ?? [],
      controllers: [RelationalQueryController],
      providers: [
        { provide: RELATIONAL_VIEW_SOURCE, useFactory: options.source, inject: [...(options.inject ?? [])] },
        {
          provide: RelationalQueryService,
          useFactory: (source: RelationalViewSource) => new RelationalQueryService(source),
          inject: [RELATIONAL_VIEW_SOURCE],
        },
      ],
      exports: [RelationalQueryService],
    };
  }
}
