/**
 * The search API as a Nest module. It needs two things from the application, given as factories:
 *  - an Elasticsearch `Client`: closed when the application shuts down if it was made for this module
 *    (`ownsClient`, the default); the app passes the process's one client (../elasticsearch.connection.ts),
 *    which it closes itself;
 *  - a SearchViewRegistry (e.g. `registryOfProjections(compiledProjections, prefix)`).
 *
 *   SearchModule.register({
 *     imports: [ConfigModule],
 *     inject: [AppConfig],
 *     client: (config: AppConfig) => new Client({ node: config.elasticsearchUrl }),
 *     registry: (config: AppConfig) => registryOfProjections(config.projections),
 *   })
 */
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import type { RawSearchLimits } from './raw-query.guard';
import { SearchController } from './search.controller';
import { DEFAULT_SEARCH_LIMITS, SearchService } from './search.service';
import type { SearchViewRegistry } from './search-view.registry';

export const SEARCH_ELASTICSEARCH_CLIENT = Symbol('SEARCH_ELASTICSEARCH_CLIENT');
export const SEARCH_VIEW_REGISTRY = Symbol('SEARCH_VIEW_REGISTRY');

export interface SearchModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  /** Providers passed to the factories, in order. */
  readonly inject?: readonly InjectionToken[];
  readonly client: (...dependencies: never[]) => Client | Promise<Client>;
  readonly registry: (...dependencies: never[]) => SearchViewRegistry | Promise<SearchViewRegistry>;
  readonly limits?: Partial<RawSearchLimits>;
  /** Close the client when the application shuts down (it was made for this module alone). Default true. */
  readonly ownsClient?: boolean;
}

/** Closes the module's client at shutdown, so its sockets do not keep the process alive. */
@Injectable()
class SearchClientCloser implements OnApplicationShutdown {
  constructor(@Inject(SEARCH_ELASTICSEARCH_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Module({})
export class SearchModule {
  static register(options: SearchModuleOptions): DynamicModule {
    const inject = [...(options.inject ?? [])];
    const limits: RawSearchLimits = { ...DEFAULT_SEARCH_LIMITS, ...options.limits };
    return {
      module: SearchModule,
      imports: options.imports ?? [],
      controllers: [SearchController],
      providers: [
        { provide: SEARCH_ELASTICSEARCH_CLIENT, useFactory: options.client, inject },
        { provide: SEARCH_VIEW_REGISTRY, useFactory: options.registry, inject },
        {
          provide: SearchService,
          useFactory: (client: Client, registry: SearchViewRegistry) =>
            new SearchService(client, registry, limits),
          inject: [SEARCH_ELASTICSEARCH_CLIENT, SEARCH_VIEW_REGISTRY],
        },
        ...(options.ownsClient === false ? [] : [SearchClientCloser]),
      ],
      exports: [SearchService],
    };
  }
}
