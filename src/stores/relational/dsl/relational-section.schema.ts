/**
 * The `target:` section of a relational view (PostgreSQL or SQLite) and its limits. `kind: postgres` is
 * an accepted alias of `relational` (declared on the store module; the core normalizes it).
 */
import { z } from 'zod';
import { named } from '../../../dsl/model/names';
import { RELATIONAL_COLUMN_TYPES } from '../relational-view-shape';

const ColumnName = named('column', 'A column of the target table (snake_case).');

export const RelationalColumnSchema = z.strictObject({
  type: z
    .enum(RELATIONAL_COLUMN_TYPES)
    .describe('Column type (PostgreSQL names; SQLite stores each as its nearest type).'),
  nullable: z.boolean().default(false).describe('Columns are NOT NULL unless nullable: true.'),
});

export const RelationalSectionSchema = z.strictObject({
  kind: z.literal('relational').describe('A relational table, on PostgreSQL or SQLite.'),
  table: ColumnName.describe('Logical table name (snake_case).'),
  key: ColumnName.describe('Primary-key column; one of `columns`.'),
  columns: z.record(ColumnName, RelationalColumnSchema).describe('Column name -> type.'),
  indexes: z
    .array(
      z.strictObject({
        columns: z.array(ColumnName).min(1),
        unique: z.boolean().default(false),
      }),
    )
    .default([]),
});

export type RelationalSection = z.output<typeof RelationalSectionSchema>;

/** What the store itself accepts, with room for Prism's own columns. */
export const RELATIONAL_LIMITS = {
  /** PostgreSQL allows 1,600 columns per table, fewer when rows are wide; SQLite 2,000. */
  columns: 1000,
  /** Indexes per table, and columns per index (PostgreSQL's own maximum is 32). */
  indexes: 32,
  indexColumns: 32,
  /** PostgreSQL identifiers are at most 63 bytes; physical tables add `__g<N>__ix<i>` (relational-shape.ts). */
  tableName: 48,
  columnName: 63,
} as const;
