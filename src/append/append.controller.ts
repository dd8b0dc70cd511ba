/**
 * `POST /streams/{streamId}/events`: other services append their own events to Prism's log, for the
 * projections to pick up (issue #14 "events from anywhere"). Writer role. Rules and limits: ./README.md.
 */
import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Injectable,
  Param,
  type PipeTransform,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireRole } from '../auth/require-role.decorator';
import type { CommandContext } from '../commands/command-context';
import type { ExpectedRevision } from '../eventstore/event-store.port';
import { CommandCtx } from '../http/command-context.decorator';
import {
  ConflictResponseDto,
  ErrorResponseDto,
  ValidationErrorResponseDto,
} from '../http/command-response.dto';
import { POSITION_HEADER, REPLAYED_HEADER } from '../http/command-response.interceptor';
import { CommandRoute } from '../http/command-route.decorator';
import { catalogCodes } from '../http/error-catalog.openapi';
import { WRITE_RESPONSE_HEADERS } from '../http/command-response.headers';
import type { HttpRequest, HttpResponse } from '../http/http.types';
import { CORRELATION_ID_HEADER, IDEMPOTENCY_KEY_HEADER } from '../http/request-context';
import { HttpRequestError } from '../http/request.errors';
import { checkStreamId, parseAppendRequest } from './append-request';
import { appendRequestSchema, STREAM_ID_PATTERN, type AppendRequestBody } from './append-request.schema';
import { AppendAcceptedDto } from './append-response.dto';
import { AppendService } from './append.service';

@Injectable()
class StreamIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return checkStreamId(value);
  }
}

@Injectable()
class AppendBodyPipe implements PipeTransform<unknown, AppendRequestBody> {
  transform(value: unknown): AppendRequestBody {
    return parseAppendRequest(value);
  }
}

/** An OpenAPI response description with the codes the error catalog lists for appends (issue #20). */
function appendCodes(description: string, status: number): string {
  return `${description} Codes: ${catalogCodes(status, ['any', 'append']).join(', ')}.`;
}

/** OpenAPI's description of the body, from the schema it is validated against (one source). */
const APPEND_BODY_SCHEMA = z.toJSONSchema(appendRequestSchema, { target: 'openapi-3.0' }) as SchemaObject;

@ApiTags('events')
@Controller('streams')
@RequireRole('writer')
export class AppendController {
  constructor(@Inject(AppendService) private readonly appender: AppendService) {}

  @Post(':streamId/events')
  @CommandRoute()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Append events to a stream',
    description:
      'Appends 1 to 100 events to one stream atomically, if the stream is at the expected revision. ' +
      "Prism sets each event's metadata: userId (the API key's name), correlationId, causationId, timestamp.",
  })
  @ApiParam({
    name: 'streamId',
    schema: { type: 'string', pattern: STREAM_ID_PATTERN.source },
    description: '1-128 letters, digits, _ . : or -, starting with a letter or digit; not idempotency-*.',
  })
  @ApiBody({ required: true, schema: APPEND_BODY_SCHEMA })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      'Makes retries safe: the same key and request returns the first result without writing again.',
  })
  @ApiHeader({
    name: CORRELATION_ID_HEADER,
    required: false,
    description: 'Recorded on every event; generated when absent.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The stream revision the client last saw (like body expectedRevision): 409 if it moved on.',
  })
  @ApiCreatedResponse({ type: AppendAcceptedDto, description: 'Appended.', headers: WRITE_RESPONSE_HEADERS })
  @ApiBadRequestResponse({
    type: ValidationErrorResponseDto,
    description: appendCodes('Invalid request; with validation_failed, `fields` names each field.', 400),
  })
  @ApiConflictResponse({
    type: ConflictResponseDto,
    description: appendCodes(
      'The stream is not at the expected revision, or an event id or the key is in use.',
      409,
    ),
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: appendCodes('The key was used for another request.', 422),
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: appendCodes('The event store is unavailable; nothing was written.', 503),
  })
  async append(
    @Param('streamId', StreamIdPipe) streamId: string,
    @Body(AppendBodyPipe) body: AppendRequestBody,
    @CommandCtx() context: CommandContext,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<AppendAcceptedDto> {
    const expected = expectedRevisionOf(body, request, context);
    const { result, replayed } = await this.appender.append(
      { streamId, events: body.events, expected },
      context,
    );
    const position = result.position.toString();
    response.setHeader(POSITION_HEADER, position);
    response.setHeader('ETag', `"${result.revision}"`);
    if (replayed) response.setHeader(REPLAYED_HEADER, 'true');
    return { streamId: result.streamId, revision: result.revision, position };
  }
}

/**
 * Body `expectedRevision`, else If-Match (read into the context, which also refuses a malformed one or a
 * numeric body value it contradicts), else "any". A body value that is a word and an If-Match together
 * contradict each other too.
 */
function expectedRevisionOf(
  body: AppendRequestBody,
  request: HttpRequest,
  context: CommandContext,
): ExpectedRevision {
  const ifMatch = request.header('If-Match') === undefined ? undefined : context.expectedRevision;
  if (body.expectedRevision !== undefined && ifMatch !== undefined && body.expectedRevision !== ifMatch) {
    throw new HttpRequestError(
      'conflicting_expected_revision',
      `The body says expectedRevision ${JSON.stringify(body.expectedRevision)} but If-Match says ${ifMatch}; ` +
        'send only one of them.',
    );
  }
  return body.expectedRevision ?? ifMatch ?? 'any';
}
