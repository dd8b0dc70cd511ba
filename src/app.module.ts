/**
 * The ready-made server: Prism's Nest module configured from the environment (or a config a test or a
 * benchmark built), serving the example marketplace's aggregates. It is a team's app like any other
 * (README "Use Prism in your own NestJS app"), with two differences: Prism's request checks and error
 * format cover every route, matched or not (a 404 too), and all of Prism's APIs are mounted at the root.
 */
import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Aggregate } from './aggregates/aggregate.types';
import { loadConfig, type AppConfig } from './config/app-config';
import { ErrorResponseFilter } from './http/error-response.filter';
import { SHUTDOWN_GATE } from './lifecycle/lifecycle.module';
import type { ShutdownGate } from './lifecycle/shutdown-gate';
import { prismRequestChecks } from './nest/prism-http';
import { prismOptionsOf } from './nest/prism-options-from-env';
import { PrismModule } from './nest/prism.module';

/** What the app serves besides Prism's own routes. */
export interface AppContent {
  /** Defined aggregates (defineAggregate) whose command routes the app serves. */
  readonly aggregates?: readonly Aggregate[];
}

@Module({})
export class AppModule implements NestModule {
  /** `config` defaults to the environment (loadConfig()); tests and benchmarks pass their own. */
  static forRoot(given?: AppConfig, content: AppContent = {}): DynamicModule {
    const options = prismOptionsOf(given ?? loadConfig());
    return {
      module: AppModule,
      imports: [
        // Over a log another tool writes (PRISM_EVENT_STORE=sql-table, an `eventLog`) nothing may append:
        // no aggregate is served.
        PrismModule.forRoot({
          ...options,
          ...(options.eventLog === undefined && { aggregates: content.aggregates ?? [] }),
        }),
      ],
      // Bodies are validated per parameter (@ValidBody), which also works without decorator metadata.
      providers: [{ provide: APP_FILTER, useClass: ErrorResponseFilter }],
    };
  }

  constructor(@Inject(SHUTDOWN_GATE) private readonly shutdownGate: ShutdownGate) {}

  configure(consumer: MiddlewareConsumer): void {
    // On every route, matched or not: a credential in the URL is refused before anything logs the URL, and
    // a body that is not JSON before any handler sees it (issue #12 items 4 and 10).
    consumer.apply(prismRequestChecks(this.shutdownGate)).forRoutes('*');
  }
}
