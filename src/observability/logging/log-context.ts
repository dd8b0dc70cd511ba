/**
 * The correlation id of the HTTP request being handled, for every log line written while handling it
 * (command handlers, the error filter, the idempotency store), without passing it around.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequest, HttpResponse, NextFunction } from '../../http/http.types';
import { correlationIdOf } from '../../http/request-context';

interface LogContext {
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Express middleware: runs the rest of the request inside its log context. */
export function logContextMiddleware(
  request: HttpRequest,
  _response: HttpResponse,
  next: NextFunction,
): void {
  storage.run({ correlationId: correlationIdOf(request) }, next);
}
