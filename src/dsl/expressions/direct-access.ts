/**
 * A shortcut around the CEL interpreter for the expressions most handlers are made of: a literal
 * (`0`, `"placed"`, `true`) or a field path into the event (`event.data.orderId`, `event.streamId`).
 *
 * Why: a rebuild evaluates keys and assignments millions of times, and going through CEL means
 * converting the whole event payload to CEL values first (whole numbers to bigint, nested objects
 * copied). For these forms the answer can be read straight from the stored event, converting only the
 * one value that is read. The result is exactly what CEL returns (jsonToCel of the same value); anything
 * the shortcut is not sure about (a missing key, a non-object on the path) answers INDIRECT and the
 * caller evaluates with CEL, so errors keep CEL's wording.
 *
 * The source was already parsed and type-checked by CEL; these patterns only decide whether the
 * shortcut applies.
 */
import type { JsonValue } from '../../core/json';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { jsonToCel } from './cel-values';

/** Returned when the shortcut cannot answer for this event: evaluate with CEL instead. */
export const INDIRECT: unique symbol = Symbol('indirect');

export type DirectEvaluation = (event: StoredEvent) => unknown;

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';
const DATA_PATH = new RegExp(`^event\\.(data|metadata)((?:\\.${IDENTIFIER})+)$`);
const EVENT_STRING_FIELD = /^event\.(id|type|streamId)$/;
const INTEGER = /^-?(0|[1-9][0-9]{0,14})$/;
const PLAIN_STRING = /^(?:"([^"\\\n\r]*)"|'([^'\\\n\r]*)')$/;

/** A direct evaluation for `source`, or undefined when it needs the interpreter. */
export function directEvaluation(source: string): DirectEvaluation | undefined {
  const text = source.trim();
  const literal = literalValue(text);
  if (literal !== INDIRECT) return () => literal;
  const field = EVENT_STRING_FIELD.exec(text);
  if (field) {
    const name = field[1] as 'id' | 'type' | 'streamId';
    return (event) => event[name];
  }
  const path = DATA_PATH.exec(text);
  if (path) {
    const root = path[1] as 'data' | 'metadata';
    const keys = path[2]!.slice(1).split('.');
    return (event) => readPath(event[root], keys);
  }
  return undefined;
}

function literalValue(text: string): unknown {
  if (INTEGER.test(text)) return BigInt(text);
  const string = PLAIN_STRING.exec(text);
  if (string) return string[1] ?? string[2];
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  return INDIRECT;
}

function readPath(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (const key of keys) {
    if (!isPlainObject(value) || !Object.hasOwn(value, key)) return INDIRECT;
    value = value[key];
  }
  return jsonToCel(value as JsonValue);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
