/**
 * Every error code Prism's HTTP API answers with, in one place (issue #12 item 9). Every error body is
 * `{ error: <code>, message: <what happened and how to fix it>, ...details }`; `error` is one of the codes
 * below, always snake_case, and always answered with the status listed here. ErrorResponseFilter refuses to
 * emit a code that is not here (it answers the status's generic code and logs a warning), a unit test checks
 * that every code thrown in src/ is here, and the table in ./README.md is generated from this list.
 *
 * Adding a code: add an entry to its group, throw it, then `npx tsx src/http/error-catalog.doc.ts`
 * rewrites the table (a unit test fails while the table and this list differ).
 */

/** The route families an error can come from (OpenAPI lists the codes per route from this). */
export type ErrorSurface =
  'any' | 'commands' | 'append' | 'relational' | 'search' | 'graph' | 'queries' | 'admin' | 'checks' | 'auth';

export interface ErrorCatalogEntry {
  /** snake_case, stable: clients switch on it. */
  readonly code: string;
  readonly status: number;
  /** One line: what it means for the caller. */
  readonly meaning: string;
  /** Where it can be answered: route families (`queries` = relational, search and graph). */
  readonly surfaces: readonly ErrorSurface[];
}

const CATALOG = {
  // ── any route: the request itself ──────────────────────────────────────────────────────────────────────
  malformed_request: {
    status: 400,
    surfaces: ['any'],
    meaning: 'The request cannot be read: invalid JSON, JSON nested too deep, a bad %-escape in the URL.',
  },
  credentials_in_url: {
    status: 400,
    surfaces: ['any'],
    meaning:
      'A query parameter looks like a credential (api_key, token, ...); send keys in a header, never in a URL.',
  },
  route_not_found: {
    status: 404,
    surfaces: ['any'],
    meaning: 'No route has this method and path; the API is listed at /docs.',
  },
  payload_too_large: {
    status: 413,
    surfaces: ['any'],
    meaning: 'The body is larger than the limit (100 kB of JSON).',
  },
  unsupported_media_type: {
    status: 415,
    surfaces: ['any'],
    meaning: 'A request with a body must send it as Content-Type: application/json in UTF-8.',
  },
  request_rejected: {
    status: 400,
    surfaces: ['any'],
    meaning: 'Any other client error a library raised (the status is the one it chose, always 4xx).',
  },
  internal_error: {
    status: 500,
    surfaces: ['any'],
    meaning: 'A bug: logged with the correlation id, which the message quotes.',
  },
  service_unavailable: {
    status: 503,
    surfaces: ['any'],
    meaning: 'A dependency is unavailable; retry later.',
  },
  not_ready: {
    status: 503,
    surfaces: ['any'],
    meaning: 'GET /health/ready: this node cannot serve its traffic now (checks listed as down/up).',
  },
  shutting_down: {
    status: 503,
    surfaces: ['any'],
    meaning: 'This node is shutting down and takes no new commands; nothing was written (Retry-After).',
  },

  // ── authentication (src/auth) ──────────────────────────────────────────────────────────────────────────
  unauthorized: {
    status: 401,
    surfaces: ['auth'],
    meaning: 'No API key, or an unknown one, on a route that needs one.',
  },
  forbidden: {
    status: 403,
    surfaces: ['auth'],
    meaning: 'The API key has too low a role for this route (`requiredRole`).',
  },
  admin_api_disabled: {
    status: 403,
    surfaces: ['auth', 'admin', 'checks'],
    meaning: 'The admin API is off because PRISM_API_KEYS is not set (development mode).',
  },

  // ── commands: malformed requests (400) ─────────────────────────────────────────────────────────────────
  validation_failed: {
    status: 400,
    surfaces: ['commands', 'append', 'checks'],
    meaning: 'Body fields with a wrong type, missing, unknown or unstorable (`fields`: messages per field).',
  },
  invalid_id: {
    status: 400,
    surfaces: ['commands'],
    meaning: 'A path id is not 1-64 letters, digits, _ or -.',
  },
  invalid_if_match: {
    status: 400,
    surfaces: ['commands', 'append'],
    meaning: 'If-Match is not a stream revision such as "3".',
  },
  conflicting_expected_revision: {
    status: 400,
    surfaces: ['commands', 'append'],
    meaning: 'The body expectedRevision and If-Match disagree; send one of them.',
  },
  invalid_idempotency_key: {
    status: 400,
    surfaces: ['commands', 'append'],
    meaning: 'Idempotency-Key is not 1-128 safe characters.',
  },

  invalid_stream_id: {
    status: 400,
    surfaces: ['append'],
    meaning:
      'The path stream id is not 1-128 letters, digits, _ . : or - starting with a letter or digit, or is reserved (`field`).',
  },

  // ── commands: conflicts (409) ──────────────────────────────────────────────────────────────────────────
  concurrency_conflict: {
    status: 409,
    surfaces: ['commands', 'append'],
    meaning: 'The stream moved on (`streamId`, `expectedRevision`, `actualRevision`); reload and retry.',
  },
  duplicate_event_id: {
    status: 409,
    surfaces: ['append'],
    meaning:
      'An event id of the batch belongs to another event in the log (`eventId`); use fresh ids, reuse them only to retry the same append.',
  },
  idempotency_key_in_progress: {
    status: 409,
    surfaces: ['commands', 'append'],
    meaning: 'The first request with this Idempotency-Key is still running (Retry-After).',
  },

  // ── commands: refused (422). An aggregate's own codes (404, 409, 422) are declared in its definition ──
  idempotency_key_reused: {
    status: 422,
    surfaces: ['commands', 'append'],
    meaning: 'The Idempotency-Key was used for a different request; use a new key.',
  },

  // ── commands: the store (503) ──────────────────────────────────────────────────────────────────────────
  event_store_unavailable: {
    status: 503,
    surfaces: ['commands', 'append'],
    meaning: 'The event store is unreachable; nothing was written (Retry-After).',
  },

  // ── queries: every view API ────────────────────────────────────────────────────────────────────────────
  unknown_view: {
    status: 404,
    surfaces: ['queries'],
    meaning: 'No loaded projection has a view of this name in this store.',
  },
  view_not_ready: {
    status: 503,
    surfaces: ['queries'],
    meaning: 'The view has no active generation yet (first build running, or its store not connected).',
  },
  view_store_unavailable: {
    status: 503,
    surfaces: ['queries'],
    meaning: "The view's store is unreachable or busy; the request was fine, retry it later.",
  },
  invalid_consistency_parameter: {
    status: 400,
    surfaces: ['queries'],
    meaning: '`after`, `wait` or X-Prism-After is not a log position or a duration (`field`).',
  },
  not_yet_consistent: {
    status: 503,
    surfaces: ['queries'],
    meaning: 'The view had not reached `after` when the wait ended (`checkpoint`, Retry-After).',
  },

  // ── relational queries ─────────────────────────────────────────────────────────────────────────────────
  not_a_relational_view: {
    status: 404,
    surfaces: ['relational'],
    meaning: 'The view lives in Elasticsearch or Neo4j; the message names its API.',
  },
  row_not_found: { status: 404, surfaces: ['relational'], meaning: 'The view has no row with this key.' },
  invalid_query: {
    status: 400,
    surfaces: ['relational'],
    meaning:
      'A filter, sort, select, limit or cursor parameter is unknown or has a bad value (`parameter`, `field`).',
  },

  // ── search queries ─────────────────────────────────────────────────────────────────────────────────────
  unknown_search_template: {
    status: 404,
    surfaces: ['search'],
    meaning: 'The view declares no search template of this name.',
  },
  invalid_search_request: {
    status: 400,
    surfaces: ['search'],
    meaning: 'A search parameter is unknown or has a bad value (`field`).',
  },
  raw_query_rejected: {
    status: 400,
    surfaces: ['search'],
    meaning: 'A raw search body uses something not allowed (other indices, scripts...) at `path`.',
  },
  invalid_search_query: {
    status: 400,
    surfaces: ['search'],
    meaning: 'Elasticsearch refused the query (the message gives its reason, e.g. too many buckets).',
  },

  // ── graph queries ──────────────────────────────────────────────────────────────────────────────────────
  unknown_named_query: {
    status: 404,
    surfaces: ['graph'],
    meaning: 'The graph view declares no query of this name.',
  },
  invalid_graph_parameter: {
    status: 400,
    surfaces: ['graph'],
    meaning: 'A query parameter is undeclared, missing, repeated or of the wrong type (`parameter`).',
  },
  query_timeout: {
    status: 504,
    surfaces: ['graph'],
    meaning: 'The named query ran past its time limit and was stopped.',
  },

  // ── admin (src/admin) ──────────────────────────────────────────────────────────────────────────────────
  unknown_projection: {
    status: 404,
    surfaces: ['admin', 'checks'],
    meaning: 'No loaded projection has this name (`known`).',
  },
  parked_event_not_found: {
    status: 404,
    surfaces: ['admin'],
    meaning: 'The projection has no parked event at this position.',
  },
  invalid_position: { status: 400, surfaces: ['admin'], meaning: 'The path position is not a log position.' },
  projection_not_running: {
    status: 409,
    surfaces: ['admin'],
    meaning: 'The projection is starting or failed, so the operation cannot run now (`state`).',
  },
  projection_not_owned: {
    status: 409,
    surfaces: ['admin'],
    meaning:
      'No live node runs the projection (holds its lease), so the operation cannot run now (`action`); start a worker.',
  },
  admin_request_timeout: {
    status: 504,
    surfaces: ['admin'],
    meaning:
      'The node running the projection did not answer the forwarded request in time (`request`, `owner`); it stays queued.',
  },
  admin_request_abandoned: {
    status: 503,
    surfaces: ['admin'],
    meaning:
      'The node that took the forwarded request stopped before answering (`request`, `runBy`); whether it took effect is unknown: check the projection first.',
  },
  coordination_unavailable: {
    status: 503,
    surfaces: ['admin'],
    meaning:
      'Another node runs the projection and the coordination store carrying requests to it cannot be read now.',
  },
  admin_request_failed: {
    status: 500,
    surfaces: ['admin'],
    meaning: 'The node running the projection failed the forwarded request with an unexpected error.',
  },
  projection_still_defined: {
    status: 409,
    surfaces: ['admin'],
    meaning:
      'Drop refused: a definition of it is loaded (or a broken file names it); remove the file, restart.',
  },
  orphaned_projection_not_found: {
    status: 404,
    surfaces: ['admin'],
    meaning:
      'Drop: no connected view store holds a projection with this name (`orphaned` lists those that do).',
  },
  invalid_admin_parameter: {
    status: 400,
    surfaces: ['admin'],
    meaning: 'An admin query parameter has a value it does not take (`parameter`), e.g. dryRun=maybe.',
  },
  projection_runtime_unavailable: {
    status: 503,
    surfaces: ['admin'],
    meaning: 'The projection runtime is not up (still starting, or its targets are unreachable).',
  },

  // ── checks: verify and plan (src/admin/checks) ─────────────────────────────────────────────────────────
  no_verification_running: {
    status: 404,
    surfaces: ['checks'],
    meaning: 'No verification of this projection is running now.',
  },
  verify_cancelled: {
    // 499 (nginx's "client closed request"): answered only when the caller went away, so rarely seen.
    status: 499,
    surfaces: ['checks'],
    meaning: 'The verification stopped because its caller disconnected or cancelled it; nothing changed.',
  },
  projection_not_verifiable: {
    status: 409,
    surfaces: ['checks'],
    meaning: 'No live generation yet, or its definition was not stored.',
  },
  invalid_definition: {
    status: 422,
    surfaces: ['checks'],
    meaning: 'The definition does not validate (`problems`: file:line:col lines).',
  },
  target_not_connected: {
    status: 503,
    surfaces: ['checks'],
    meaning: "The projection's target store is not connected.",
  },
} as const satisfies Record<string, Omit<ErrorCatalogEntry, 'code'>>;

/** A catalogued code: throw sites that name their code are type-checked against the catalog. */
export type ErrorCode = keyof typeof CATALOG;

/** The catalog as a list, in its documented order. */
export const ERROR_CATALOG: readonly ErrorCatalogEntry[] = Object.freeze(
  Object.entries(CATALOG).map(([code, item]): ErrorCatalogEntry => Object.freeze({ code, ...item })),
);

const BY_CODE: ReadonlyMap<string, ErrorCatalogEntry> = new Map(
  ERROR_CATALOG.map((item) => [item.code, item]),
);

/**
 * The codes the app's aggregates declare (their `errors`, see src/aggregates), added when their routes are
 * built: the domain's codes belong to the domain, not to Prism, so they are not in the list above.
 */
const DOMAIN_CODES = new Map<string, ErrorCatalogEntry>();

/** Adds an aggregate's declared codes; a code already answered with another status is refused. */
export function registerDomainErrorCodes(entries: readonly Omit<ErrorCatalogEntry, 'surfaces'>[]): void {
  for (const entry of entries) {
    const known = catalogEntry(entry.code);
    if (known !== undefined && known.status !== entry.status) {
      throw new Error(
        `Error code "${entry.code}" is declared with status ${entry.status}, but it is already answered ` +
          `with ${known.status}; give one of them another name.`,
      );
    }
    if (known === undefined) {
      const surfaces: readonly ErrorSurface[] = ['commands'];
      DOMAIN_CODES.set(entry.code, Object.freeze({ ...entry, surfaces }));
    }
  }
}

/** A code's entry: one of Prism's own, or one an aggregate declared. */
export function catalogEntry(code: string): ErrorCatalogEntry | undefined {
  return BY_CODE.get(code) ?? DOMAIN_CODES.get(code);
}

/** One of Prism's own codes (never an aggregate's). */
export function isPlatformCode(code: string): code is ErrorCode {
  return BY_CODE.has(code);
}

/** The status a code is always answered with. */
export function statusOf(code: ErrorCode): number {
  return CATALOG[code].status;
}

/** Prism's own codes and those the app's aggregates declared. */
export function isCatalogued(code: string): boolean {
  return catalogEntry(code) !== undefined;
}

/** Lowercase words joined by single underscores: `invalid_query`, never `InvalidQuery` or `not-ready`. */
export const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * The code for a status when an error names none of its own (Nest's and Express's own errors, or a code
 * someone forgot to catalogue).
 */
export function genericCodeOf(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'malformed_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'route_not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'service_unavailable';
    default:
      return status >= 400 && status < 500 ? 'request_rejected' : 'internal_error';
  }
}
