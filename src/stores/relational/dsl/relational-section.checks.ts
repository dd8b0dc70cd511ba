/**
 * Checks of a relational section that its schema cannot express: the key and index columns are declared,
 * the key is not nullable, names Prism keeps for itself are not taken (issue #12, items 2 and 8: `table:
 * events` validated, then failed at start-up), and the size limits on the raw section.
 */
import { isPlainObject } from '../../../core/json';
import { didYouMean } from '../../../dsl/errors/suggest';
import { NAME_PATTERNS } from '../../../dsl/model/names';
import type { Problems } from '../../../dsl/validation/problems';
import type { SalvagedSection, SectionLimits } from '../../store-dsl';
import {
  RELATIONAL_LIMITS,
  RelationalColumnSchema,
  RelationalSectionSchema,
  type RelationalSection,
} from './relational-section.schema';

/**
 * Relational views live in the same schema as the PostgreSQL event log (PRISM_PG_SCHEMA) and as
 * Prism's bookkeeping tables; in PostgreSQL tables, views, sequences and indexes share one namespace.
 * test/dsl/definitions-start.int.spec.ts lists what Prism really creates and asserts each is refused.
 */
const EVENT_LOG_RELATIONS = new Set([
  'events',
  'streams',
  'event_position_seq',
  'events_pkey',
  'events_id_key',
  'events_stream_id_revision_key',
  'events_stream_revision_key',
  'events_position_key',
  'events_type_position_idx',
  'events_type_position',
  'streams_pkey',
]);
/** Bookkeeping tables (`prism_projections`, `prism_checkpoints`, ...) and their indexes. */
const BOOKKEEPING_PREFIX = 'prism_';
/** Physical names are `<table>__g<N>` and `<table>__g<N>__ix<i>` (../relational-shape.ts). */
const PHYSICAL_SEPARATOR = '__';
/** PostgreSQL's system columns: a table cannot declare them. */
const SYSTEM_COLUMNS = new Set(['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid', 'oid']);

/** Why `table` cannot name a relational view, or undefined when it can. */
export function reservedTableReason(table: string): string | undefined {
  if (EVENT_LOG_RELATIONS.has(table)) return 'the PostgreSQL event log uses it';
  if (table.startsWith(BOOKKEEPING_PREFIX))
    return `Prism's bookkeeping tables start with "${BOOKKEEPING_PREFIX}"`;
  if (table.includes(PHYSICAL_SEPARATOR))
    return `"${PHYSICAL_SEPARATOR}" separates a view from its generation in physical table names`;
  return undefined;
}

export function checkRelationalSection(section: RelationalSection, problems: Problems): void {
  const columns = Object.keys(section.columns);
  const key = section.columns[section.key];
  if (!key) {
    problems.add(
      'key-not-declared',
      ['target', 'key'],
      `key column "${section.key}" is not declared in target.columns`,
      { suggestion: didYouMean(section.key, columns) ?? `declare it: ${section.key}: { type: text }` },
    );
  } else if (key.nullable) {
    problems.add(
      'key-nullable',
      ['target', 'columns', section.key, 'nullable'],
      `key column "${section.key}" cannot be nullable`,
    );
  }
  section.indexes.forEach((index, i) =>
    index.columns.forEach((column, j) => {
      if (!(column in section.columns)) {
        problems.add(
          'unknown-column',
          ['target', 'indexes', i, 'columns', j],
          `index column "${column}" is not a column of table ${section.table}`,
          { suggestion: didYouMean(column, columns) },
        );
      }
    }),
  );
  checkReservedNames(section, problems);
}

function checkReservedNames(section: RelationalSection, problems: Problems): void {
  const reason = reservedTableReason(section.table);
  if (reason) refuse(problems, ['target', 'table'], section.table, reason, 'value');
  for (const column of Object.keys(section.columns)) {
    if (SYSTEM_COLUMNS.has(column))
      refuse(problems, ['target', 'columns', column], column, 'it is a PostgreSQL system column', 'key');
  }
}

function refuse(problems: Problems, path: string[], name: string, reason: string, at: 'key' | 'value'): void {
  problems.add('reserved-name', path, `"${name}" is reserved: ${reason}`, {
    at,
    suggestion: 'choose another name',
  });
}

/** Size limits (issue #12, item 7: 64k columns validated in 85 s and were called valid). */
export function checkRelationalLimits(raw: Readonly<Record<string, unknown>>, limits: SectionLimits): void {
  const columns = limits.count(raw.columns);
  limits.over(
    ['target', 'columns'],
    columns,
    RELATIONAL_LIMITS.columns,
    'columns in a relational table',
    'split the view into several projections; PostgreSQL itself stops at 1,600 columns',
  );
  limits.nameLength(['target', 'table'], raw.table, RELATIONAL_LIMITS.tableName, 'a table name');
  if (columns <= RELATIONAL_LIMITS.columns)
    for (const [name] of limits.entries(raw.columns))
      limits.nameLength(
        ['target', 'columns', name],
        name,
        RELATIONAL_LIMITS.columnName,
        'a column name',
        'key',
      );
  const indexes = Array.isArray(raw.indexes) ? (raw.indexes as unknown[]) : [];
  limits.over(['target', 'indexes'], indexes.length, RELATIONAL_LIMITS.indexes, 'indexes on one table');
  indexes.forEach((index, i) => {
    if (isPlainObject(index))
      limits.over(
        ['target', 'indexes', i, 'columns'],
        limits.count(index.columns),
        RELATIONAL_LIMITS.indexColumns,
        'columns in one index',
      );
  });
}

/**
 * When only some column declarations fail the schema (a misspelt type, say), they become nullable jsonb
 * placeholders, remembered as untyped, so one typo does not hide the file's other errors.
 */
export function salvageRelationalSection(
  raw: Readonly<Record<string, unknown>>,
): SalvagedSection<RelationalSection> | undefined {
  const untyped = new Set<string>();
  const columns: Record<string, unknown> = {};
  for (const [name, declaration] of isPlainObject(raw.columns) ? Object.entries(raw.columns) : []) {
    if (!NAME_PATTERNS.column.pattern.test(name)) continue;
    if (RelationalColumnSchema.safeParse(declaration).success) columns[name] = declaration;
    else {
      columns[name] = { type: 'jsonb', nullable: true };
      untyped.add(name);
    }
  }
  const indexes = Array.isArray(raw.indexes)
    ? raw.indexes.filter(
        (index: unknown) =>
          isPlainObject(index) &&
          Array.isArray(index.columns) &&
          index.columns.length > 0 &&
          index.columns.every((column) => typeof column === 'string'),
      )
    : [];
  const salvaged = RelationalSectionSchema.safeParse({ ...structuredClone(raw), columns, indexes });
  return salvaged.success ? { section: salvaged.data, untyped } : undefined;
}
