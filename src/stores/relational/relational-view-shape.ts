/**
 * The view shape of the relational store (PostgreSQL or SQLite): one table per view, its columns and
 * indexes. The DSL section (dsl/relational-section.schema.ts) produces it; the target, the query API and
 * the checks build from it.
 */
import type { TargetShape } from '../../core/view-shape';

/**
 * The shape's `kind`. It keeps the name the store had before `kind: relational` (issue #13): shapes are
 * stored with every generation and name the target that serves them, so renaming it needs a bookkeeping
 * migration, not a DSL change.
 */
export const RELATIONAL_SHAPE_KIND = 'postgres';

export const RELATIONAL_COLUMN_TYPES = [
  'text',
  'integer',
  'bigint',
  'double',
  'numeric',
  'boolean',
  'timestamptz',
  'jsonb',
  'uuid',
] as const;
export type RelationalColumnType = (typeof RELATIONAL_COLUMN_TYPES)[number];

export interface RelationalColumn {
  readonly type: RelationalColumnType;
  /** Columns are NOT NULL unless declared nullable; the key column never is. */
  readonly nullable: boolean;
}

export interface RelationalIndex {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export interface RelationalTargetShape extends TargetShape {
  readonly kind: typeof RELATIONAL_SHAPE_KIND;
  /** Logical table name; the physical table is versioned per generation (see the runtime's rebuilds). */
  readonly table: string;
  /** Name of the primary-key column (one of `columns`). */
  readonly key: string;
  readonly columns: Readonly<Record<string, RelationalColumn>>;
  readonly indexes: readonly RelationalIndex[];
}

export function isRelationalShape(shape: TargetShape): shape is RelationalTargetShape {
  return shape.kind === RELATIONAL_SHAPE_KIND;
}
