/** The PostgreSQL dialect of the relational target (see relational-dialect.ts). */
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

const SQL_TYPES: Record<RelationalColumnType, string> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  numeric: 'numeric',
  boolean: 'boolean',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
  uuid: 'uuid',
};

const BOOKKEEPING_TYPES: Record<BookkeepingColumnType, string> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  json: 'jsonb',
  time: 'timestamptz',
  boolean: 'boolean',
};

const PARKED_TYPES: Record<(typeof PARKED_COLUMNS)[number], string> = {
  projection: 'text',
  generation: 'integer',
  position: 'bigint',
  stream_id: 'text',
  event_type: 'text',
  event: 'jsonb',
  keys: 'jsonb',
  reason: 'text',
  status: 'text',
  parked_at: 'timestamptz',
};

/**
 * How long a Prism transaction may sit idle on PostgreSQL before the server ends it: below the default lease
 * TTL (6 s), so a frozen former owner holds the checkpoint row no longer than its lease (issue #15).
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;

export class PostgresDialect implements RelationalDialect {
  readonly name = 'postgres';
  readonly forUpdate = 'FOR UPDATE';
  // The server ends a session idle inside a transaction this long (its locks go with it). Prism's own
  // transactions send their statements back to back, so only a frozen or starved process gets there; its
  // commit then fails (transient) and is retried, or refused by the fence of the node that took over.
  readonly transactionSettings = [
    `SET LOCAL idle_in_transaction_session_timeout = '${IDLE_IN_TRANSACTION_TIMEOUT_MS}ms'`,
  ];

  constructor(readonly schema: string) {}

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  qualify(name: string): string {
    return `${this.quote(this.schema)}.${this.quote(name)}`;
  }

  tablePath(name: string): string {
    return `${this.schema}.${name}`;
  }

  prepare(statement: SqlStatement): SqlStatement {
    return statement;
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
      // node-postgres returns int8 and numeric as strings to keep their precision; views carry JSON numbers.
      case 'bigint':
      case 'numeric':
        return Number(raw);
      case 'timestamptz':
        return raw instanceof Date ? raw.toISOString() : new Date(raw as string).toISOString();
      default:
        return raw as JsonValue;
    }
  }

  positionParam(position: bigint): unknown {
    return position.toString();
  }

  decodePosition(raw: unknown): bigint {
    return BigInt(raw as string | number);
  }

  timeParam(time: Date): unknown {
    return time;
  }

  decodeTime(raw: unknown): Date {
    return raw instanceof Date ? raw : new Date(raw as string);
  }

  jsonParam(value: JsonValue): unknown {
    return JSON.stringify(value);
  }

  decodeJson(raw: unknown): JsonValue {
    return typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : (raw as JsonValue);
  }

  private keyArrayType(shape: RelationalTargetShape): string {
    const key = shape.columns[shape.key];
    return `${SQL_TYPES[key?.type ?? 'text']}[]`;
  }

  selectByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement {
    const columns = shapeColumns(shape).map((c) => this.quote(c));
    return {
      sql: `SELECT ${columns.join(', ')} FROM ${this.qualify(table)} WHERE ${this.quote(shape.key)} = ANY($1::${this.keyArrayType(shape)})`,
      params: [keys],
    };
  }

  deleteByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement {
    return {
      sql: `DELETE FROM ${this.qualify(table)} WHERE ${this.quote(shape.key)} = ANY($1::${this.keyArrayType(shape)})`,
      params: [keys],
    };
  }

  upsertDocuments(
    table: string,
    shape: RelationalTargetShape,
    documents: readonly ViewDocument[],
  ): SqlStatement {
    const names = shapeColumns(shape);
    const columns = names.map((c) => this.quote(c)).join(', ');
    const record = names
      .map((c) => `${this.quote(c)} ${SQL_TYPES[shape.columns[c]?.type ?? 'text']}`)
      .join(', ');
    // json_to_recordset picks each column by name from the documents as they are (undeclared fields are
    // ignored, absent ones are NULL), so the batch is serialized once and sent as one parameter.
    return {
      sql:
        `INSERT INTO ${this.qualify(table)} (${columns}) SELECT ${columns} FROM json_to_recordset($1::json) AS r(${record}) ` +
        `ON CONFLICT (${this.quote(shape.key)}) ${updateAssignments(this, names, [shape.key], 'EXCLUDED')}`,
      params: [JSON.stringify(documents)],
    };
  }

  upsertParked(table: string, rows: readonly ParkedRow[]): SqlStatement {
    const columns = PARKED_COLUMNS.map((c) => this.quote(c)).join(', ');
    const record = PARKED_COLUMNS.map((c) => `${this.quote(c)} ${PARKED_TYPES[c]}`).join(', ');
    return {
      sql:
        `INSERT INTO ${this.qualify(table)} (${columns}) SELECT ${columns} FROM json_to_recordset($1::json) AS r(${record}) ` +
        `ON CONFLICT (projection, generation, position) ${updateAssignments(this, PARKED_COLUMNS, ['projection', 'generation', 'position'], 'EXCLUDED')}`,
      params: [JSON.stringify(rows)],
    };
  }

  deleteParked(
    table: string,
    projection: string,
    generation: number,
    positions: readonly bigint[],
  ): SqlStatement {
    return {
      sql: `DELETE FROM ${this.qualify(table)} WHERE projection = $1 AND generation = $2 AND position = ANY($3::bigint[])`,
      params: [projection, generation, positions.map((p) => p.toString())],
    };
  }

  relationKind(name: string): SqlStatement {
    return {
      sql:
        `SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind FROM pg_class c ` +
        `JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'p', 'm', 'f')`,
      params: [this.schema, name],
    };
  }

  viewColumns(view: string): SqlStatement {
    return {
      sql:
        `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ` +
        `JOIN pg_namespace n ON n.oid = c.relnamespace ` +
        `WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      params: [this.schema, view],
    };
  }

  replaceView(view: string, table: string, columns: readonly string[]): string | undefined {
    return `CREATE OR REPLACE VIEW ${this.qualify(view)} AS SELECT ${columns.map((c) => this.quote(c)).join(', ')} FROM ${this.qualify(table)}`;
  }
}
