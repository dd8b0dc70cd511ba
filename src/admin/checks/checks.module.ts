import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../../projection-host/projections.module';
import { AdminModule } from '../admin.module';
import { ChecksService } from './checks.service';

/**
 * `prism verify` and `prism plan` on the server side; their routes (checks.controller.ts) are mounted by
 * PrismAdminModule (src/nest).
 */
@Module({
  imports: [ProjectionsModule, AdminModule],
  providers: [ChecksService],
  exports: [ChecksService],
})
export class ChecksModule {}
