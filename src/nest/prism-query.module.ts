/**
 * The query API of every view store (GET /views/..., read-your-writes with `?after=`) as one module a
 * team's app can import on its own, under its own prefix:
 *
 *   imports: [PrismModule.forRoot({ ..., mount: false }), PrismQueryModule,
 *             RouterModule.register([{ path: 'api/prism', module: PrismQueryModule }])]
 *
 * Each store module brings its query API (src/stores/<store>/query); they are merged into this one module
 * because a RouterModule prefix applies to the controllers of the module it names, not to those of the
 * modules it imports. A store that is not configured serves no view: its routes answer `unknown_view`
 * (they are mounted before forRootAsync's factory says which stores there are).
 */
import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ProjectionsModule } from '../projection-host/projections.module';
import { ProjectionsService } from '../projection-host/projections.service';
import { storeModules } from '../stores/registry';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from './prism-http';

/** The query API of every view store (GET /views/...); needs PrismModule. */
@Module({})
export class PrismQueryModule implements NestModule {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  configure(consumer: MiddlewareConsumer): void {
    const controllers = (Reflect.getMetadata('controllers', PrismQueryModule) ?? []) as Type[];
    if (controllers.length > 0)
      consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...controllers);
  }
}

/**
 * (Re)declares PrismQueryModule's contents from the store registry: every registered store's query API,
 * in `routeOrder` (Nest matches routes in the order they are registered, so a store with catch-all routes,
 * GET /views/:name/:key, goes after stores with fixed segments). Run when this file loads and again by
 * PrismModule.forRoot / forRootAsync, so a store registered in between (`registerStoreModule`) is mounted.
 */
export function declareQueryApis(): void {
  const apis = storeModules()
    .flatMap((module) =>
      module.connection.query ? [{ kind: module.kind, query: module.connection.query }] : [],
    )
    .sort((a, b) => a.query.routeOrder - b.query.routeOrder)
    .map(({ kind, query }) =>
      query.module({
        imports: [ProjectionsModule],
        inject: [ProjectionsService],
        useFactory: (projections: ProjectionsService) => projections.queryHost(kind),
      }),
    );
  Module(merged(apis))(PrismQueryModule);
}

/** The contents of several dynamic modules as one module's (their own module classes hold nothing). */
function merged(modules: readonly DynamicModule[]): ModuleMetadata {
  const imports = new Set<NonNullable<ModuleMetadata['imports']>[number]>();
  const controllers: Type[] = [];
  const providers: NonNullable<ModuleMetadata['providers']> = [];
  for (const module of modules) {
    for (const imported of module.imports ?? []) imports.add(imported);
    controllers.push(...(module.controllers ?? []));
    providers.push(...(module.providers ?? []));
  }
  return { imports: [...imports], controllers: withPrismErrorFormat(controllers), providers };
}

declareQueryApis();
