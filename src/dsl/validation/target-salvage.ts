/**
 * When the target section fails the schema only because of some column, field or property declarations
 * (a misspelt type, say), the rest of it is still worth checking actions against: otherwise one typo in
 * the target would hide every other error of the file. The failed declarations are replaced by permissive
 * placeholders and remembered as untyped, so nothing is reported twice or guessed about them.
 */
import {
  ElasticsearchFieldSchema,
  NAME_PATTERNS,
  PostgresColumnSchema,
  TargetSchema,
  type TargetDefinition,
} from '../model/definition.schema';
import { isPlainObject } from './schema-issues';

export interface SalvagedTarget {
  readonly target: TargetDefinition;
  /** Declarations that failed the schema: document field names, or `Label.property` / `TYPE.property`. */
  readonly untyped: ReadonlySet<string>;
}

const GRAPH_TYPES = new Set(['string', 'integer', 'float', 'boolean', 'datetime']);

export function salvageTarget(raw: unknown): SalvagedTarget | undefined {
  const exact = TargetSchema.safeParse(raw);
  if (exact.success) return { target: exact.data, untyped: new Set() };
  if (!isPlainObject(raw)) return undefined;
  const untyped = new Set<string>();
  const fixed: Record<string, unknown> = structuredClone(raw);
  const entries = (value: unknown): [string, unknown][] =>
    isPlainObject(value) ? Object.entries(value) : [];

  if (raw.kind === 'postgres' || raw.kind === 'elasticsearch') {
    const part = raw.kind === 'postgres' ? 'columns' : 'fields';
    const schema = raw.kind === 'postgres' ? PostgresColumnSchema : ElasticsearchFieldSchema;
    const pattern = raw.kind === 'postgres' ? NAME_PATTERNS.column.pattern : NAME_PATTERNS.field.pattern;
    const placeholder = raw.kind === 'postgres' ? { type: 'jsonb', nullable: true } : { type: 'keyword' };
    const declarations: Record<string, unknown> = {};
    for (const [name, declaration] of entries(raw[part])) {
      if (!pattern.test(name)) continue;
      if (schema.safeParse(declaration).success) declarations[name] = declaration;
      else {
        declarations[name] = placeholder;
        untyped.add(name);
      }
    }
    fixed[part] = declarations;
    if (raw.kind === 'postgres')
      fixed.indexes = Array.isArray(raw.indexes)
        ? raw.indexes.filter(
            (index) =>
              isPlainObject(index) &&
              Array.isArray(index.columns) &&
              index.columns.length > 0 &&
              index.columns.every((column) => typeof column === 'string'),
          )
        : [];
  } else if (raw.kind === 'neo4j') {
    const properties = (owner: string, value: unknown): Record<string, string> => {
      const result: Record<string, string> = {};
      for (const [name, type] of entries(value)) {
        if (!NAME_PATTERNS.property.pattern.test(name)) continue;
        if (typeof type === 'string' && GRAPH_TYPES.has(type)) result[name] = type;
        else {
          result[name] = 'string';
          untyped.add(`${owner}.${name}`);
        }
      }
      return result;
    };
    fixed.nodes = Object.fromEntries(
      entries(raw.nodes)
        .filter(([label, node]) => NAME_PATTERNS.label.pattern.test(label) && isPlainObject(node))
        .map(([label, node]) => [
          label,
          {
            ...(node as object),
            properties: properties(label, (node as Record<string, unknown>).properties),
          },
        ]),
    );
    fixed.relationships = Object.fromEntries(
      entries(raw.relationships)
        .filter(
          ([type, relationship]) =>
            NAME_PATTERNS.relationshipType.pattern.test(type) && isPlainObject(relationship),
        )
        .map(([type, relationship]) => [
          type,
          {
            ...(relationship as object),
            properties: properties(type, (relationship as Record<string, unknown>).properties),
          },
        ]),
    );
  } else {
    return undefined;
  }
  const salvaged = TargetSchema.safeParse(fixed);
  return salvaged.success ? { target: salvaged.data, untyped } : undefined;
}
