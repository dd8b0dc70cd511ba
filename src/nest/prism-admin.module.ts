/**
 * The admin API as one module a team's app can import on its own, under its own prefix
 * (`RouterModule.register([{ path: 'ops/prism', module: PrismAdminModule }])`): /admin/projections
 * (status, pause, resume, rebuild, parked events, drop), /admin/nodes (the Prism processes and their leases), /admin/projections/:name/verify and /plan, and the
 * console (/console). Its routes require the admin role from Prism's guard (or the app's own guards with
 * `auth: false`). Needs PrismModule.forRoot (or forRootAsync) in the app.
 */
import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AdminController } from '../admin/admin.controller';
import { AdminModule } from '../admin/admin.module';
import { NodesController } from '../admin/nodes.controller';
import { ChecksController } from '../admin/checks/checks.controller';
import { ChecksModule } from '../admin/checks/checks.module';
import { ConsoleApiController } from '../console/console-api.controller';
import { ConsoleAssetsController } from '../console/console-assets.controller';
import { ConsoleModule } from '../console/console.module';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from './prism-http';

// The controllers are declared here, not in their feature modules: a RouterModule prefix applies to the
// controllers of the module it names, not to those of the modules it imports.
const CONTROLLERS = withPrismErrorFormat([
  AdminController,
  NodesController,
  ChecksController,
  ConsoleAssetsController,
  ConsoleApiController,
] as const);

/** The admin API and console (/admin/projections, verify, plan, /console); needs PrismModule. */
@Module({ imports: [AdminModule, ChecksModule, ConsoleModule], controllers: [...CONTROLLERS] })
export class PrismAdminModule implements NestModule {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...CONTROLLERS);
  }
}
