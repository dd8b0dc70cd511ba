/**
 * One error class per way a relational query fails; the controller maps them to HTTP statuses.
 * `code` is the error's `error` in HTTP answers (catalogued in src/http/error-catalog.ts).
 */

/** The name is not a view of any loaded projection (404). */
export class UnknownRelationalViewError extends Error {
  override readonly name = 'UnknownRelationalViewError';
  readonly code = 'unknown_view';
  constructor(readonly view: string) {
    super(`There is no view "${view}"; query a view of a loaded projection with a postgres target.`);
  }
}

/** The view exists but lives in another store, which another API serves (404). */
export class NotARelationalViewError extends Error {
  override readonly name = 'NotARelationalViewError';
  readonly code = 'not_a_relational_view';
  constructor(
    readonly view: string,
    kind: string,
  ) {
    super(
      kind === 'elasticsearch'
        ? `View "${view}" is an Elasticsearch view; query it with GET /views/${view}/search.`
        : kind === 'neo4j'
          ? `View "${view}" is a Neo4j graph view; query it with its named queries, GET /views/${view}/graph/<query>.`
          : `View "${view}" is a ${kind} view, not a relational one.`,
    );
  }
}

/** No row has that key (404). */
export class RowNotFoundError extends Error {
  override readonly name = 'RowNotFoundError';
  readonly code = 'row_not_found';
  constructor(
    readonly view: string,
    readonly key: string,
  ) {
    super(`View "${view}" has no row with key "${key}".`);
  }
}

/** The view has no active generation yet: its first build has not finished (503). */
export class RelationalViewNotReadyError extends Error {
  override readonly name = 'RelationalViewNotReadyError';
  readonly code = 'view_not_ready';
  constructor(readonly view: string) {
    super(
      `View "${view}" has no active generation yet (or its store is not connected); wait for its first build, then retry.`,
    );
  }
}

/**
 * A query parameter is unknown or has a bad value (400). `parameter` is the parameter as sent
 * (`total[gte]`), `field` the column it concerns, or the parameter itself when it concerns no column.
 */
export class RelationalQueryError extends Error {
  override readonly name = 'RelationalQueryError';
  readonly code = 'invalid_query';
  constructor(
    readonly parameter: string,
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid query parameter "${parameter}": ${reason}`);
  }
}
