/**
 * Metrics (GET /metrics), health (GET /health/live, /health/ready, /health/components) and the request
 * log context.
 * Global, so ProjectionsService finds the RUNTIME_OBSERVER; structured logging itself is chosen in main.ts
 * (createLogger) because Nest takes its logger before any module exists.
 */
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ProjectionsModule } from '../projections/projections.module';
import { HealthController } from './health/health.controller';
import { logContextMiddleware } from './logging/log-context';
import { CommandMetricsInterceptor } from './metrics/command-metrics.interceptor';
import { MetricsController } from './metrics/metrics.controller';
import { PrismMetrics } from './metrics/prism-metrics';
import { RUNTIME_OBSERVER } from './observability.tokens';

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
        { provide: RUNTIME_OBSERVER, useExisting: PrismMetrics },
        { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor },
      ],
      exports: [RUNTIME_OBSERVER, PrismMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(logContextMiddleware).forRoutes('*');
  }
}
