/**
 * What `POST /views/:name/search/raw` accepts: a search body for the view's own alias and nothing that
 * reaches beyond it or runs code. Checked by walking the whole body, because index references and
 * scripts can hide deep inside queries (terms lookup, more_like_this, percolate, script_score...).
 */
import type { JsonObject, JsonValue } from '../../core/json';
import { RawQueryRejectedError } from './search.errors';
import { MAX_PAGE_SIZE } from './search-request.parser';

const TOP_LEVEL_KEYS = new Set([
  'query',
  'size',
  'from',
  'sort',
  'aggs',
  'aggregations',
  'highlight',
  '_source',
  'track_total_hits',
  'search_after',
  'post_filter',
  'min_score',
  // Accepted but always replaced by the API's own limits.
  'timeout',
  'terminate_after',
]);

/** Keys that address other indices or run code, wherever they appear. */
const FORBIDDEN_KEYS: Readonly<Record<string, string>> = {
  index: 'index references are not allowed: a raw query only runs against its own view',
  _index: 'index references are not allowed: a raw query only runs against its own view',
  indices: 'index references are not allowed: a raw query only runs against its own view',
  script: 'scripts are not allowed',
  script_score: 'scripts are not allowed',
  script_fields: 'scripts are not allowed',
  scripted_metric: 'scripts are not allowed',
  bucket_script: 'scripts are not allowed',
  bucket_selector: 'scripts are not allowed',
  runtime_mappings: 'runtime fields run scripts and are not allowed',
  stored_fields: 'stored_fields is not allowed; use _source',
  docvalue_fields: 'docvalue_fields is not allowed; use _source',
  wrapper: 'wrapper queries hide their content and are not allowed',
  pit: 'point-in-time searches are not allowed',
};

const MAX_FROM = 1_000;

export interface RawSearchLimits {
  /** Search timeout (Elasticsearch time value). */
  readonly timeout: string;
  /** Documents each shard collects at most before returning. */
  readonly terminateAfter: number;
}

/** The body as sent: checked, with the limits set and tombstones hidden. */
export function guardRawQuery(
  body: unknown,
  limits: RawSearchLimits,
  tombstoneFilter: JsonObject,
): JsonObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RawQueryRejectedError('$', 'expected a JSON object (an Elasticsearch search body)');
  }
  const raw = body as JsonObject;
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      const reason = FORBIDDEN_KEYS[key] ?? `"${key}" is not accepted; use ${[...TOP_LEVEL_KEYS].join(', ')}`;
      throw new RawQueryRejectedError(key, reason);
    }
  }
  walk(raw, '$');
  const size = raw.size ?? 10;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new RawQueryRejectedError('size', `expected an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  const from = raw.from ?? 0;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > MAX_FROM) {
    throw new RawQueryRejectedError(
      'from',
      `expected an integer from 0 to ${MAX_FROM}; page deeper with search_after`,
    );
  }
  const query = raw.query ?? { match_all: {} };
  return {
    ...raw,
    size,
    query: { bool: { must: [query], must_not: [tombstoneFilter] } },
    timeout: limits.timeout,
    terminate_after: limits.terminateAfter,
  };
}

function walk(value: JsonValue, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    const reason = FORBIDDEN_KEYS[key];
    if (reason !== undefined) throw new RawQueryRejectedError(`${path}.${key}`, reason);
    walk(item, `${path}.${key}`);
  }
}
