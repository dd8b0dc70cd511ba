/**
 * What differs between the two relational databases Prism writes views to: PostgreSQL (production) and
 * embedded SQLite (the zero-install default). Everything else in the relational target is shared.
 *
 * Statements are written once with PostgreSQL's `$n` placeholders; the SQLite dialect rewrites them.
 * Bulk statements take ONE parameter holding the whole batch as JSON (PostgreSQL `json_to_recordset`,
 * SQLite `json_each`), so a batch is one statement per kind of write whatever its size, with no
 * parameter-count limits and one cached statement text.
 */
import type { JsonValue } from '../../core/json';
import type { ViewDocument } from '../../core/plan';
import type { RelationalColumnType, RelationalTargetShape } from './relational-view-shape';
import { columnNames } from './relational-shape';

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A parked-event row as the bookkeeping table stores it (JSON-ready values). */
export interface ParkedRow {
  readonly projection: string;
  readonly generation: number;
  readonly position: string;
  readonly stream_id: string;
  readonly event_type: string;
  readonly event: JsonValue;
  readonly keys: readonly string[];
  readonly reason: string;
  readonly status: 'parked' | 'held';
  readonly parked_at: string;
}

export type BookkeepingColumnType = 'text' | 'integer' | 'bigint' | 'json' | 'time' | 'boolean';

export interface RelationalDialect {
  readonly name: 'postgres' | 'sqlite';
  /** Quoted, schema-qualified name for SQL text. */
  qualify(name: string): string;
  /** The name as TypeORM's `Table` wants it (`schema.name` on PostgreSQL). */
  tablePath(name: string): string;
  quote(identifier: string): string;
  /** Rewrites `$n` placeholders for the driver and orders the parameters to match. */
  prepare(statement: SqlStatement): SqlStatement;

  columnType(type: RelationalColumnType): string;
  bookkeepingType(type: BookkeepingColumnType): string;
  /** A raw column value read back, as the JSON value the plan produced (identical on both databases). */
  decode(type: RelationalColumnType, raw: unknown): JsonValue;
  positionParam(position: bigint): unknown;
  decodePosition(raw: unknown): bigint;
  timeParam(time: Date): unknown;
  decodeTime(raw: unknown): Date;
  jsonParam(value: JsonValue): unknown;
  decodeJson(raw: unknown): JsonValue;
  /** SQL that locks the checkpoint row for the rest of the transaction ('' where the database locks whole). */
  readonly forUpdate: string;
  /**
   * Statements run first in every transaction (settings that hold for it alone). PostgreSQL bounds how long
   * a transaction may sit idle, so a process frozen inside a commit (SIGSTOP, a long GC pause) cannot keep
   * the checkpoint row locked from the node that took its lease over (issue #15).
   */
  readonly transactionSettings: readonly string[];

  selectByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement;
  deleteByKeys(table: string, shape: RelationalTargetShape, keys: readonly string[]): SqlStatement;
  upsertDocuments(
    table: string,
    shape: RelationalTargetShape,
    documents: readonly ViewDocument[],
  ): SqlStatement;
  upsertParked(table: string, rows: readonly ParkedRow[]): SqlStatement;
  deleteParked(
    table: string,
    projection: string,
    generation: number,
    positions: readonly bigint[],
  ): SqlStatement;
  /** Which kind of relation holds `name`: a table, a view, or nothing. */
  relationKind(name: string): SqlStatement;
  /** Creates or replaces the stable-name view in place; undefined when the database cannot (drop + create). */
  replaceView(view: string, table: string, columns: readonly string[]): string | undefined;
  /** The stable-name view's column names in their order (rows `{ name }`), where replaceView is offered. */
  viewColumns?(view: string): SqlStatement;
}

/** Column list of the parked-events table, in insert order. */
export const PARKED_COLUMNS = [
  'projection',
  'generation',
  'position',
  'stream_id',
  'event_type',
  'event',
  'keys',
  'reason',
  'status',
  'parked_at',
] as const;

export function updateAssignments(
  dialect: RelationalDialect,
  columns: readonly string[],
  except: readonly string[],
  excluded: string,
): string {
  const updated = columns.filter((column) => !except.includes(column));
  if (updated.length === 0) return 'DO NOTHING';
  return `DO UPDATE SET ${updated.map((c) => `${dialect.quote(c)} = ${excluded}.${dialect.quote(c)}`).join(', ')}`;
}

export function shapeColumns(shape: RelationalTargetShape): string[] {
  return columnNames(shape);
}
