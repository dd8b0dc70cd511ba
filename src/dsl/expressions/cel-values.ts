/**
 * Values crossing the boundary between JSON (events, view documents) and CEL.
 *
 * CEL keeps int (64-bit, a JS bigint here) and double apart and has no mixed arithmetic, while JSON has one
 * number type. Going in, a whole JSON number becomes a CEL int and any other number a double, so
 * `event.data.qty * event.data.price` is an int when the payload holds whole numbers. Coming out, values are
 * converted to the declared type of the column, field or property they are written to (value-types.ts).
 */
import type { JsonValue } from '../../core/json';

export type CelInput = bigint | number | string | boolean | null | CelInput[] | { [key: string]: CelInput };

/** JSON -> CEL: whole numbers become int (bigint), everything else keeps its shape. */
export function jsonToCel(value: JsonValue): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  // Array.from, not map: map keeps the array's realm, and CEL only recognises arrays of its own realm
  // (values cloned by the host's structuredClone, e.g. under Jest, come from another one)
  if (Array.isArray(value)) return Array.from(value, jsonToCel);
  const result: { [key: string]: CelInput } = {};
  // Object.keys, not entries: every event's payload comes through here, and entries allocates a pair per field.
  for (const key of Object.keys(value)) result[key] = jsonToCel(value[key]!);
  return result;
}

/** A CEL result that cannot become JSON: the caller turns it into an evaluation error. */
export class CelValueConversionError extends Error {
  override readonly name = 'CelValueConversionError';
}

/** CEL -> JSON, without a declared type (jsonb columns, list elements of dyn lists). */
export function celToJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new CelValueConversionError(`${String(value)} is not a JSON number`);
      return value;
    case 'bigint':
      return bigintToNumber(value);
    case 'object':
      break;
    default:
      throw new CelValueConversionError(`a ${typeof value} cannot be stored`);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(celToJson);
  if (value instanceof Map) {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of value as Map<unknown, unknown>) result[String(key)] = celToJson(item);
    return result;
  }
  if (value instanceof Uint8Array)
    throw new CelValueConversionError('bytes cannot be stored; convert them with string()');
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null && !isDocumentInstance(value)) {
    throw new CelValueConversionError(`a CEL ${describeCel(value)} cannot be stored`);
  }
  const result: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) result[key] = celToJson(item);
  return result;
}

export function bigintToNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CelValueConversionError(`${value} is outside the safe integer range of JSON numbers (±2^53-1)`);
  }
  return Number(value);
}

/** A short name of a CEL runtime value for messages: `int 3`, `string "x"`, `list`. */
export function describeCel(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'number') return `double ${value}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'boolean') return `bool ${value}`;
  if (Array.isArray(value)) return 'list';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof Uint8Array) return 'bytes';
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? name : 'map';
}

const documentClasses = new WeakSet<object>();
/** Document wrapper classes (cel-environment.ts) convert like plain objects. */
export function registerDocumentClass(ctor: object): void {
  documentClasses.add(ctor);
}
function isDocumentInstance(value: object): boolean {
  return documentClasses.has((value as { constructor: object }).constructor);
}

/** The string form of a key value: `"o1"` -> o1, `7` -> 7 (document keys and `Label:key` are strings). */
export function keyText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}
