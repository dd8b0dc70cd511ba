import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ProjectionsModule } from '../projection-host/projections.module';
import { ConsoleApiController } from './console-api.controller';
import { ConsoleAssetsController } from './console-assets.controller';
import { ConsoleService } from './console.service';

/** The projection console: its page at /console and the admin data it reads beyond /admin/projections. */
@Module({
  imports: [ProjectionsModule, AdminModule],
  controllers: [ConsoleAssetsController, ConsoleApiController],
  providers: [ConsoleService],
})
export class ConsoleModule {}
