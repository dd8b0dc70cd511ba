/**
 * The Prism application: global config and event store, the CQRS buses, and one module per feature.
 * Later features (projections, queries, admin) are added to `imports`.
 */
import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AdminModule } from './admin/admin.module';
import { ChecksModule } from './admin/checks/checks.module';
import { AuthModule } from './auth/auth.module';
import { credentialsInUrlMiddleware } from './auth/credentials-in-url.middleware';
import { CommandsModule } from './commands/commands.module';
import { ConsoleModule } from './console/console.module';
import { correlationIdMiddleware } from './http/correlation-id.middleware';
import { ErrorResponseFilter } from './http/error-response.filter';
import {
  createElasticsearchClient,
  type ElasticsearchConnection,
} from './stores/elasticsearch/elasticsearch-connection';
import { jsonContentTypeMiddleware } from './http/json-content-type.middleware';
import { loadConfig, type AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { EventStoreModule } from './eventstore/event-store.module';
import { LifecycleModule, SHUTDOWN_GATE } from './lifecycle/lifecycle.module';
import type { ShutdownGate } from './lifecycle/shutdown-gate';
import { shutdownGateMiddleware } from './lifecycle/shutdown-gate.middleware';
import { ObservabilityModule } from './observability/observability.module';
import { ProjectionsModule } from './projection-host/projections.module';
import { ProjectionsService } from './projection-host/projections.service';
import { createNeo4jDriver, type Neo4jConnection } from './stores/neo4j/neo4j-connection';
import { GraphQueryModule } from './stores/neo4j/query/graph-query.module';
import { graphViewRegistryOf } from './stores/neo4j/query/graph-view-registry';
import { ConsistencyModule } from './query/consistency/consistency.module';
import { RelationalQueryModule } from './stores/relational/query/relational-query.module';
import { SearchModule } from './stores/elasticsearch/query/search.module';
import { registryOfProjections } from './stores/elasticsearch/query/search-view.registry';
import { RelationalTarget } from './stores/relational/relational.target';

@Module({})
export class AppModule implements NestModule {
  /** `config` defaults to the environment (loadConfig()); tests and benchmarks pass their own. */
  static forRoot(given?: AppConfig): DynamicModule {
    const config = given ?? loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(),
        CqrsModule.forRoot(),
        CommandsModule,
        ProjectionsModule,
        AuthModule,
        AdminModule,
        ChecksModule,
        ConsoleModule,
        LifecycleModule,
        ObservabilityModule.forRoot(),
        ...(config.elasticsearch ? [searchModule(config.elasticsearch)] : []),
        ...(config.neo4j ? [graphQueryModule(config.neo4j)] : []),
        ConsistencyModule,
        // After search and graph: its GET /views/:name/:key would also match GET /views/:name/search.
        relationalQueryModule(),
      ],
      // Bodies are validated per parameter (@ValidBody), which also works without decorator metadata.
      providers: [{ provide: APP_FILTER, useClass: ErrorResponseFilter }],
    };
  }

  constructor(@Inject(SHUTDOWN_GATE) private readonly shutdownGate: ShutdownGate) {}

  configure(consumer: MiddlewareConsumer): void {
    // On every route, matched or not: a credential in the URL is refused before anything logs the URL, and
    // a body that is not JSON before any handler sees it (issue #12 items 4 and 10).
    consumer
      .apply(
        correlationIdMiddleware,
        // A draining node refuses new commands before anything else reads them (issue #18).
        shutdownGateMiddleware(this.shutdownGate),
        credentialsInUrlMiddleware,
        jsonContentTypeMiddleware,
      )
      .forRoutes('*');
  }
}

/** Filter, sort and page the relational views (PostgreSQL or embedded SQLite) through the target's connection. */
function relationalQueryModule(): DynamicModule {
  return RelationalQueryModule.register({
    imports: [ProjectionsModule],
    inject: [ProjectionsService],
    source: (projections: ProjectionsService) => ({
      projections: projections.catalog.projections,
      target: () => {
        const target = projections.target('postgres');
        return target instanceof RelationalTarget ? target : undefined;
      },
    }),
  });
}

/** The search API over the Elasticsearch views of the loaded definitions. */
function searchModule(connection: ElasticsearchConnection): DynamicModule {
  return SearchModule.register({
    imports: [ProjectionsModule],
    inject: [ProjectionsService],
    client: () => createElasticsearchClient(connection),
    registry: (projections: ProjectionsService) => registryOfProjections(projections.catalog.projections),
  });
}

/** Named, read-only graph queries over the Neo4j views of the loaded definitions. */
function graphQueryModule(connection: Neo4jConnection): DynamicModule {
  return GraphQueryModule.forRootAsync({
    imports: [ProjectionsModule],
    inject: [ProjectionsService],
    useFactory: (projections: ProjectionsService) => ({
      driver: createNeo4jDriver(connection),
      ownsDriver: true,
      registry: graphViewRegistryOf(projections.catalog.projections),
    }),
  });
}
