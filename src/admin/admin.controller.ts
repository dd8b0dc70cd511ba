/**
 * `/admin/projections`: the projection runtime's operations over HTTP, for operators and the `prism` CLI.
 * Needs an admin API key (see src/auth). Every failure a caller can act on is a 4xx/503 that says how:
 *
 *   404 unknown projection (names the known ones) or no parked event at that position
 *   409 the projection is not running (starting or failed)   400 a position that is not a log position
 *   503 the projection runtime is not up (targets unreachable, still starting)
 *
 * `DELETE /admin/projections/:name` drops an orphaned projection (its definition was removed from the
 * folder; status lists it as `orphaned`): its tables, indices or nodes (every generation) and bookkeeping.
 * `?dryRun=true` lists them without deleting. 409 while a definition of it is loaded, 404 when no store
 * holds it.
 *
 * `reset` is a rebuild from position 0 beside the live view, swapped in at the head, so readers never see an
 * emptied view; an in-place reset to an arbitrary position is deliberately not offered, because a view is
 * not reversible (its documents cannot be rewound to what they were at an earlier position).
 */
import { Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/require-role.decorator';
import type {
  ParkedEventJson,
  ParkedResolutionJson,
  ProjectionDropJson,
  ProjectionStatusJson,
  RebuildStartedJson,
} from './admin.dto';
import { InvalidAdminParameterError } from './admin.errors';
import { AdminOperation, FORWARDING_CODES } from './admin.openapi';
import { toHttpError } from './admin-http-errors';
import { AdminService } from './admin.service';
import { answerOrThrow } from './http-answer';

/** A forwarded operation on one running projection: its own refusals and the forwarding ones. */
const RUNNING_PROJECTION = [
  'unknown_projection',
  'projection_not_running',
  'projection_runtime_unavailable',
  ...FORWARDING_CODES,
] as const;
const PARKED_EVENT = ['invalid_position', 'parked_event_not_found', ...RUNNING_PROJECTION] as const;

@ApiTags('admin')
@Controller('admin/projections')
@RequireRole('admin')
export class AdminController {
  constructor(@Inject(AdminService) private readonly admin: AdminService) {}

  @Get()
  @AdminOperation({
    summary: 'Status of every projection: state, checkpoint, lag, throughput, parked events',
    ok: { status: 200, schema: 'ProjectionList' },
    errors: ['projection_runtime_unavailable'],
  })
  async list(): Promise<{ projections: ProjectionStatusJson[] }> {
    return { projections: await answer(() => this.admin.statuses()) };
  }

  @Get(':name')
  @AdminOperation({
    summary: 'Status of one projection, including a rebuild in progress',
    ok: { status: 200, schema: 'ProjectionStatus' },
    errors: ['unknown_projection', 'projection_runtime_unavailable'],
  })
  status(@Param('name') name: string): Promise<ProjectionStatusJson> {
    return answer(() => this.admin.status(name));
  }

  @Post(':name/pause')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Stop applying events (kept across restarts until resumed)',
    ok: { status: 200, schema: 'ProjectionStatus' },
    errors: RUNNING_PROJECTION,
  })
  pause(@Param('name') name: string): Promise<ProjectionStatusJson> {
    return answer(() => this.admin.pause(name));
  }

  @Post(':name/resume')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Apply events again from the checkpoint',
    ok: { status: 200, schema: 'ProjectionStatus' },
    errors: RUNNING_PROJECTION,
  })
  resume(@Param('name') name: string): Promise<ProjectionStatusJson> {
    return answer(() => this.admin.resume(name));
  }

  @Post(':name/rebuild')
  @HttpCode(HttpStatus.ACCEPTED)
  @AdminOperation({
    summary: 'Build a new generation from the start beside the live view; swapped in at the head',
    ok: { status: 202, schema: 'RebuildStarted' },
    errors: RUNNING_PROJECTION,
  })
  rebuild(@Param('name') name: string): Promise<RebuildStartedJson> {
    return answer(() => this.admin.rebuild(name));
  }

  @Post(':name/reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @AdminOperation({
    summary: 'Reset the checkpoint to position 0: a rebuild beside the live view, swapped in at the head',
    description:
      'Readers never see an emptied view. An in-place reset to an arbitrary position is not offered: views are not reversible.',
    ok: { status: 202, schema: 'RebuildStarted' },
    errors: RUNNING_PROJECTION,
  })
  reset(@Param('name') name: string): Promise<RebuildStartedJson> {
    return answer(() => this.admin.reset(name));
  }

  @Get(':name/parked')
  @AdminOperation({
    summary: 'Parked events (failed) and the events held behind them',
    ok: { status: 200, schema: 'ParkedEventList' },
    errors: ['unknown_projection', 'projection_runtime_unavailable'],
  })
  async parked(@Param('name') name: string): Promise<{ projection: string; parked: ParkedEventJson[] }> {
    return { projection: name, parked: await answer(() => this.admin.parked(name)) };
  }

  @Post(':name/parked/:position/replay')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Apply a parked event again, then the events held behind it',
    ok: { status: 200, schema: 'ParkedResolution' },
    errors: PARKED_EVENT,
  })
  replay(@Param('name') name: string, @Param('position') position: string): Promise<ParkedResolutionJson> {
    return answer(() => this.admin.replay(name, position));
  }

  @Post(':name/parked/:position/discard')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Drop a parked event for good, then apply the events held behind it',
    ok: { status: 200, schema: 'ParkedResolution' },
    errors: PARKED_EVENT,
  })
  discard(@Param('name') name: string, @Param('position') position: string): Promise<ParkedResolutionJson> {
    return answer(() => this.admin.discard(name, position));
  }

  @Delete(':name')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Drop an orphaned projection (definition removed): every generation and its bookkeeping',
    description:
      'Only for a projection listed as `orphaned`: 409 while a definition of it is loaded. With dryRun=true, lists per store the generations and their physical names without deleting.',
    ok: { status: 200, schema: 'ProjectionDrop' },
    errors: [
      'invalid_admin_parameter',
      'orphaned_projection_not_found',
      'projection_still_defined',
      'projection_runtime_unavailable',
    ],
  })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  drop(@Param('name') name: string, @Query('dryRun') dryRun?: string): Promise<ProjectionDropJson> {
    return answer(() => this.admin.drop(name, parseDryRun(dryRun)));
  }
}

function parseDryRun(given: string | undefined): boolean {
  if (given === undefined || given === 'false') return false;
  if (given === 'true') return true;
  throw new InvalidAdminParameterError('dryRun', given, '`true` or `false`');
}

/** The controller's work, with its failures answered as HTTP errors (toHttpError). */
function answer<T>(work: () => Promise<T>): Promise<T> {
  return answerOrThrow(work, toHttpError);
}
