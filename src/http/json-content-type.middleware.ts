/**
 * A request that carries a body must send it as `application/json` (UTF-8; a `charset=utf-8` parameter is
 * fine), else 415 unsupported_media_type, on every route. Before this a form post
 * (`application/x-www-form-urlencoded`) ran a command, which in development mode (no API keys) let any web
 * page post commands cross-site, and a `text/plain` body was validated as an empty one (issue #12 item 10).
 * JSON is not a "simple" content type, so a browser cannot send it cross-site without a CORS preflight.
 */
import { HttpRequestError } from './request.errors';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonContentTypeMiddleware(
  request: HttpRequest,
  _response: HttpResponse,
  next: NextFunction,
): void {
  if (!METHODS_WITH_BODIES.has(request.method) || !hasBody(request)) {
    next();
    return;
  }
  const contentType = request.header('content-type');
  if (contentType !== undefined && isJson(contentType)) {
    next();
    return;
  }
  next(
    new HttpRequestError(
      'unsupported_media_type',
      `${contentType === undefined ? 'The body has no Content-Type' : `Content-Type "${contentType.slice(0, 100)}" is not accepted`}; ` +
        'send the body as JSON with "Content-Type: application/json".',
      { contentType: contentType?.slice(0, 100) ?? null },
    ),
  );
}

/** A body is coming when the request is chunked or announces a non-zero length (as HTTP/1.1 defines it). */
function hasBody(request: HttpRequest): boolean {
  if (request.header('transfer-encoding') !== undefined) return true;
  const length = request.header('content-length');
  return length !== undefined && length.trim() !== '0';
}

/** `application/json`, optionally with `charset=utf-8` (any other parameter or charset is refused). */
export function isJson(contentType: string): boolean {
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => parameter === '' || /^charset="?utf-8"?$/.test(parameter));
}
