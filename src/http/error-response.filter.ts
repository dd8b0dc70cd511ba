/**
 * The one place errors become HTTP responses. Every body is `{ error: <code>, message, ...details }`,
 * where `error` is a code of the catalog (error-catalog.ts, documented in ./README.md) answered with the
 * catalog's status; a code that is not catalogued is never emitted (it becomes its status's generic code
 * and a warning names it). `message` says how to fix the request; some add fields (validation messages,
 * revisions, ids).
 *
 *   400 invalid request (fields, path id, If-Match, Idempotency-Key, unreadable body, credentials in URL)
 *   404 unknown aggregate or route   409 conflict, already exists, key in progress
 *   413 body too large   415 not JSON   422 business rule, key reused
 *   503 event store unavailable      500 anything else (logged)
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
import type { JsonObject } from '../core/json';
import { DOMAIN_ERROR_STATUS, DomainError } from '../aggregates/domain-errors';
import { DuplicateEventIdError } from '../eventstore/append-input';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../eventstore/event-store.errors';
import type { ExpectedRevision } from '../eventstore/event-store.port';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from '../commands/idempotency/idempotency.errors';
import { redactUrl } from '../observability/logging/redact';
import { catalogEntry, type ErrorCode, genericCodeOf, statusOf } from './error-catalog';
import { MAX_JSON_BODY } from './json-body.limits';
import { correlationIdOf } from './request-context';
import {
  ConflictingExpectedRevisionError,
  HttpRequestError,
  InvalidIdError,
  InvalidIfMatchError,
  RequestValidationError,
} from './request.errors';
import { ShuttingDownError } from '../lifecycle/shutdown-gate';

interface ErrorResponse {
  readonly status: number;
  readonly body: JsonObject & { error: string; message: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** A code the error named that is not in the catalog (it was replaced); the filter logs it. */
  readonly uncatalogued?: string;
  /**
   * A domain error's code, answered as is even when its aggregate did not declare it: the code is the
   * domain's contract with its clients. Undeclared, it is logged (once) so it gets documented.
   */
  readonly domainCode?: boolean;
}

/** Seconds a client should wait before retrying when the store is down. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** The response for an error, with a catalogued code; undefined for an unexpected error (a 500). */
export function errorResponseOf(error: unknown): ErrorResponse | undefined {
  const response = mappedResponseOf(error);
  return response === undefined ? undefined : catalogued(response);
}

/**
 * Answers a catalogued code with the catalog's status; replaces a code that is not in the catalog with its
 * status's generic one, keeping the message and details.
 */
function catalogued(response: ErrorResponse): ErrorResponse {
  const { error: named, message, ...details } = response.body;
  const entry = catalogEntry(named);
  if (entry === undefined && response.domainCode === true) {
    return { ...response, body: { error: named, message, ...details }, uncatalogued: named };
  }
  const code = entry?.code ?? genericCodeOf(response.status);
  return {
    ...response,
    status: code === 'request_rejected' ? response.status : (entry ?? catalogEntry(code))!.status,
    // `error` and `message` first, for people reading it; details can never replace them.
    body: { error: code, message, ...details },
    ...(code !== named && { uncatalogued: named }),
  };
}

function mappedResponseOf(error: unknown): ErrorResponse | undefined {
  if (error instanceof HttpRequestError) {
    return {
      status: statusOf(error.code),
      body: { ...error.details, error: error.code, message: error.message },
    };
  }
  if (error instanceof RequestValidationError) {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: {
        error: 'validation_failed',
        message: error.message,
        fields: { ...error.fields } as JsonObject,
        ...(error.omittedFields > 0 && { omittedFields: error.omittedFields }),
      },
    };
  }
  if (
    error instanceof InvalidIdError ||
    error instanceof InvalidIfMatchError ||
    error instanceof ConflictingExpectedRevisionError ||
    error instanceof InvalidIdempotencyKeyError
  ) {
    return { status: HttpStatus.BAD_REQUEST, body: { error: error.code, message: error.message } };
  }
  if (error instanceof DomainError) {
    return {
      status: DOMAIN_ERROR_STATUS[error.kind],
      body: { ...error.details, error: error.code, message: error.message },
      domainCode: true,
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
  if (error instanceof DuplicateEventIdError) {
    return {
      status: HttpStatus.CONFLICT,
      body: {
        error: 'duplicate_event_id',
        message: error.message,
        streamId: error.streamId,
        eventId: error.eventId,
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
  if (error instanceof ShuttingDownError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { error: 'shutting_down', message: error.message },
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: {
        error: 'event_store_unavailable',
        // A connection lost while the COMMIT was on its way may have written the events: say so, and let
        // the store's own message point to the Idempotency-Key retry that finds out (issue #12 item 11).
        message: error.outcomeUnknown
          ? `${error.message}.`
          : `${error.message}. Nothing was written; retry the request later.`,
      },
      headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
    };
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    // A deliberate, structured error names its own code (the query and admin controllers do); Nest's
    // built-in ones carry a phrase such as "Bad Request" instead and get their status's generic code.
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
    return genericResponse(error.getStatus(), message);
  }
  // The body parser's own errors (invalid JSON, too large, unsupported charset) carry a 4xx `status`.
  if (isClientHttpError(error)) return genericResponse(error.status, error.message);
  return undefined;
}

/**
 * Messages for the errors of Nest, Express and body-parser, which name no code; `detail` is theirs.
 * Nest turns the body parser's JSON SyntaxError (and a URIError from a bad %-escape) into a bare 400; our
 * own 400s all have their own classes, so a bare one means the request could not be read. Nest's 404 says
 * "Cannot GET /path?query": the query is left out (it may hold anything).
 */
const GENERIC_MESSAGES: Partial<Record<ErrorCode, (detail: string) => string>> = {
  malformed_request: (detail) =>
    `The request could not be read (${detail}); send a valid JSON body and a valid URL.`,
  route_not_found: (detail) =>
    `${detail.replace(/\?.*$/, '')}: no route has this method and path; the API is listed at /docs.`,
  payload_too_large: (detail) => `The request body is too large (${detail}); send at most ${MAX_JSON_BODY}.`,
  unsupported_media_type: (detail) =>
    `The body cannot be read (${detail}); send it as UTF-8 JSON with "Content-Type: application/json".`,
};

/** An error that names no code: its status's generic code (`catalogued` then sets the catalog's status). */
function genericResponse(status: number, detail: string): ErrorResponse {
  const code = genericCodeOf(status);
  return { status, body: { error: code, message: GENERIC_MESSAGES[code]?.(detail) ?? detail } };
}

@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Prism');
  /** Undeclared domain codes already warned about (one warning per code, not per request). */
  private readonly undeclared = new Set<string>();

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
    const line = `${request.method} ${redactUrl(request.originalUrl)} -> ${status} (correlation ${correlationId})`;
    // A bug gets its stack; an unavailable store is an operational condition and gets one line.
    if (mapped === undefined) this.logger.error(`${line}: ${describe(error)}`);
    else if (status >= 500) this.logger.warn(`${line}: ${body.message}`);
    if (mapped?.uncatalogued !== undefined && mapped.domainCode === true) {
      if (!this.undeclared.has(mapped.uncatalogued)) {
        this.undeclared.add(mapped.uncatalogued);
        this.logger.warn(
          `${line}: error code "${mapped.uncatalogued}" is not declared in its aggregate's \`errors\`; declare it so the API documents it`,
        );
      }
    } else if (mapped?.uncatalogued !== undefined) {
      this.logger.warn(
        `${line}: error code "${mapped.uncatalogued}" is not in the catalog (src/http/error-catalog.ts); answered "${body.error}" instead`,
      );
    }
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

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
