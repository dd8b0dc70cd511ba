/**
 * The graph query API as a Nest module. It needs a neo4j-driver `Driver` and a `GraphViewRegistry`;
 * it closes the driver at shutdown only when told it owns it (`ownsDriver`), otherwise whoever provides it does.
 *
 *   GraphQueryModule.forRoot({ driver, registry })
 *   GraphQueryModule.forRootAsync({ imports: [...], inject: [NEO4J_DRIVER, GRAPH_VIEW_REGISTRY],
 *     useFactory: (driver, registry) => ({ driver, registry, timeoutMs: 5_000 }) })
 */
import {
  type DynamicModule,
  type InjectionToken,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Driver } from 'neo4j-driver';
import { GraphQueryController } from './graph-query.controller';
import { GraphQueryService, type GraphQueryOptions } from './graph-query.service';
import type { GraphViewRegistry } from './graph-view-registry';

/** Injection tokens the lead's modules may use to provide the two dependencies. */
export const NEO4J_DRIVER = Symbol('NEO4J_DRIVER');
export const GRAPH_VIEW_REGISTRY = Symbol('GRAPH_VIEW_REGISTRY');
const GRAPH_QUERY_MODULE_OPTIONS = Symbol('GRAPH_QUERY_MODULE_OPTIONS');

export interface GraphQueryModuleOptions extends GraphQueryOptions {
  readonly driver: Driver;
  readonly registry: GraphViewRegistry;
  /** Close the driver when the application shuts down (it was made for this module alone). */
  readonly ownsDriver?: boolean;
}

export interface GraphQueryModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: readonly InjectionToken[];
  readonly useFactory: (...args: never[]) => GraphQueryModuleOptions | Promise<GraphQueryModuleOptions>;
}

/** Closes an owned driver at shutdown, so its connection pool does not keep the process alive. */
@Injectable()
class OwnedDriverCloser implements OnApplicationShutdown {
  constructor(@Inject(GRAPH_QUERY_MODULE_OPTIONS) private readonly options: GraphQueryModuleOptions) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.options.ownsDriver === true) await this.options.driver.close();
  }
}

@Module({})
export class GraphQueryModule {
  static forRoot(options: GraphQueryModuleOptions): DynamicModule {
    return GraphQueryModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: GraphQueryModuleAsyncOptions): DynamicModule {
    return {
      module: GraphQueryModule,
      imports: options.imports ?? [],
      controllers: [GraphQueryController],
      providers: [
        {
          provide: GRAPH_QUERY_MODULE_OPTIONS,
          useFactory: options.useFactory,
          inject: [...(options.inject ?? [])],
        },
        {
          provide: GraphQueryService,
          useFactory: (resolved: GraphQueryModuleOptions) =>
            new GraphQueryService(resolved.driver, resolved.registry, resolved),
          inject: [GRAPH_QUERY_MODULE_OPTIONS],
        },
        OwnedDriverCloser,
      ],
      exports: [GraphQueryService],
    };
  }
}
