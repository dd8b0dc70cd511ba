import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ProjectionsModule } from '../projection-host/projections.module';
import { ConsoleService } from './console.service';

/**
 * What the projection console reads beyond /admin/projections. Its page (/console) and its data routes are
 * mounted by PrismAdminModule (src/nest).
 */
@Module({
  imports: [ProjectionsModule, AdminModule],
  providers: [ConsoleService],
  exports: [ConsoleService],
})
export class ConsoleModule {}
