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
import { catalogCodes } from './error-catalog.openapi';
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
  // The platform's codes from the error catalog, then the aggregate's own (issue #20: no hand-kept lists).
  const withCodes = (description: string, status: 400 | 404 | 409 | 422 | 503) => {
    // route_not_found (`any`) answers a path no route matches, never a command route's own 404.
    const platform = catalogCodes(status, status === 404 ? ['commands'] : ['any', 'commands']);
    const all = [...platform, ...(codes[status as 404 | 409 | 422] ?? [])];
    return all.length > 0 ? `${description} Codes: ${all.join(', ')}.` : description;
  };
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
      description: withCodes('Invalid request; with validation_failed, `fields` names each field.', 400),
    }),
    ApiNotFoundResponse({
      type: ErrorResponseDto,
      description: withCodes('An aggregate the command needs does not exist.', 404),
    }),
    ApiConflictResponse({
      type: ConflictResponseDto,
      description: withCodes('The stream moved on, the aggregate already exists, or the key is in use.', 409),
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorResponseDto,
      description: withCodes(
        'A business rule forbids the command, or the key was used for another request.',
        422,
      ),
    }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: withCodes(
        'The event store is unavailable, or the node is shutting down; nothing was written.',
        503,
      ),
    }),
  );
}
