/**
 * A body that cannot be read (invalid JSON, too deep, too large, another charset) is answered after the
 * API key check, not before it (issue #20): the body parser runs first of all, as Express middleware, so its
 * error used to be answered before the key was checked (a client without a key learnt about its body
 * before being told it needs a key) and before the request checks set X-Correlation-Id.
 *
 * `deferBodyErrors` (mounted right after the body parser) keeps the parser's error on the request and lets
 * the request go on with no body; `BodyErrorGuard` (an app-wide guard registered after the key guard)
 * throws it once the key was checked, so it is answered in Prism's error format with the correlation id.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

const BODY_ERROR = Symbol('prism.bodyError');

type WithBodyError = HttpRequest & { [BODY_ERROR]?: unknown; body?: unknown };

/** Express error middleware (four parameters): keeps the body parser's error for BodyErrorGuard. */
export function deferBodyErrors(
  error: unknown,
  request: HttpRequest,
  _response: HttpResponse,
  next: NextFunction,
): void {
  const deferred = request as WithBodyError;
  deferred[BODY_ERROR] = error;
  deferred.body = undefined;
  next();
}

/** Throws the body's deferred error, if any: registered after the API key guard, so after the key check. */
@Injectable()
export class BodyErrorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<WithBodyError>();
    const error = request[BODY_ERROR];
    if (error === undefined) return true;
    // body-parser's errors are Errors with a 4xx `status` (ErrorResponseFilter maps them by it).
    throw error instanceof Error ? error : new Error('The request body could not be read.');
  }
}
