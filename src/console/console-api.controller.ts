/**
 * The console's data beyond the admin API, admin key required:
 *
 *   GET /admin/console/overview                  statuses + store + broken definition files + lag/rate history
 *   GET /admin/projections/:name/definition      the definition's YAML (file as it is now, and what runs)
 *   GET /admin/projections/:name/generations     every generation of the view (building, active, retired)
 *
 *   404 unknown projection   503 the projection runtime is not up (overview only)
 */
import { Controller, Get, HttpException, HttpStatus, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOperation } from '../admin/admin.openapi';
import { ProjectionRuntimeUnavailableError } from '../admin/admin.errors';
import { answerOrThrow } from '../admin/http-answer';
import { RequireRole } from '../auth/require-role.decorator';
import { UnknownProjectionError } from '../runtime/runtime.errors';
import type { ConsoleOverviewJson, DefinitionSourceJson, GenerationsJson } from './console.dto';
import { ConsoleService } from './console.service';

@ApiTags('admin')
@Controller('admin')
@RequireRole('admin')
export class ConsoleApiController {
  constructor(@Inject(ConsoleService) private readonly console: ConsoleService) {}

  @Get('console/overview')
  @AdminOperation({
    summary: 'Every projection: status, store, lag and rate of the last minutes; broken definition files',
    ok: { status: 200, schema: 'ConsoleOverview' },
    errors: ['projection_runtime_unavailable'],
  })
  overview(): Promise<ConsoleOverviewJson> {
    return answerOrThrow(() => this.console.overview(), toHttpError);
  }

  @Get('projections/:name/definition')
  @AdminOperation({
    summary: "A projection's definition: its file as it is now, and the definition that runs",
    ok: { status: 200, schema: 'DefinitionSource' },
    errors: ['unknown_projection'],
  })
  definition(@Param('name') name: string): Promise<DefinitionSourceJson> {
    return answerOrThrow(async () => this.console.definition(name), toHttpError);
  }

  @Get('projections/:name/generations')
  @AdminOperation({
    summary: 'Every generation of the view: building, active or retired',
    ok: { status: 200, schema: 'GenerationList' },
    errors: ['unknown_projection'],
  })
  generations(@Param('name') name: string): Promise<GenerationsJson> {
    return answerOrThrow(() => this.console.generations(name), toHttpError);
  }
}

function toHttpError(error: unknown): unknown {
  if (error instanceof UnknownProjectionError) {
    return new HttpException(
      { error: 'unknown_projection', message: error.message, known: [...error.known] },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof ProjectionRuntimeUnavailableError) {
    return new HttpException(
      { error: 'projection_runtime_unavailable', message: error.message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}
