import { Module } from '@nestjs/common';
import { NodeCoordinationService } from './node-coordination.service';
import { ProjectionsService } from './projections.service';

/** The projection runtime as part of the app (see ProjectionsService), and this node among others. */
@Module({
  providers: [ProjectionsService, NodeCoordinationService],
  exports: [ProjectionsService, NodeCoordinationService],
})
export class ProjectionsModule {}
