/**
 * Metrics (the PrismMetrics registry), tracing (when configured) and the command interceptors that feed
 * them. Global, so ProjectionsService finds the RUNTIME_OBSERVER. The routes are mounted apart, so a team's
 * app can choose them: GET /metrics by PrismMetricsModule, GET /health/* by PrismHealthModule (src/nest).
 * Structured logging itself is chosen in main.ts (createLogger) because Nest takes its logger before any
 * module exists; the request log context is one of the request checks (src/nest/prism-http.ts).
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CommandMetricsInterceptor } from './metrics/command-metrics.interceptor';
import { PrismMetrics } from './metrics/prism-metrics';
import { RUNTIME_OBSERVER } from './observability.tokens';
import { CommandTracingInterceptor } from './tracing/command-tracing.interceptor';
import { tracingProviders } from './tracing/tracing.providers';
import { TRACING } from './tracing/tracing.tokens';

@Module({})
export class ObservabilityModule {
  static forRoot(): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      providers: [
        { provide: PrismMetrics, useFactory: () => new PrismMetrics() },
        // RUNTIME_OBSERVER (metrics, plus projection spans when tracing is on) and the TRACING handle.
        ...tracingProviders,
        { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor },
        { provide: APP_INTERCEPTOR, useClass: CommandTracingInterceptor },
      ],
      exports: [RUNTIME_OBSERVER, PrismMetrics, TRACING],
    };
  }
}
