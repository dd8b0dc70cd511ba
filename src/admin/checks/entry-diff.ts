/**
 * Compares two entries of a view (a live one and a rebuilt one) field by field, after bringing both to
 * one canonical form per declared type: stores hand values back in their own ways (PostgreSQL timestamps
 * as Date, Neo4j datetimes without milliseconds, bigint columns as numbers), and none of that is a
 * difference. Absent and null are the same (a nullable column, a property never set).
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type { TargetShape } from '../../core/view-shape';
import { parseGraphEntryKey } from '../../stores/graph-entity-keys';

export interface FieldDifference {
  readonly field: string;
  /** Absent values are reported as null. */
  readonly live: JsonValue;
  readonly rebuilt: JsonValue;
}

type Canonical = 'time' | 'number' | 'plain';

/** The fields that differ, in field-name order; empty when the entries are equal. */
export function diffEntries(
  shape: TargetShape,
  key: string,
  live: JsonObject,
  rebuilt: JsonObject,
): FieldDifference[] {
  const kinds = fieldKinds(shape, key);
  const fields = new Set([...Object.keys(live), ...Object.keys(rebuilt)]);
  // Relational rows hold exactly the declared columns; undeclared fields of a plan's document are not stored.
  const declared = shape.kind === 'postgres' ? new Set(Object.keys(shape.columns)) : undefined;
  const differences: FieldDifference[] = [];
  for (const field of [...fields].sort()) {
    if (declared !== undefined && !declared.has(field)) continue;
    const kind = kinds[field] ?? 'plain';
    const a = canonical(live[field], kind);
    const b = canonical(rebuilt[field], kind);
    if (stableJson(a) !== stableJson(b)) {
      differences.push({ field, live: live[field] ?? null, rebuilt: rebuilt[field] ?? null });
    }
  }
  return differences;
}

function fieldKinds(shape: TargetShape, key: string): Record<string, Canonical> {
  const kinds: Record<string, Canonical> = {};
  switch (shape.kind) {
    case 'postgres':
      for (const [name, column] of Object.entries(shape.columns)) {
        if (column.type === 'timestamptz') kinds[name] = 'time';
        else if (['integer', 'bigint', 'double', 'numeric'].includes(column.type)) kinds[name] = 'number';
      }
      return kinds;
    case 'elasticsearch':
      for (const [name, field] of Object.entries(shape.fields)) {
        if (field.type === 'date') kinds[name] = 'time';
      }
      return kinds;
    case 'neo4j': {
      const parsed = parseGraphEntryKey(key);
      const properties =
        parsed?.kind === 'node'
          ? shape.nodes[parsed.label]?.properties
          : parsed?.kind === 'rel'
            ? shape.relationships[parsed.type]?.properties
            : undefined;
      for (const [name, type] of Object.entries(properties ?? {})) {
        if (type === 'datetime') kinds[name] = 'time';
        else if (type === 'integer' || type === 'float') kinds[name] = 'number';
      }
      return kinds;
    }
  }
}

function canonical(value: JsonValue | undefined, kind: Canonical): JsonValue {
  if (value === undefined || value === null) return null;
  if (kind === 'time' && (typeof value === 'string' || typeof value === 'number')) {
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? value : time.toISOString();
  }
  if (kind === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return value;
}

/** JSON with object keys sorted, so two equal values always print the same. */
export function stableJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k] ?? null)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
