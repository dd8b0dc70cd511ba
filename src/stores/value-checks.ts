/**
 * The value checks that relational columns and Elasticsearch fields share, each giving the reason a
 * value does not fit (or undefined), in the same words on every target so parked events read alike.
 */
import type { JsonValue } from '../core/json';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function stringProblem(value: JsonValue): string | undefined {
  return typeof value === 'string' ? undefined : `expects a string, got ${describeValue(value)}`;
}

export function int32Problem(value: JsonValue): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
    ? undefined
    : `expects a 32-bit integer, got ${describeValue(value)}`;
}

export function safeIntegerProblem(value: JsonValue): string | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value)
    ? undefined
    : `expects an integer (at most 2^53), got ${describeValue(value)}`;
}

export function finiteNumberProblem(value: JsonValue): string | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? undefined
    : `expects a number, got ${describeValue(value)}`;
}

export function booleanProblem(value: JsonValue): string | undefined {
  return typeof value === 'boolean' ? undefined : `expects true or false, got ${describeValue(value)}`;
}

/** `array [1,2]`, `string "x"`: the type and the start of the value, for messages. */
export function describeValue(value: JsonValue): string {
  const text = JSON.stringify(value);
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return `${type} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
