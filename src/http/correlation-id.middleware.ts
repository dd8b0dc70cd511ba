import type { HttpRequest, HttpResponse, NextFunction } from './http.types';
import { CORRELATION_ID_HEADER, correlationIdOf } from './request-context';

/** Echoes the correlation id on every response, errors included, so a client can quote it. */
export function correlationIdMiddleware(
  request: HttpRequest,
  response: HttpResponse,
  next: NextFunction,
): void {
  response.setHeader(CORRELATION_ID_HEADER, correlationIdOf(request));
  next();
}
