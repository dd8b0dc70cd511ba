/**
 * A document view's target as its writes see it: the key and the declared value type of every column or
 * field. The semantic checks type writes against it; the compiler converts written values with it.
 */
import type { TargetDefinition } from '../model/definition.schema';
import type { Frozen } from '../model/projection.model';
import { elasticsearchValueType, postgresValueType, type ValueType } from './value-types';

export interface DocumentShape {
  readonly noun: 'column' | 'field';
  readonly owner: string;
  readonly key: string;
  readonly fields: ReadonlyMap<string, ValueType>;
  readonly unknownCode: 'unknown-column' | 'unknown-field';
}

export type DocumentTarget = Frozen<Exclude<TargetDefinition, { kind: 'neo4j' }>>;

export function documentShapeOf(target: DocumentTarget): DocumentShape {
  if (target.kind === 'postgres') {
    return {
      noun: 'column',
      owner: `table ${target.table}`,
      key: target.key,
      fields: new Map(
        Object.entries(target.columns).map(([name, column]) => [
          name,
          postgresValueType(column.type, column.nullable),
        ]),
      ),
      unknownCode: 'unknown-column',
    };
  }
  return {
    noun: 'field',
    owner: `index ${target.index}`,
    key: target.id,
    fields: new Map(
      Object.entries(target.fields).map(([name, field]) => [
        name,
        elasticsearchValueType(field.type, field.array),
      ]),
    ),
    unknownCode: 'unknown-field',
  };
}
