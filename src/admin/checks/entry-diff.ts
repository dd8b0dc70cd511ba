/**
 * Compares two entries of a view (a live one and a rebuilt one) field by field, after bringing both to
 * one canonical form per declared type: stores hand values back in their own ways (PostgreSQL timestamps
 * as Date, Neo4j datetimes without milliseconds, bigint columns as numbers), and none of that is a
 * difference. Absent and null are the same (a nullable column, a property never set). Which fields compare
 * how is the store module's to say (its `checks.entryFields`).
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type { TargetShape } from '../../core/view-shape';
import { storeModule } from '../../stores/registry';
import type { FieldComparison } from '../../stores/store-checks';

export interface FieldDifference {
  readonly field: string;
  /** Absent values are reported as null. */
  readonly live: JsonValue;
  readonly rebuilt: JsonValue;
}

/** The fields that differ, in field-name order; empty when the entries are equal. */
export function diffEntries(
  shape: TargetShape,
  key: string,
  live: JsonObject,
  rebuilt: JsonObject,
): FieldDifference[] {
  const { comparison, stored } = storeModule(shape.kind).checks.entryFields(shape, key);
  const fields = new Set([...Object.keys(live), ...Object.keys(rebuilt)]);
  const differences: FieldDifference[] = [];
  for (const field of [...fields].sort()) {
    if (stored !== undefined && !stored.has(field)) continue;
    const kind = comparison[field] ?? 'plain';
    const a = canonical(live[field], kind);
    const b = canonical(rebuilt[field], kind);
    if (stableJson(a) !== stableJson(b)) {
      differences.push({ field, live: live[field] ?? null, rebuilt: rebuilt[field] ?? null });
    }
  }
  return differences;
}

function canonical(value: JsonValue | undefined, kind: FieldComparison): JsonValue {
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
