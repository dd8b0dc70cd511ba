/** The embedded SQLite dialect of the relational target (see relational-dialect.ts). */
import type { JsonValue } from '../../core/json';
import type { ViewDocument } from '../../core/plan';
import type { RelationalColumnType, RelationalTargetShape } from './relational-view-shape';
import {
  PARKED_COLUMNS,
  shapeColumns,
  updateAssignments,
  type BookkeepingColumnType,
  type ParkedRow,
  type RelationalDialect,
  type SqlStatement,
} from './relational-dialect';

/** SQLite has type affinities rather than types; these give the same values back as PostgreSQL does. */
const SQL_TYPES: Record<RelationalColumnType, string> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  double: 'real',
  numeric: 'numeric',
  boolean: 'boolean',
  timestamptz: 'text',
  jsonb: 'text',
  uuid: 'text',
};

const BOOKKEEPING_TYPES: Record<BookkeepingColumnType, string> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  json: 'text',
  time: 'text',
  boolean: 'boolean',
};

export class SqliteDialect implements RelationalDialect {
  readonly name = 'sqlite';
  readonly forUpdate = '';
  // One process owns the file: nothing to bound.
  readonly transactionSettings = [];

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  qualify(name: string): string {
    return this.quote(name);
  }

  tablePath(name: string): string {
    return name;
  }

  /** better-sqlite3 binds positional `?` only: expand each `$n` in order of appearance. */
  prepare(statement: SqlStatement): SqlStatement {
    if (!/\$\d/.test(statement.sql)) return { sql: statement.sql, params: statement.params.map(toSqlite) };
    const params: unknown[] = [];
    const sql = statement.sql.replace(/\$(\d+)/g, (_match, index: string) => {
      params.push(toSqlite(statement.params[Number(index) - 1]));
      return '?';
    });
    return { sql, params };
  }

  columnType(type: RelationalColumnType): string {
    return SQL_TYPES[type];
  }

  bookkeepingType(type: BookkeepingColumnType): string {
    return BOOKKEEPING_TYPES[type];
  }

  decode(type: RelationalColumnType, raw: unknown): JsonValue {
    if (raw === null || raw === undefined) return null;
    switch (type) {
      case 'boolean':
        return raw === 1 || raw === true || raw === '1';
      case 'jsonb':
        return JSON.parse(raw as string) as JsonValue;
      case 'numeric':
      case 'double':
        return Number(raw);
      default:
        return raw as JsonValue;
    }
  }

  positionParam(position: bigint): unknown {
    return position;
  }

  decodePosition(raw: unknown): bigint {
    return BigInt(raw as string | number | bigint);
  }

  timeParam(time: Date): unknown {
    return time.toISOString();
  }

  decodeTime(raw: unknown): Date {
    return new Date(raw as string);
  }

  jsonParam(value: JsonValue): unknown {
    return JSON.stringify(value);
  }

  decodeJson(raw: unknown): JsonValue {
    return JSON.parse(raw as string) as JsonValue;
  }

  private encodeKey(shape: RelationalTargetShape, key: string): string | number {
    const type = shape.columns[shape.key]?.type;
    return type === 'integer' || type === 'bigint' ? Number(key) : key;
  }

  selectByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement {
    const columns = shapeColumns(shape).map((c) => this.quote(c));
    return {
      sql: `SELECT ${columns.join(', ')} FROM ${this.qualify(table)} WHERE ${this.quote(shape.key)} IN (SELECT value FROM json_each(?))`,
      params: [JSON.stringify(keys.map((key) => this.encodeKey(shape, key)))],
    };
  }

  deleteByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement {
    return {
      sql: `DELETE FROM ${this.qualify(table)} WHERE ${this.quote(shape.key)} IN (SELECT value FROM json_each(?))`,
      params: [JSON.stringify(keys.map((key) => this.encodeKey(shape, key)))],
    };
  }

  upsertDocuments(
    table: string,
    shape: RelationalTargetShape,
    documents: readonly ViewDocument[],
  ): SqlStatement {
    const names = shapeColumns(shape);
    const types = names.map((name) => shape.columns[name]?.type ?? 'text');
    const rows = documents.map((document) => names.map((name, i) => encode(types[i]!, document[name])));
    return {
      // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
      sql:
        `INSERT INTO ${this.qualify(table)} (${names.map((c) => this.quote(c)).join(', ')}) ` +
        `SELECT ${names.map((_c, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?) WHERE true ` +
        `ON CONFLICT (${this.quote(shape.key)}) ${updateAssignments(this, names, [shape.key], 'excluded')}`,
      params: [JSON.stringify(rows)],
    };
  }

  upsertParked(table: string, rows: readonly ParkedRow[]): SqlStatement {
    const encoded = rows.map((row) =>
      PARKED_COLUMNS.map((column) =>
        column === 'event' || column === 'keys' ? JSON.stringify(row[column]) : row[column],
      ),
    );
    return {
      sql:
        `INSERT INTO ${this.qualify(table)} (${PARKED_COLUMNS.map((c) => this.quote(c)).join(', ')}) ` +
        `SELECT ${PARKED_COLUMNS.map((_c, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?) WHERE true ` +
        `ON CONFLICT (projection, generation, position) ${updateAssignments(this, PARKED_COLUMNS, ['projection', 'generation', 'position'], 'excluded')}`,
      params: [JSON.stringify(encoded)],
    };
  }

  deleteParked(
    table: string,
    projection: string,
    generation: number,
    positions: readonly bigint[],
  ): SqlStatement {
    return {
      sql: `DELETE FROM ${this.qualify(table)} WHERE projection = ? AND generation = ? AND position IN (SELECT value FROM json_each(?))`,
      params: [projection, generation, JSON.stringify(positions.map((p) => Number(p)))],
    };
  }

  relationKind(name: string): SqlStatement {
    return {
      sql: `SELECT type AS kind FROM sqlite_master WHERE name = $1 AND type IN ('table', 'view')`,
      params: [name],
    };
  }

  replaceView(): string | undefined {
    return undefined;
  }
}

/** A JSON value as SQLite stores it for a column of this declared type. */
function encode(type: RelationalColumnType, value: JsonValue | undefined): JsonValue {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'boolean':
      return value === true ? 1 : value === false ? 0 : value;
    case 'jsonb':
      return JSON.stringify(value);
    case 'timestamptz':
      // Normalized like PostgreSQL normalizes timestamptz, so both targets return the same text.
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? new Date(value).toISOString()
        : value;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : value;
  }
}

function toSqlite(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}
