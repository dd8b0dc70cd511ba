import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projection-host/projections.module';
import { AdminService } from './admin.service';

/**
 * The admin service over the projection runtime. Its routes (`/admin/projections`, admin key required)
 * are mounted by PrismAdminModule (src/nest), which a team's app may import under its own prefix.
 */
@Module({
  imports: [ProjectionsModule],
  providers: [AdminService],
  exports: [AdminService],
})
export class AdminModule {}
