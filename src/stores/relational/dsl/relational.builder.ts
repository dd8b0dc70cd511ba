/**
 * The typed TypeScript builder's helper for a relational target section (see
 * src/dsl/builder/define-projection.ts): `relational({ table, key, columns })` gives the section, with the
 * document its actions write typed from the column types.
 */
import type { DocumentTargetSection } from '../../../dsl/builder/define-projection';
import type { RelationalColumnType } from '../relational-view-shape';

interface ColumnDeclaration {
  readonly type: RelationalColumnType;
  readonly nullable?: boolean;
}

type ColumnTs<T extends RelationalColumnType> = T extends 'integer' | 'bigint' | 'double' | 'numeric'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'jsonb'
      ? unknown
      : string;
type ColumnValue<C extends ColumnDeclaration> = C['nullable'] extends true
  ? ColumnTs<C['type']> | null
  : ColumnTs<C['type']>;

export interface RelationalTargetInput<Columns extends Record<string, ColumnDeclaration>> {
  readonly table: string;
  readonly key: keyof Columns & string;
  readonly columns: Columns;
  readonly indexes?: readonly {
    readonly columns: readonly (keyof Columns & string)[];
    readonly unique?: boolean;
  }[];
}

export type RelationalTarget<Columns extends Record<string, ColumnDeclaration>> =
  RelationalTargetInput<Columns> & { readonly kind: 'relational' } & DocumentTargetSection<{
      [K in keyof Columns]: ColumnValue<Columns[K]>;
    }>;

export function relational<const Columns extends Record<string, ColumnDeclaration>>(
  target: RelationalTargetInput<Columns>,
): RelationalTarget<Columns> {
  // the document type is a compile-time brand only; the section is plain data
  return { kind: 'relational', ...target } as RelationalTarget<Columns>;
}

/** @deprecated The relational kind was named `postgres`; use `relational` (same section, same fingerprint). */
export const postgres = relational;
