/**
 * Checks for operators and definition authors (issue #8), admin key required:
 *
 *   POST /admin/projections/:name/verify   rebuild the view from the log and compare it with the live one
 *                                          (200 with the report, differences or not); stops when the caller
 *                                          disconnects or cancels the request (issue #17)
 *   GET  /admin/projections/:name/verify   progress of a verification running now (404 when none)
 *   POST /admin/plan                       what deploying a definition would do (rebuild? how many events?
 *                                          how long? which documents change on a sample?)
 *
 *   404 unknown projection   409 not verifiable (no live generation yet, definition not stored)
 *   422 the definition does not validate (problems as file:line:col lines)   503 targets not connected
 */
import type { ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../auth/require-role.decorator';
import { formatDefinitionError } from '../../dsl/errors/definition-error';
import { ValidBody } from '../../http/valid-body.decorator';
import {
  ProjectionNotVerifiableError,
  TargetNotConnectedError,
  UnknownProjectionToCheckError,
  VerifyCancelledError,
} from './checks.errors';
import { PlanRequestDto, VerifyOptionsDto } from './checks.dto';
import { ChecksService } from './checks.service';
import { InvalidDefinitionError, type PlanReport } from './plan-definition';
import type { VerifyReport } from './verify-projection';
import { answerOrThrow } from '../http-answer';
import { AdminOperation } from '../admin.openapi';

@ApiTags('admin')
@Controller('admin')
@RequireRole('admin')
export class ChecksController {
  constructor(@Inject(ChecksService) private readonly checks: ChecksService) {}

  @Post('projections/:name/verify')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary: 'Rebuild the view in memory from the log and compare it with the live view',
    description:
      'Compared at one log position even while the projection keeps applying events (see verify-projection.ts). ' +
      'Reports entries only live, only rebuilt, and different (field by field), with counts.',
    ok: { status: 200, schema: 'VerifyReport' },
    errors: [
      'validation_failed',
      'unknown_projection',
      'projection_not_verifiable',
      'target_not_connected',
      'verify_cancelled',
    ],
  })
  async verify(
    @Param('name') name: string,
    @ValidBody(VerifyOptionsDto) body: VerifyOptionsDto,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<VerifyReport> {
    // The response closes before it is written only when the caller went away (disconnected, or aborted
    // the request): the verification has nobody to answer, so its work stops (issue #17).
    const cancel = new AbortController();
    const closed = () => {
      if (!response.writableFinished) cancel.abort(new Error('the HTTP caller disconnected'));
    };
    response.on('close', closed);
    try {
      return await answer(() =>
        this.checks.verify(name, { maxDifferences: body.maxDifferences, signal: cancel.signal }),
      );
    } finally {
      response.off('close', closed);
    }
  }

  @Get('projections/:name/verify')
  @AdminOperation({
    summary: 'Progress of a verification running now',
    ok: { status: 200, schema: 'VerifyProgress' },
    errors: ['no_verification_running'],
  })
  progress(@Param('name') name: string): Record<string, string | number> {
    const progress = this.checks.progress(name);
    if (progress === undefined) {
      throw new HttpException(
        { error: 'no_verification_running', message: `No verification of "${name}" is running now.` },
        HttpStatus.NOT_FOUND,
      );
    }
    return {
      phase: progress.phase,
      startedAt: progress.startedAt,
      eventsFolded: progress.eventsFolded,
      position: progress.position.toString(),
      upTo: progress.upTo.toString(),
      scanned: progress.scanned,
    };
  }

  @Post('plan')
  @HttpCode(HttpStatus.OK)
  @AdminOperation({
    summary:
      'What deploying this definition would do: rebuild or not, events to replay, duration, sample diff',
    ok: { status: 200, schema: 'PlanReport' },
    errors: ['validation_failed', 'invalid_definition', 'target_not_connected'],
  })
  plan(@ValidBody(PlanRequestDto) body: PlanRequestDto): Promise<PlanReport> {
    return answer(() =>
      this.checks.plan(
        { text: body.definition, file: body.filename },
        { sampleStreams: body.sampleStreams, maxDifferences: body.maxDifferences },
      ),
    );
  }
}

/** The controller's work, with its failures answered as HTTP errors (toHttpError). */
function answer<T>(work: () => Promise<T>): Promise<T> {
  return answerOrThrow(work, toHttpError);
}

function toHttpError(error: unknown): unknown {
  if (error instanceof UnknownProjectionToCheckError) {
    return new HttpException({ error: 'unknown_projection', message: error.message }, HttpStatus.NOT_FOUND);
  }
  if (error instanceof ProjectionNotVerifiableError) {
    return new HttpException(
      { error: 'projection_not_verifiable', message: error.message },
      HttpStatus.CONFLICT,
    );
  }
  if (error instanceof InvalidDefinitionError) {
    return new HttpException(
      {
        error: 'invalid_definition',
        message: error.message,
        problems: error.problems.map(formatDefinitionError),
      },
      HttpStatus.UNPROCESSABLE_ENTITY,
    );
  }
  if (error instanceof VerifyCancelledError) {
    // Nobody reads it (the caller is gone); said for completeness and for proxies' logs.
    return new HttpException({ error: 'verify_cancelled', message: error.message }, 499);
  }
  if (error instanceof TargetNotConnectedError) {
    return new HttpException(
      { error: 'target_not_connected', message: error.message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}
