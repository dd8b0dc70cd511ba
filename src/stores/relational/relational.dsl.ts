/**
 * The relational store's DSL section (see ../store-dsl.ts): a table of typed columns under a key column,
 * a document view whose NOT NULL columns a new row must set. Its views are read through the relational
 * API, so it has no named-query language.
 */
import type { ValueKind, ValueType } from '../../dsl/expressions/value-types';
import type { DocumentView, StoreDsl } from '../store-dsl';
import {
  checkRelationalLimits,
  checkRelationalSection,
  salvageRelationalSection,
} from './dsl/relational-section.checks';
import { RelationalSectionSchema, type RelationalSection } from './dsl/relational-section.schema';
import {
  RELATIONAL_SHAPE_KIND,
  type RelationalColumnType,
  type RelationalTargetShape,
} from './relational-view-shape';

const VALUE_KINDS: Record<RelationalColumnType, ValueKind> = {
  text: 'string',
  uuid: 'uuid',
  timestamptz: 'timestamp',
  integer: 'int32',
  bigint: 'int',
  double: 'double',
  numeric: 'double',
  boolean: 'bool',
  jsonb: 'json',
};

/** The value type expressions writing a column of this type are checked and converted against. */
export function relationalValueType(type: RelationalColumnType, nullable: boolean): ValueType {
  return { kind: VALUE_KINDS[type], nullable, array: false, declared: type };
}

/** Column types a fan-out update may select by (exact, scalar values). */
const SECONDARY_KEY_TYPES: ReadonlySet<RelationalColumnType> = new Set(['text', 'uuid', 'integer', 'bigint']);

/** Columns leading a declared index (the store finds their rows without a scan), of a scalar type. */
function secondaryKeys(section: RelationalSection): Set<string> {
  const keys = new Set<string>();
  for (const index of section.indexes) {
    const first = index.columns[0];
    const column = first === undefined ? undefined : section.columns[first];
    if (first !== undefined && column !== undefined && SECONDARY_KEY_TYPES.has(column.type)) keys.add(first);
  }
  return keys;
}

function view(section: RelationalSection): DocumentView {
  return {
    family: 'document',
    noun: 'column',
    owner: `table ${section.table}`,
    key: section.key,
    fields: new Map(
      Object.entries(section.columns).map(([name, column]) => [
        name,
        relationalValueType(column.type, column.nullable),
      ]),
    ),
    unknownCode: 'unknown-column',
    enforcesNotNull: true,
    secondaryKeys: secondaryKeys(section),
    secondaryKeyHint:
      'declare an index that leads with it, `indexes: [{ columns: [<name>] }]` (a text, uuid, integer ' +
      'or bigint column)',
  };
}

function shapeOf(section: RelationalSection): RelationalTargetShape {
  return {
    kind: RELATIONAL_SHAPE_KIND,
    table: section.table,
    key: section.key,
    columns: Object.fromEntries(
      Object.entries(section.columns).map(([name, column]) => [
        name,
        { type: column.type, nullable: column.nullable },
      ]),
    ),
    indexes: section.indexes.map((index) => ({ columns: [...index.columns], unique: index.unique })),
  };
}

export const relationalDsl: StoreDsl<RelationalSection, RelationalTargetShape> = {
  schema: RelationalSectionSchema,
  family: 'document',
  // Views written before the kind was renamed were fingerprinted and stored as `postgres` (issue #13).
  storedKind: 'postgres',
  viewName: 'table',
  withoutQueries: 'relational views are read through the relational API',
  checkLimits: checkRelationalLimits,
  salvage: salvageRelationalSection,
  check: checkRelationalSection,
  view,
  shapeOf,
  keyFieldOf: (shape) => shape.key,
};
