/**
 * The Prism application: global config and event store, the CQRS buses, and one module per feature.
 * Later features (projections, queries, admin) are added to `imports`.
 */
import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AdminModule } from './admin/admin.module';
import { AppendModule } from './append/append.module';
import type { Aggregate } from './aggregates/aggregate.types';
import { PrismAggregatesModule } from './aggregates/aggregates.module';
import { ChecksModule } from './admin/checks/checks.module';
import { AuthModule } from './auth/auth.module';
import { credentialsInUrlMiddleware } from './auth/credentials-in-url.middleware';
import { ConsoleModule } from './console/console.module';
import { correlationIdMiddleware } from './http/correlation-id.middleware';
import { ErrorResponseFilter } from './http/error-response.filter';
import { jsonContentTypeMiddleware } from './http/json-content-type.middleware';
import { loadConfig, type AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { EventStoreModule } from './eventstore/event-store.module';
import { isReadOnlyLog } from './eventstore/event-store.settings';
import { LifecycleModule, SHUTDOWN_GATE } from './lifecycle/lifecycle.module';
import type { ShutdownGate } from './lifecycle/shutdown-gate';
import { shutdownGateMiddleware } from './lifecycle/shutdown-gate.middleware';
import { ObservabilityModule } from './observability/observability.module';
import { ProjectionsModule } from './projection-host/projections.module';
import { ProjectionsService } from './projection-host/projections.service';
import { ConsistencyModule } from './query/consistency/consistency.module';
import { storeModules } from './stores/registry';

/** What the app serves besides Prism's own routes (PrismModule in src/nest will take this over). */
export interface AppContent {
  /** Defined aggregates (defineAggregate) whose command routes the app serves. */
  readonly aggregates?: readonly Aggregate[];
}

@Module({})
export class AppModule implements NestModule {
  /** `config` defaults to the environment (loadConfig()); tests and benchmarks pass their own. */
  static forRoot(given?: AppConfig, content: AppContent = {}): DynamicModule {
    const config = given ?? loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(),
        CqrsModule.forRoot(),
        // The write side (CommandsModule, global), the command routes of the app's aggregates and the append
        // route; over a log another tool writes (PRISM_EVENT_STORE=sql-table) nothing may append: none of them.
        ...(isReadOnlyLog(config.eventStore)
          ? []
          : [PrismAggregatesModule.forRoot(content.aggregates), AppendModule]),
        ProjectionsModule,
        AuthModule,
        AdminModule,
        ChecksModule,
        ConsoleModule,
        LifecycleModule,
        ObservabilityModule.forRoot(),
        ConsistencyModule,
        ...storeQueryModules(config),
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

/**
 * The query API of each configured view store, reading through the store's one connection (opened by
 * ProjectionsService). Ordered by each store's `routeOrder`: Nest matches routes in registration order, so
 * a store with catch-all routes (GET /views/:name/:key) goes after stores with fixed segments.
 */
function storeQueryModules(config: AppConfig): DynamicModule[] {
  return storeModules()
    .filter((module) => config.viewStores[module.kind] !== undefined)
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
}
