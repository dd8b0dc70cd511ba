/**
 * Metrics (GET /metrics), health (GET /health/live, /health/ready, /health/components), tracing (when
 * configured) and the request log context.
 * Global, so ProjectionsService finds the RUNTIME_OBSERVER; structured logging itself is chosen in main.ts
 * (createLogger) because Nest takes its logger before any module exists.
 */
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ProjectionsModule } from '../projection-host/projections.module';
import { HealthController } from './health/health.controller';
import { logContextMiddleware } from './logging/log-context';
import { CommandMetricsInterceptor } from './metrics/command-metrics.interceptor';
import { MetricsController } from './metrics/metrics.controller';
import { PrismMetrics } from './metrics/prism-metrics';
import { RUNTIME_OBSERVER } from './observability.tokens';
import { CommandTracingInterceptor } from './tracing/command-tracing.interceptor';
import { tracingProviders } from './tracing/tracing.providers';
import { TRACING } from './tracing/tracing.tokens';

@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      // Readiness changes are logged by HealthController; terminus's own console logger is off.
      imports: [TerminusModule.forRoot({ logger: false }), ProjectionsModule],
      controllers: [MetricsController, HealthController],
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

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(logContextMiddleware).forRoutes('*');
  }
}
