/**
 * How Elasticsearch client failures are classified for the runtime (src/runtime/error-classifier.ts asks
 * the target first, through Target.classifyError): connection problems, timeouts and the statuses a busy
 * or restarting cluster answers (429, 502, 503, 504) are transient. Per-item bulk failures never get here:
 * the target parks deterministic ones (e.g. a mapping error) and retries the others itself.
 */
import { errors } from '@elastic/elasticsearch';

const TRANSIENT_HTTP_STATUSES = new Set([429, 502, 503, 504]);

export function classifyElasticsearchError(error: unknown): 'transient' | undefined {
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError
  ) {
    return 'transient';
  }
  if (error instanceof errors.ResponseError && TRANSIENT_HTTP_STATUSES.has(error.statusCode ?? 0)) {
    return 'transient';
  }
  return undefined;
}
