/**
 * Table and column names from configuration end up inside SQL text (a name cannot be a bound parameter),
 * so each one is checked against a strict pattern and then double-quoted. The pattern leaves no character
 * that could close the quotes, so a name can never become SQL; quoting keeps its case as written
 * (`Outbox` and `outbox` are different names, exactly as in `CREATE TABLE "Outbox"`).
 */

/** One SQL name: letters, digits, `_` and `$`, not starting with a digit or `$`, at most 63 bytes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export const IDENTIFIER_RULE = 'letters, digits, _ and $, starting with a letter or _, at most 63 characters';

/** A table or view name, optionally with its schema: `outbox` or `public.outbox`. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

export function isIdentifier(value: string): boolean {
  return IDENTIFIER.test(value);
}

/** The problem with a column name, or undefined when it is one. */
export function identifierProblem(value: string): string | undefined {
  return isIdentifier(value) ? undefined : `"${value}" is not a column name (${IDENTIFIER_RULE})`;
}

/** `schema.table` or `table`; undefined when either part is not an identifier. */
export function parseQualifiedName(value: string): QualifiedName | undefined {
  const parts = value.split('.');
  if (parts.length > 2 || !parts.every(isIdentifier)) return undefined;
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/** The problem with a table or view name, or undefined when it is one. */
export function qualifiedNameProblem(value: string): string | undefined {
  return parseQualifiedName(value) === undefined
    ? `"${value}" is not a table or view name: use table or schema.table, each part ${IDENTIFIER_RULE}`
    : undefined;
}

/** `"name"`; only for names that passed isIdentifier (anything else is a bug in the caller). */
export function quoteIdentifier(value: string): string {
  if (!isIdentifier(value)) throw new Error(`Refusing to quote ${JSON.stringify(value)} as an SQL name.`);
  return `"${value}"`;
}

export function quoteQualifiedName(name: QualifiedName): string {
  return name.schema === undefined
    ? quoteIdentifier(name.name)
    : `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.name)}`;
}

/** As people write it: `public.outbox`. */
export function formatQualifiedName(name: QualifiedName): string {
  return name.schema === undefined ? name.name : `${name.schema}.${name.name}`;
}
