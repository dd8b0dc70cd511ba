/**
 * HTTP answers of read-your-writes, on the query controllers (`@UseFilters(ConsistencyErrorFilter)`):
 *   503 { error: 'not_yet_consistent', after, checkpoint, retryAfterSeconds } with Retry-After
 *   400 { error: 'invalid_consistency_parameter', field } for a bad `after`, `wait` or X-Prism-After
 * Positions are strings, as in command responses (they are bigints).
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { HttpResponse } from '../../http/http.types';
import { ConsistencyTokenError, NotYetConsistentError } from './consistency.errors';

@Catch(NotYetConsistentError, ConsistencyTokenError)
export class ConsistencyErrorFilter implements ExceptionFilter {
  catch(error: NotYetConsistentError | ConsistencyTokenError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (error instanceof NotYetConsistentError) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        error: error.code,
        message: error.message,
        view: error.view,
        after: error.after.toString(),
        checkpoint: error.checkpoint === null ? null : error.checkpoint.toString(),
        retryAfterSeconds: error.retryAfterSeconds,
      });
      return;
    }
    response
      .status(HttpStatus.BAD_REQUEST)
      .json({ error: error.code, message: error.message, field: error.field });
  }
}
