/**
 * GET /health/live, /health/ready and /health/components (src/observability/README.md) as one module a
 * team's app can import on its own, under its own prefix. Open (no role), for probes. Needs
 * PrismModule.forRoot (or forRootAsync) in the app.
 */
import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from '../observability/health/health.controller';
import { ProjectionsModule } from '../projection-host/projections.module';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from './prism-http';

const CONTROLLERS = withPrismErrorFormat([HealthController] as const);

/** GET /health/live, /health/ready, /health/components; needs PrismModule. */
@Module({
  // Readiness changes are logged by HealthController; terminus's own console logger is off.
  imports: [TerminusModule.forRoot({ logger: false }), ProjectionsModule],
  controllers: [...CONTROLLERS],
})
export class PrismHealthModule implements NestModule {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...CONTROLLERS);
  }
}
