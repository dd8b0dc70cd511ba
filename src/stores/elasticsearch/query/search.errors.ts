/**
 * One error class per way a search request fails; the controller maps them to HTTP statuses.
 * `code` is the error's `error` in HTTP answers (catalogued in src/http/error-catalog.ts).
 */

/** The request names no view the registry knows (404). */
export class UnknownSearchViewError extends Error {
  override readonly name = 'UnknownSearchViewError';
  readonly code = 'unknown_view';
  constructor(readonly view: string) {
    super(`There is no search view "${view}"; search a view declared with an elasticsearch target.`);
  }
}

/** The view declares no search template of that name (404). */
export class UnknownSearchTemplateError extends Error {
  override readonly name = 'UnknownSearchTemplateError';
  readonly code = 'unknown_search_template';
  constructor(
    readonly view: string,
    readonly template: string,
    readonly known: readonly string[],
  ) {
    super(
      `View "${view}" declares no search template "${template}"` +
        (known.length > 0 ? `; declared: ${known.join(', ')}.` : '; it declares none.'),
    );
  }
}

/** A parameter of a search request is unknown or has a bad value (400); `field` names it. */
export class SearchRequestError extends Error {
  override readonly name = 'SearchRequestError';
  readonly code = 'invalid_search_request';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid search parameter "${field}": ${reason}`);
  }
}

/** A raw query body tries something the view's raw endpoint does not allow (400). */
export class RawQueryRejectedError extends Error {
  override readonly name = 'RawQueryRejectedError';
  readonly code = 'raw_query_rejected';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Raw query rejected at "${path}": ${reason}`);
  }
}
