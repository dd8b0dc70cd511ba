import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../../projection-host/projections.module';
import { ChecksController } from './checks.controller';
import { ChecksService } from './checks.service';

/** `prism verify` and `prism plan` on the server side (see checks.controller.ts). */
@Module({
  imports: [ProjectionsModule],
  controllers: [ChecksController],
  providers: [ChecksService],
})
export class ChecksModule {}
