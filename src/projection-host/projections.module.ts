import { Module } from '@nestjs/common';
import { ProjectionsService } from './projections.service';

/** The projection runtime as part of the app (see ProjectionsService). */
@Module({ providers: [ProjectionsService], exports: [ProjectionsService] })
export class ProjectionsModule {}
