/**
 * The SQL of a relational query, for PostgreSQL and SQLite alike: identifiers come only from the declared
 * shape and are quoted, every value is a bound parameter (`$n`; the target's dialect rewrites them for
 * SQLite). Pages are keyset pages: "rows after the cursor" is an OR of prefixes of the sort, which works
 * for any mix of directions. NULLs sort last in both directions on both databases.
 */
import type { JsonValue } from '../../../core/json';
import type { RelationalColumnType, RelationalTargetShape } from '../relational-view-shape';
import type { SqlStatement } from '../relational-dialect';
import type { Filter, RelationalQuery, SortKey } from './relational-query.parser';

export interface SqlNaming {
  readonly name: 'postgres' | 'sqlite';
  quote(identifier: string): string;
  /** The quoted, schema-qualified name of the view readers query. */
  qualify(name: string): string;
}

const COMPARISON: Record<Exclude<Filter['operator'], 'in'>, string> = {
  eq: '=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

class Parameters {
  readonly values: unknown[] = [];
  constructor(
    private readonly dialect: SqlNaming,
    private readonly shape: RelationalTargetShape,
  ) {}

  /** Binds a typed value of `column` and returns its placeholder. */
  bind(column: string, value: JsonValue): string {
    this.values.push(sqlValue(this.dialect, this.shape.columns[column]?.type ?? 'text', value));
    return `$${this.values.length}`;
  }

  bindRaw(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** One page: the selected columns plus the sort columns (the cursor needs them), `limit + 1` rows. */
export function pageStatement(
  dialect: SqlNaming,
  shape: RelationalTargetShape,
  query: RelationalQuery,
): SqlStatement {
  const q = (name: string) => dialect.quote(name);
  const params = new Parameters(dialect, shape);
  const columns = [...new Set([...query.fields, ...query.sort.map((key) => key.column)])];
  const where = query.filters.map((filter) =>
    filter.operator === 'in'
      ? `${q(filter.column)} IN (${filter.values.map((value) => params.bind(filter.column, value)).join(', ')})`
      : `${q(filter.column)} ${COMPARISON[filter.operator]} ${params.bind(filter.column, filter.values[0]!)}`,
  );
  if (query.after !== undefined) where.push(afterCursor(q, params, query.sort, query.after));
  const order = query.sort.map((key) => `${q(key.column)} ${key.direction.toUpperCase()} NULLS LAST`);
  return {
    sql:
      `SELECT ${columns.map(q).join(', ')} FROM ${dialect.qualify(shape.table)}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${order.join(', ')} LIMIT ${params.bindRaw(query.limit + 1)}`,
    params: params.values,
  };
}

/** One row by its key. */
export function rowStatement(
  dialect: SqlNaming,
  shape: RelationalTargetShape,
  key: JsonValue,
  fields: readonly string[],
): SqlStatement {
  const params = new Parameters(dialect, shape);
  return {
    sql:
      `SELECT ${fields.map((c) => dialect.quote(c)).join(', ')} FROM ${dialect.qualify(shape.table)} ` +
      `WHERE ${dialect.quote(shape.key)} = ${params.bind(shape.key, key)}`,
    params: params.values,
  };
}

/**
 * Rows strictly after the cursor row in the sort order:
 *   (s0 after v0) OR (s0 = v0 AND s1 after v1) OR ... with NULLs last, so "after a value" includes NULLs
 *   and nothing comes after NULL on that column (ties on NULL go on to the next column).
 */
function afterCursor(
  q: (name: string) => string,
  params: Parameters,
  sort: readonly SortKey[],
  values: readonly JsonValue[],
): string {
  const branches: string[] = [];
  for (let i = 0; i < sort.length; i++) {
    const key = sort[i]!;
    const value = values[i] ?? null;
    if (value === null) continue;
    const equalBefore = sort.slice(0, i).map((previous, j) => {
      const earlier = values[j] ?? null;
      return earlier === null
        ? `${q(previous.column)} IS NULL`
        : `${q(previous.column)} = ${params.bind(previous.column, earlier)}`;
    });
    const after = `(${q(key.column)} ${key.direction === 'asc' ? '>' : '<'} ${params.bind(key.column, value)} OR ${q(key.column)} IS NULL)`;
    branches.push([...equalBefore, after].join(' AND '));
  }
  return branches.length === 0 ? '1 = 0' : `(${branches.map((branch) => `(${branch})`).join(' OR ')})`;
}

/** A typed JSON value as the driver binds it for a column of this type. */
function sqlValue(dialect: SqlNaming, type: RelationalColumnType, value: JsonValue): unknown {
  if (value === null) return null;
  switch (type) {
    case 'numeric':
      // PostgreSQL keeps the exact decimal from text; SQLite stores numeric columns as numbers.
      if (dialect.name === 'sqlite') return Number(value);
      return typeof value === 'number' ? value.toString() : value;
    case 'boolean':
      return value === true;
    default:
      return value;
  }
}
