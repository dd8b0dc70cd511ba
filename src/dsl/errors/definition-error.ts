/**
 * What the DSL reports about a definition: one record per problem, each with where it is (file, line,
 * column, field path), a stable code the broken-definition corpus asserts on, and a message that says what
 * was expected and, where obvious, how to fix it. Loaders collect every problem of a file before reporting.
 */

export type DefinitionErrorCode =
  // the file itself (issue #12: size, encoding, YAML resource attacks, sizes of its parts)
  | 'file-unreadable'
  | 'file-too-large'
  | 'encoding'
  | 'yaml-alias'
  | 'yaml-too-deep'
  | 'limit-exceeded'
  | 'internal-error'
  // YAML and structure (zod schema)
  | 'yaml-syntax'
  | 'unknown-key'
  | 'wrong-type'
  | 'missing-field'
  | 'invalid-value'
  | 'invalid-name'
  | 'too-small'
  | 'unknown-target-kind'
  | 'unknown-action'
  | 'ambiguous-action'
  // meaning (semantic validator)
  | 'duplicate-event-type'
  | 'handler-for-unknown-event'
  | 'event-without-handler'
  | 'action-not-for-target'
  | 'key-not-declared'
  | 'key-nullable'
  | 'key-column-written'
  | 'field-written-twice'
  | 'unknown-column'
  | 'unknown-field'
  | 'unknown-label'
  | 'unknown-relationship-type'
  | 'unknown-property'
  | 'label-mismatch'
  | 'not-null-unset'
  | 'increment-not-numeric'
  | 'append-not-array'
  | 'empty-action'
  | 'facet-not-aggregatable'
  | 'reserved-name'
  | 'unknown-event-type'
  | 'expression-syntax'
  | 'expression-type'
  | 'expression-limit'
  | 'expression-regex'
  // segments (issue #15)
  | 'segments-not-supported'
  // lookups (correlation state)
  | 'unknown-lookup'
  | 'lookup-read'
  | 'lookup-not-maintained'
  | 'lookup-read-before-remember'
  | 'lookup-unused'
  | 'lookups-not-supported'
  // fan-out updates (updateAll)
  | 'fan-out-where'
  | 'fan-out-not-secondary-key'
  | 'fan-out-not-supported'
  | 'invalid-index'
  // queries
  | 'query-not-supported'
  | 'query-text-missing'
  | 'query-write-clause'
  | 'query-syntax'
  | 'query-undeclared-parameter'
  | 'query-unused-parameter'
  | 'query-unknown-field'
  | 'query-forbidden'
  | 'query-parameter-placement'
  | 'parameter-default-type'
  // the event catalog file (src/events-catalog, issue #16)
  | 'invalid-event-schema'
  | 'unknown-event-field'
  | 'upcast-gap'
  | 'catalog-conflict'
  // folders
  | 'duplicate-name'
  | 'duplicate-target';

export type DefinitionErrorSeverity = 'error' | 'warning';

export interface DefinitionError {
  readonly code: DefinitionErrorCode;
  readonly severity: DefinitionErrorSeverity;
  /** File as given to the loader (relative paths stay relative), or `<builder name>` for the TS builder. */
  readonly file: string;
  /** 1-based; 0 when the problem has no position (TS builder). */
  readonly line: number;
  readonly column: number;
  /** Field path such as `handlers.OrderPlaced[0].upsert.set.total`; empty for the whole document. */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
  /** How to fix it, when obvious: `did you mean "total"?`. */
  readonly suggestion?: string;
}

/** `file:line:column severity code path: message (suggestion)`: the one line every tool prints. */
export function formatDefinitionError(error: DefinitionError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  return `${where} ${error.severity} ${error.code} ${describeProblem(error)}`;
}

/** The part after the position: `path: message (suggestion)`. */
export function describeProblem(error: DefinitionError): string {
  const path = error.path === '' ? '' : `${error.path}: `;
  const suggestion = error.suggestion === undefined ? '' : ` (${error.suggestion})`;
  return `${path}${error.message}${suggestion}`;
}

export function hasErrors(errors: readonly DefinitionError[]): boolean {
  return errors.some((error) => error.severity === 'error');
}

/** Errors first by position, so output reads top to bottom like the file. */
export function sortDefinitionErrors(errors: readonly DefinitionError[]): DefinitionError[] {
  return [...errors].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

/** A definition (or a folder of them) is invalid; `errors` lists every problem found, in file order. */
export class DefinitionValidationError extends Error {
  override readonly name = 'DefinitionValidationError';
  readonly errors: readonly DefinitionError[];
  constructor(errors: readonly DefinitionError[]) {
    const sorted = sortDefinitionErrors(errors);
    const failing = sorted.filter((error) => error.severity === 'error');
    const files = [...new Set(failing.map((error) => error.file))].join(', ');
    super(
      `${failing.length} error(s) in projection definition(s) ${files}; fix them (run \`npm run prism -- validate\`):\n` +
        sorted.map(formatDefinitionError).join('\n'),
    );
    this.errors = sorted;
  }
}
