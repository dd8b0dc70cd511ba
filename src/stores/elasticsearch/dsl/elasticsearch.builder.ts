/**
 * The typed TypeScript builder's helper for an Elasticsearch target section (see
 * src/dsl/builder/define-projection.ts): `elasticsearch({ index, id, fields })` gives the section, with
 * the document its actions write typed from the field types.
 */
import type { DocumentTargetSection } from '../../../dsl/builder/define-projection';
import type { ElasticsearchFieldType, ElasticsearchSubFieldType } from '../elasticsearch-view-shape';

/** A multi-field: written by Elasticsearch from its parent, never by an action (so not in the document type). */
interface SubFieldDeclaration {
  readonly type: ElasticsearchSubFieldType;
  readonly facet?: boolean;
  readonly filter?: boolean;
}

interface FieldDeclaration {
  readonly type: ElasticsearchFieldType;
  readonly facet?: boolean;
  readonly filter?: boolean;
  readonly array?: boolean;
  readonly fields?: Readonly<Record<string, SubFieldDeclaration>>;
}

type FieldScalarTs<T extends ElasticsearchFieldType> = T extends 'integer' | 'long' | 'double'
  ? number
  : T extends 'boolean'
    ? boolean
    : string;
/** Elasticsearch has no NOT NULL: every field may be absent. */
type FieldValue<F extends FieldDeclaration> =
  (F['array'] extends true ? FieldScalarTs<F['type']>[] : FieldScalarTs<F['type']>) | null;

export interface ElasticsearchTargetInput<Fields extends Record<string, FieldDeclaration>> {
  readonly index: string;
  readonly id: keyof Fields & string;
  readonly fields: Fields;
}

export type ElasticsearchTarget<Fields extends Record<string, FieldDeclaration>> =
  ElasticsearchTargetInput<Fields> & { readonly kind: 'elasticsearch' } & DocumentTargetSection<{
      [K in keyof Fields]: FieldValue<Fields[K]>;
    }>;

export function elasticsearch<const Fields extends Record<string, FieldDeclaration>>(
  target: ElasticsearchTargetInput<Fields>,
): ElasticsearchTarget<Fields> {
  // the document type is a compile-time brand only; the section is plain data
  return { kind: 'elasticsearch', ...target } as ElasticsearchTarget<Fields>;
}
