/**
 * Refuses any request whose query string carries a credential-looking parameter (`?api_key=`, `?token=`,
 * ... see isCredentialParameter) with 400 credentials_in_url, on every route, before authentication: URLs
 * end up in access logs, proxies and browser history (issue #12 item 4). Only the parameter names are
 * echoed, never a value. Keys go in `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 */
import { HttpRequestError } from '../http/request.errors';
import type { HttpRequest, HttpResponse, NextFunction } from '../http/http.types';
import { credentialParametersOf } from '../observability/logging/redact';

const MAX_NAME_LENGTH = 50;

export function credentialsInUrlMiddleware(
  request: HttpRequest,
  _response: HttpResponse,
  next: NextFunction,
): void {
  const names = credentialParametersOf(request.originalUrl).map((name) => name.slice(0, MAX_NAME_LENGTH));
  if (names.length === 0) {
    next();
    return;
  }
  next(
    new HttpRequestError(
      'credentials_in_url',
      `The query string carries a credential (${names.join(', ')}); URLs are logged and cached, so keys are ` +
        'never accepted there. Remove it, send the key as "Authorization: Bearer <key>" or ' +
        '"X-API-Key: <key>", and rotate the key if this URL was sent before.',
      { parameters: names },
    ),
  );
}
