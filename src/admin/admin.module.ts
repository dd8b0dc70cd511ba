import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projection-host/projections.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

/** The admin API over the projection runtime (`/admin/projections`, admin key required). */
@Module({
  imports: [ProjectionsModule],
  controllers: [AdminController],
  providers: [AdminService],
  exports: [AdminService],
})
export class AdminModule {}
