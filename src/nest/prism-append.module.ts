/**
 * The append route (src/append: `POST /streams/{streamId}/events`, writer role) as PrismModule mounts it:
 * with Prism's request checks and error format on it, like every Prism route in a team's app.
 */
import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppendController } from '../append/append.controller';
import { AppendModule } from '../append/append.module';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from './prism-http';

const CONTROLLERS = withPrismErrorFormat([AppendController] as const);

@Module({ imports: [AppendModule] })
export class PrismAppendModule implements NestModule {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...CONTROLLERS);
  }
}
