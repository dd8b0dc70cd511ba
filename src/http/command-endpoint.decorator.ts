import { applyDecorators, HttpCode, HttpStatus, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  CommandAcceptedDto,
  ConflictResponseDto,
  ErrorResponseDto,
  ValidationErrorResponseDto,
} from './command-response.dto';
import { WRITE_RESPONSE_HEADERS } from './command-response.headers';
import { CommandResponseInterceptor } from './command-response.interceptor';
import { CommandRoute } from './command-route.decorator';
import { CORRELATION_ID_HEADER, IDEMPOTENCY_KEY_HEADER } from './request-context';

export interface CommandEndpointOptions {
  readonly summary: string;
  /** 201 for commands that create an aggregate, 202 for the rest. */
  readonly creates?: boolean;
  /** The domain's own error codes this route may answer, by status, listed in the OpenAPI descriptions. */
  readonly codes?: Readonly<Partial<Record<404 | 409 | 422, readonly string[]>>>;
}

/**
 * Everything a command route shares: the command-route mark (metrics and tracing find commands by it),
 * status code, response shape and its OpenAPI description.
 */
export function CommandEndpoint({
  summary,
  creates = false,
  codes = {},
}: CommandEndpointOptions): MethodDecorator {
  const withCodes = (description: string, status: 404 | 409 | 422) =>
    codes[status]?.length ? `${description} Codes: ${codes[status].join(', ')}.` : description;
  const success = creates
    ? ApiCreatedResponse({
        type: CommandAcceptedDto,
        description: 'Created.',
        headers: WRITE_RESPONSE_HEADERS,
      })
    : ApiAcceptedResponse({
        type: CommandAcceptedDto,
        description: 'Accepted.',
        headers: WRITE_RESPONSE_HEADERS,
      });
  return applyDecorators(
    CommandRoute(),
    HttpCode(creates ? HttpStatus.CREATED : HttpStatus.ACCEPTED),
    UseInterceptors(CommandResponseInterceptor),
    ApiOperation({ summary }),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes retries safe: the same key and request returns the first result without writing again.',
    }),
    ApiHeader({
      name: CORRELATION_ID_HEADER,
      required: false,
      description: 'Recorded on every event; generated when absent.',
    }),
    ...(creates
      ? []
      : [
          ApiHeader({
            name: 'If-Match',
            required: false,
            description:
              'The stream revision the client last saw (like body expectedRevision): 409 if it moved on.',
          }),
        ]),
    success,
    ApiBadRequestResponse({
      type: ValidationErrorResponseDto,
      description: 'Invalid request; see `fields`.',
    }),
    ApiNotFoundResponse({
      type: ErrorResponseDto,
      description: withCodes('An aggregate the command needs does not exist.', 404),
    }),
    ApiConflictResponse({
      type: ConflictResponseDto,
      description: withCodes(
        'concurrency_conflict (the stream moved on), already exists, or idempotency_key_in_progress.',
        409,
      ),
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorResponseDto,
      description: withCodes('A business rule forbids the command, or idempotency_key_reused.', 422),
    }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: 'The event store is unavailable; nothing was written.',
    }),
  );
}
