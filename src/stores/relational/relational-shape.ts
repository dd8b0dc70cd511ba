/**
 * Pure helpers between a declared RelationalTargetShape and the relational tables built from it:
 * physical names per generation, the TypeORM `Table` for a new generation, and the per-column checks
 * that decide whether a document fits (identical on PostgreSQL and SQLite, so both park the same events).
 */
import { Table, TableIndex } from 'typeorm';
import type { JsonValue } from '../../core/json';
import type { ViewDocument } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import {
  isRelationalShape,
  RELATIONAL_SHAPE_KIND,
  type RelationalColumnType,
  type RelationalTargetShape,
} from './relational-view-shape';
import { UnsupportedShapeError } from '../target.errors';
import {
  booleanProblem,
  describeValue,
  finiteNumberProblem,
  int32Problem,
  safeIntegerProblem,
  stringProblem,
} from '../value-checks';
import { IdentifierTooLongError } from './relational.errors';

/** PostgreSQL truncates identifiers beyond 63 bytes; we refuse instead of colliding silently. */
export const MAX_IDENTIFIER_LENGTH = 63;

export function relationalShape(projection: string, shape: TargetShape): RelationalTargetShape {
  if (!isRelationalShape(shape))
    throw new UnsupportedShapeError(projection, shape.kind, RELATIONAL_SHAPE_KIND);
  return shape;
}

/** The physical table of one generation: `<table>__g<N>`. Readers never query it directly. */
export function generationTableName(shape: RelationalTargetShape, generation: number): string {
  return checkedIdentifier(`${shape.table}__g${generation}`);
}

export function checkedIdentifier(name: string): string {
  if (name.length > MAX_IDENTIFIER_LENGTH) throw new IdentifierTooLongError(name, MAX_IDENTIFIER_LENGTH);
  return name;
}

/** Column order is the declaration order, key first, so views and inserts agree on it. */
export function columnNames(shape: RelationalTargetShape): string[] {
  return [shape.key, ...Object.keys(shape.columns).filter((name) => name !== shape.key)];
}

/**
 * The TypeORM table for a NEW generation. Live tables are never altered: a changed shape is a new
 * generation built beside the live one (see src/runtime/projection-supervisor.ts).
 */
export function generationTable(
  shape: RelationalTargetShape,
  generation: number,
  options: {
    readonly qualify: (name: string) => string;
    readonly columnType: (type: RelationalColumnType) => string;
  },
): Table {
  const physical = generationTableName(shape, generation);
  return new Table({
    name: options.qualify(physical),
    columns: columnNames(shape).map((name) => {
      const column = shape.columns[name];
      if (column === undefined)
        throw new Error(`Shape of "${shape.table}" has no column "${name}" (its key).`);
      return {
        name,
        type: options.columnType(column.type),
        isPrimary: name === shape.key,
        isNullable: name !== shape.key && column.nullable,
      };
    }),
    indices: shape.indexes.map(
      (index, i) =>
        new TableIndex({
          // Index names are per schema in PostgreSQL: the generation suffix keeps them apart.
          name: checkedIdentifier(`${physical}__ix${i}`),
          columnNames: [...index.columns],
          isUnique: index.unique,
        }),
    ),
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Why `value` does not fit a column of this type, or undefined when it does. */
export function valueProblem(type: RelationalColumnType, value: JsonValue): string | undefined {
  switch (type) {
    case 'text':
      return stringProblem(value);
    case 'integer':
      return int32Problem(value);
    case 'bigint':
      return safeIntegerProblem(value);
    case 'double':
      return finiteNumberProblem(value);
    case 'numeric':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && NUMERIC.test(value))
        ? undefined
        : `expects a decimal number, got ${describeValue(value)}`;
    case 'boolean':
      return booleanProblem(value);
    case 'timestamptz':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? undefined
        : `expects an ISO-8601 timestamp, got ${describeValue(value)}`;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
        ? undefined
        : `expects a UUID, got ${describeValue(value)}`;
    case 'jsonb':
      return undefined;
  }
}

/** Why the document does not fit the shape, or undefined. Undeclared fields are ignored, as the insert does. */
export function documentProblem(shape: RelationalTargetShape, document: ViewDocument): string | undefined {
  // for...in, not Object.entries: this runs for every document of every batch, and entries allocates.
  for (const name in shape.columns) {
    const column = shape.columns[name]!;
    const value = document[name];
    if (value === undefined || value === null) {
      if (name === shape.key || !column.nullable)
        return `column "${name}" is NOT NULL but the document has no value`;
      continue;
    }
    const problem = valueProblem(column.type, value);
    if (problem !== undefined) return `column "${name}" (${column.type}) ${problem}`;
  }
  return undefined;
}
