/**
 * GET /metrics (Prometheus text: commands, projections, stores) as one module a team's app can import on
 * its own, under its own prefix. Open like /health (no role); bind it to a private port or put the app's
 * own guard in front. Needs PrismModule.forRoot (or forRootAsync) in the app.
 */
import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MetricsController } from '../observability/metrics/metrics.controller';
import { ProjectionsModule } from '../projection-host/projections.module';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from './prism-http';

const CONTROLLERS = withPrismErrorFormat([MetricsController] as const);

/** GET /metrics (Prometheus); needs PrismModule. */
@Module({ imports: [ProjectionsModule], controllers: [...CONTROLLERS] })
export class PrismMetricsModule implements NestModule {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...CONTROLLERS);
  }
}
