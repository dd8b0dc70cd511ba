/**
 * Turns the query string of `GET /views/:name` into a checked query over the view's declared columns.
 * Every parameter is checked against the declared shape and typed by the column's declared type, so a
 * typo or a bad value is a 400 naming the parameter and the column, never a database error or a silently
 * ignored filter.
 *
 *   status=shipped              equality (also status[eq]=shipped, which a column named like a
 *                               parameter below needs, e.g. limit[eq]=3)
 *   total[gte]=10&total[lt]=100 ranges: gt, gte, lt, lte
 *   status[in]=placed,shipped   any of (comma-separated)
 *   sort=-total,order_id        declared columns, `-` for descending; the key breaks ties
 *   limit=50                    1..500 (default 50)
 *   cursor=<token>              `nextCursor` of the previous page (keyset pagination)
 *   fields=order_id,total       the columns each item carries (default: all)
 */
import type { JsonValue } from '../../../core/json';
import type { RelationalColumn, RelationalColumnType, RelationalTargetShape } from '../relational-view-shape';
import { columnNames, valueProblem } from '../relational-shape';
import { RelationalQueryError } from './relational-query.errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const MAX_IN_VALUES = 100;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const CONTROL_PARAMETERS: readonly string[] = ['sort', 'limit', 'cursor', 'fields'];

export type FilterOperator = 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in';
const OPERATORS = new Set<string>(['eq', 'gt', 'gte', 'lt', 'lte', 'in']);
export const RANGE_TYPES: ReadonlySet<RelationalColumnType> = new Set<RelationalColumnType>([
  'text',
  'integer',
  'bigint',
  'double',
  'numeric',
  'timestamptz',
]);

export interface Filter {
  readonly column: string;
  readonly operator: FilterOperator;
  /** Typed values (one, or several for `in`), as the view's JSON gives them back. */
  readonly values: readonly JsonValue[];
}

export interface SortKey {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
}

export interface RelationalQuery {
  readonly filters: readonly Filter[];
  /** Always ends with the key column, so the order is total and cursors are stable with ties. */
  readonly sort: readonly SortKey[];
  readonly limit: number;
  /** The sort values of the last row of the previous page, aligned with `sort`. */
  readonly after?: readonly JsonValue[];
  /** Columns each item carries, in the order given. */
  readonly fields: readonly string[];
}

export type QueryParameters = Readonly<Record<string, unknown>>;

export function parseRelationalQuery(
  shape: RelationalTargetShape,
  parameters: QueryParameters,
): RelationalQuery {
  const filters: Filter[] = [];
  let sort: SortKey[] = [];
  let limit = DEFAULT_PAGE_SIZE;
  let cursor: string | undefined;
  let fields = columnNames(shape);

  for (const [name, value] of flatten(parameters)) {
    if (name === 'sort') sort = sortKeys(shape, single(name, name, value));
    else if (name === 'limit') limit = pageSize(single(name, name, value));
    else if (name === 'cursor') cursor = single(name, name, value);
    else if (name === 'fields') fields = selectedFields(shape, single(name, name, value));
    else filters.push(filterOf(shape, name, value));
  }
  if (!sort.some((key) => key.column === shape.key)) sort.push({ column: shape.key, direction: 'asc' });
  // The key is unique: whatever follows it in the sort never decides anything.
  sort = sort.slice(0, sort.findIndex((key) => key.column === shape.key) + 1);
  return {
    filters,
    sort,
    limit,
    fields,
    ...(cursor !== undefined ? { after: decodeCursor(shape, sort, cursor) } : {}),
  };
}

/** `fields` is the only parameter a lookup by key takes. */
export function parseFieldSelection(shape: RelationalTargetShape, parameters: QueryParameters): string[] {
  let fields = columnNames(shape);
  for (const [name, value] of flatten(parameters)) {
    if (name !== 'fields') throw new RelationalQueryError(name, name, 'a lookup by key only takes `fields`');
    fields = selectedFields(shape, single(name, name, value));
  }
  return fields;
}

/** The typed key of `GET /views/:name/:key`, checked against the key column's type. */
export function parseKey(shape: RelationalTargetShape, text: string): JsonValue {
  return typedValue('key', shape.key, declared(shape, 'key', shape.key), text);
}

/** The opaque cursor: the last row's sort values (key last), base64url-encoded JSON. */
export function encodeCursor(values: readonly JsonValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

// Parameters --------------------------------------------------------------------------------------

/**
 * Parameter names as sent. Express's default (simple) query parser keeps `total[gte]` as one name;
 * an app with the extended parser gives `{ total: { gte } }`, which is read back into the same names.
 */
function flatten(parameters: QueryParameters): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [operator, inner] of Object.entries(value)) entries.push([`${name}[${operator}]`, inner]);
    } else entries.push([name, value]);
  }
  return entries;
}

function single(parameter: string, field: string, value: unknown): string {
  if (Array.isArray(value)) {
    throw new RelationalQueryError(
      parameter,
      field,
      `given more than once; use ${field}[in]=a,b for "any of", or one value`,
    );
  }
  if (typeof value !== 'string') throw new RelationalQueryError(parameter, field, 'expected a plain value');
  return value;
}

function declared(shape: RelationalTargetShape, parameter: string, name: string): RelationalColumn {
  const column = Object.hasOwn(shape.columns, name) ? shape.columns[name] : undefined;
  if (column === undefined) {
    throw new RelationalQueryError(
      parameter,
      name,
      `the view has no column "${name}"; its columns are ${columnNames(shape).join(', ')} ` +
        `(and the parameters are ${CONTROL_PARAMETERS.join(', ')})`,
    );
  }
  return column;
}

function filterOf(shape: RelationalTargetShape, parameter: string, value: unknown): Filter {
  const match = /^([^[\]]+)(?:\[([^[\]]*)\])?$/.exec(parameter);
  if (match === null) {
    throw new RelationalQueryError(
      parameter,
      parameter,
      'expected <column>=<value> or <column>[<operator>]=<value>',
    );
  }
  const name = match[1]!;
  const operator = match[2] ?? 'eq';
  const column = declared(shape, parameter, name);
  if (!OPERATORS.has(operator)) {
    throw new RelationalQueryError(
      parameter,
      name,
      `unknown operator "${operator}"; use eq, gt, gte, lt, lte or in`,
    );
  }
  if (column.type === 'jsonb') {
    throw new RelationalQueryError(parameter, name, `jsonb column "${name}" cannot be filtered on`);
  }
  if (operator !== 'eq' && operator !== 'in' && !RANGE_TYPES.has(column.type)) {
    throw new RelationalQueryError(parameter, name, `ranges do not apply to ${column.type} column "${name}"`);
  }
  const text = single(parameter, name, value);
  if (operator !== 'in') {
    return {
      column: name,
      operator: operator as FilterOperator,
      values: [typedValue(parameter, name, column, text)],
    };
  }
  const items = text.split(',');
  if (items.length > MAX_IN_VALUES) {
    throw new RelationalQueryError(parameter, name, `at most ${MAX_IN_VALUES} values`);
  }
  return {
    column: name,
    operator: 'in',
    values: items.map((item) => typedValue(parameter, name, column, item)),
  };
}

/** The text of a parameter as the JSON value the column holds, or a 400 naming the column. */
function typedValue(parameter: string, name: string, column: RelationalColumn, text: string): JsonValue {
  const bad = (expected: string) =>
    new RelationalQueryError(
      parameter,
      name,
      `expected ${expected} for ${column.type} column "${name}", got "${text}"`,
    );
  switch (column.type) {
    case 'text': {
      const problem = unstorableText(text);
      if (problem === undefined) return text;
      throw new RelationalQueryError(parameter, name, `the value for text column "${name}" ${problem}`);
    }
    case 'uuid':
      if (valueProblem('uuid', text) === undefined) return text;
      throw bad('a UUID');
    case 'integer':
    case 'bigint': {
      const number = /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (valueProblem(column.type, number) === undefined) return number;
      throw bad(column.type === 'integer' ? 'a 32-bit integer' : 'an integer');
    }
    case 'double':
      if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
      throw bad('a number');
    case 'numeric':
      if (/^-?\d+(\.\d+)?$/.test(text)) return text;
      throw bad('a decimal number');
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw bad('true or false');
    case 'timestamptz':
      if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)))
        return new Date(text).toISOString();
      throw bad('an ISO-8601 timestamp');
    case 'jsonb':
      throw new RelationalQueryError(parameter, name, `jsonb column "${name}" cannot be compared`);
  }
}

/**
 * Why a string cannot be compared with a text column, or undefined. PostgreSQL text cannot hold NUL
 * (a query with one fails with "invalid byte sequence", a 500 before issue #12), and a lone surrogate is
 * not Unicode at all (the driver would silently send U+FFFD instead); SQLite is held to the same rule so
 * both stores answer alike.
 */
function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which text columns cannot hold';
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate, which is not valid Unicode';
  return undefined;
}

function sortKeys(shape: RelationalTargetShape, text: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of text.split(',')) {
    const descending = part.startsWith('-');
    const name = descending ? part.slice(1) : part;
    const column = declared(shape, 'sort', name);
    if (column.type === 'jsonb')
      throw new RelationalQueryError('sort', name, `jsonb column "${name}" cannot be sorted on`);
    if (keys.some((key) => key.column === name))
      throw new RelationalQueryError('sort', name, `column "${name}" is named twice`);
    keys.push({ column: name, direction: descending ? 'desc' : 'asc' });
  }
  return keys;
}

function pageSize(text: string): number {
  const size = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new RelationalQueryError(
      'limit',
      'limit',
      `expected an integer from 1 to ${MAX_PAGE_SIZE}, got "${text}"`,
    );
  }
  return size;
}

function selectedFields(shape: RelationalTargetShape, text: string): string[] {
  const fields: string[] = [];
  for (const name of text.split(',')) {
    declared(shape, 'fields', name);
    if (!fields.includes(name)) fields.push(name);
  }
  return fields;
}

function decodeCursor(shape: RelationalTargetShape, sort: readonly SortKey[], token: string): JsonValue[] {
  const invalid = (why: string) =>
    new RelationalQueryError(
      'cursor',
      'cursor',
      `${why}; pass the nextCursor of the previous page with the same sort`,
    );
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API issued');
  }
  if (!Array.isArray(values) || values.length !== sort.length) throw invalid('not a cursor of this sort');
  return sort.map(({ column: name }, i) => {
    const value = values[i] as JsonValue;
    const column = shape.columns[name]!;
    // A cursor this API issued holds only scalars; anything else (an array nested 5,000 deep, issue #12)
    // is refused before any code walks it.
    if (value !== null && typeof value === 'object')
      throw invalid(`its value for "${name}" does not fit the column`);
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem !== undefined) throw invalid(`its value for "${name}" ${problem}`);
    }
    if (value === null) {
      if (name === shape.key || !column.nullable)
        throw invalid(`it holds null for NOT NULL column "${name}"`);
      return null;
    }
    if (valueProblem(column.type, value) !== undefined)
      throw invalid(`its value for "${name}" does not fit the column`);
    return column.type === 'timestamptz' ? new Date(value as string).toISOString() : value;
  });
}
