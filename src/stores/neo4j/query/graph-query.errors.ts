/**
 * Failures of the graph query API; the controller maps each to an HTTP status.
 * `code` is the error's `error` in HTTP answers (catalogued in src/http/error-catalog.ts).
 */

export class UnknownGraphViewError extends Error {
  override readonly name = 'UnknownGraphViewError';
  readonly code = 'unknown_view';
  constructor(readonly view: string) {
    super(
      `There is no graph view "${view}": check the name against the loaded projections with a neo4j target.`,
    );
  }
}

export class UnknownNamedQueryError extends Error {
  override readonly name = 'UnknownNamedQueryError';
  readonly code = 'unknown_named_query';
  constructor(
    readonly view: string,
    readonly query: string,
    readonly known: readonly string[],
  ) {
    super(
      `Graph view "${view}" has no named query "${query}"; it has: ${known.length > 0 ? known.join(', ') : '(none)'}. ` +
        'Queries are declared under `queries` in the projection definition.',
    );
  }
}

export class GraphQueryParameterError extends Error {
  override readonly name = 'GraphQueryParameterError';
  readonly code = 'invalid_graph_parameter';
  constructor(
    readonly query: string,
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`Parameter "${parameter}" of query "${query}": ${problem}.`);
  }
}

/** The projection has no active generation yet (never built, or still building its first one). */
export class GraphViewNotReadyError extends Error {
  override readonly name = 'GraphViewNotReadyError';
  readonly code = 'view_not_ready';
  constructor(readonly view: string) {
    super(
      `Graph view "${view}" has no active generation yet: wait for its first build to finish, then retry.`,
    );
  }
}

export class GraphQueryTimeoutError extends Error {
  override readonly name = 'GraphQueryTimeoutError';
  readonly code = 'query_timeout';
  constructor(
    readonly query: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Query "${query}" ran longer than ${timeoutMs} ms and was stopped: narrow its parameters or its pattern.`,
    );
  }
}
