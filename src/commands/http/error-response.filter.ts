/**
 * The one place errors become HTTP responses. Every body has a stable `error` code and a `message` that
 * says how to fix the request; some add fields (validation messages, revisions, ids).
 *
 *   400 invalid request (fields, path id, If-Match, Idempotency-Key)   404 unknown aggregate
 *   409 concurrency conflict, already exists, key in progress           422 business rule, key reused
 *   503 event store unavailable                                         500 anything else (logged)
 */
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { HttpRequest, HttpResponse } from './http.types';
import type { JsonObject } from '../../core/json';
import { DomainError, type DomainErrorKind } from '../../domain/domain.errors';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../eventstore/event-store.errors';
import type { ExpectedRevision } from '../../eventstore/event-store.port';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from '../idempotency/idempotency.errors';
import { correlationIdOf } from './request-context';
import {
  ConflictingExpectedRevisionError,
  InvalidIdError,
  InvalidIfMatchError,
  RequestValidationError,
} from './request.errors';

interface ErrorResponse {
  readonly status: number;
  readonly body: JsonObject & { error: string; message: string };
  readonly headers?: Readonly<Record<string, string>>;
}

const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rule_violation: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** Seconds a client should wait before retrying when the store is down. */
const STORE_RETRY_AFTER_SECONDS = 5;

export function errorResponseOf(error: unknown): ErrorResponse | undefined {
  if (error instanceof RequestValidationError) {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: { error: 'validation_failed', message: error.message, fields: { ...error.fields } as JsonObject },
    };
  }
  if (
    error instanceof InvalidIdError ||
    error instanceof InvalidIfMatchError ||
    error instanceof ConflictingExpectedRevisionError ||
    error instanceof InvalidIdempotencyKeyError
  ) {
    return { status: HttpStatus.BAD_REQUEST, body: { error: snakeCase(error.name), message: error.message } };
  }
  if (error instanceof DomainError) {
    return {
      status: DOMAIN_STATUS[error.kind],
      body: { ...error.details, error: error.code, message: error.message },
    };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return {
      status: HttpStatus.CONFLICT,
      body: {
        error: 'concurrency_conflict',
        message: error.message,
        streamId: error.streamId,
        expectedRevision: revisionNumber(error.expected),
        actualRevision: revisionNumber(error.actual),
      },
    };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      body: { error: 'idempotency_key_reused', message: error.message, key: error.key },
    };
  }
  if (error instanceof IdempotencyKeyInProgressError) {
    return {
      status: HttpStatus.CONFLICT,
      body: { error: 'idempotency_key_in_progress', message: error.message, key: error.key },
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: {
        error: 'event_store_unavailable',
        message: `${error.message}. Nothing was written; retry the request later.`,
      },
      headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
    };
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    // A deliberate, structured error names its own code (e.g. the query APIs' `RawQueryRejectedError`);
    // Nest's built-in ones carry a phrase such as "Bad Request" instead and are mapped below.
    const code = typeof response === 'object' ? (response as { error?: unknown }).error : undefined;
    if (typeof code === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(code)) {
      const { statusCode: _status, ...rest } = response as JsonObject;
      return { status: error.getStatus(), body: { ...rest, error: code, message: error.message } };
    }
    const detail = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message =
      typeof detail === 'string'
        ? detail
        : Array.isArray(detail)
          ? detail.map(String).join('; ')
          : error.message;
    // Nest turns the body parser's JSON SyntaxError (and a URIError from a bad %-escape) into a bare 400;
    // our own 400s all have their own classes above, so a bare one means the request could not be read.
    if (error.getStatus() === 400) {
      return {
        status: 400,
        body: {
          error: 'malformed_request',
          message: `The request could not be read (${message}); send a valid JSON body and a valid URL.`,
        },
      };
    }
    return { status: error.getStatus(), body: { error: httpErrorCode(error.getStatus()), message } };
  }
  // The body parser's other client errors (e.g. 413 payload too large) carry a 4xx `status`.
  if (isClientHttpError(error)) {
    return { status: error.status, body: { error: httpErrorCode(error.status), message: error.message } };
  }
  return undefined;
}

@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Prism');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    const mapped = errorResponseOf(error);
    const correlationId = correlationIdOf(request);
    const { status, body, headers } = mapped ?? {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: {
        error: 'internal_error',
        message: `An unexpected error occurred; report correlation id ${correlationId} with the server log.`,
      },
    };
    const line = `${request.method} ${request.originalUrl} -> ${status} (correlation ${correlationId})`;
    // A bug gets its stack; an unavailable store is an operational condition and gets one line.
    if (mapped === undefined) this.logger.error(`${line}: ${describe(error)}`);
    else if (status >= 500) this.logger.warn(`${line}: ${body.message}`);
    for (const [name, value] of Object.entries(headers ?? {})) response.setHeader(name, value);
    response.status(status).json(body);
  }
}

/** Revisions as clients send them: integers, with -1 for "no stream" (as KurrentDB does). */
function revisionNumber(revision: ExpectedRevision): number | string {
  return revision === 'no_stream' ? -1 : revision;
}

function isClientHttpError(error: unknown): error is Error & { status: number } {
  if (!(error instanceof Error)) return false;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function httpErrorCode(status: number): string {
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status];
  return name?.toLowerCase() ?? `http_${status}`;
}

function snakeCase(errorName: string): string {
  return errorName
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
