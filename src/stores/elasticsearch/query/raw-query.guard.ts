/**
 * What `POST /views/:name/search/raw` (and every named search template) sends to Elasticsearch: a body
 * checked against an ALLOW-LIST of top-level keys, query types, aggregation types and their parameters
 * (raw-query.allow-list.ts), then given the API's own limits and the tombstone filter. The index is never
 * the body's to choose: the service always searches the view's alias.
 */
import type { JsonObject, JsonValue } from '../../../core/json';
import { RAW_SEARCH_GRAMMAR, TOP_LEVEL as TOP_LEVEL_KEYS } from './raw-query.allow-list';
import { checkRule } from './raw-query.rules';
import { RawQueryRejectedError } from './search.errors';
import { MAX_PAGE_SIZE } from './search-request.parser';

const MAX_FROM = 1_000;

export interface RawSearchLimits {
  /** Search timeout (Elasticsearch time value). */
  readonly timeout: string;
  /** Documents each shard collects at most before returning. */
  readonly terminateAfter: number;
}

/**
 * Throws RawQueryRejectedError, naming the JSON path, at the first thing the body may not contain.
 * Exported for checks that want the same verdict without the limits (e.g. validating templates).
 */
export function checkSearchBody(body: unknown): asserts body is JsonObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RawQueryRejectedError('$', 'expected a JSON object (an Elasticsearch search body)');
  }
  checkRule(
    RAW_SEARCH_GRAMMAR,
    { kind: 'object', what: 'a search body', keys: TOP_LEVEL_KEYS },
    body as JsonValue,
    '',
  );
}

/** The body as sent: checked, with the limits set and tombstones hidden. */
export function guardRawQuery(
  body: unknown,
  limits: RawSearchLimits,
  tombstoneFilter: JsonObject,
): JsonObject {
  checkSearchBody(body);
  const size = body.size ?? 10;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new RawQueryRejectedError('size', `expected an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  const from = body.from ?? 0;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > MAX_FROM) {
    throw new RawQueryRejectedError(
      'from',
      `expected an integer from 0 to ${MAX_FROM}; page deeper with search_after`,
    );
  }
  const query = body.query ?? { match_all: {} };
  return {
    ...body,
    size,
    query: { bool: { must: [query], must_not: [tombstoneFilter] } },
    timeout: limits.timeout,
    terminate_after: limits.terminateAfter,
  };
}
