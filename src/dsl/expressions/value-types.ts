/**
 * The declared type of everything an expression can write (a column, a document field, a graph property,
 * a key) and the two checks made against it: statically against the CEL type the checker inferred (at
 * load), and at run time against the value (a mismatch there is a poison event). Each store maps its own
 * declared types to these (src/stores/<store>/<store>.dsl.ts).
 */
import type { JsonValue } from '../../core/json';
import { bigintToNumber, celToJson, CelValueConversionError, describeCel } from './cel-values';

export type ValueKind = 'string' | 'uuid' | 'timestamp' | 'int32' | 'int' | 'double' | 'bool' | 'json';

export interface ValueType {
  readonly kind: ValueKind;
  readonly nullable: boolean;
  /** A list of `kind` values (array fields). */
  readonly array: boolean;
  /** The declared type as the author wrote it, for messages: `bigint`, `keyword[]`. */
  readonly declared: string;
}

const CEL_TYPE_OF_KIND: Record<ValueKind, string> = {
  string: 'string',
  uuid: 'string',
  timestamp: 'string',
  int32: 'int',
  int: 'int',
  double: 'double',
  bool: 'bool',
  json: 'dyn',
};

/** How `doc.<field>` is typed for the checker: nullable fields are dyn, since CEL types have no null. */
export function celTypeOf(type: ValueType): string {
  if (type.nullable) return 'dyn';
  const element = CEL_TYPE_OF_KIND[type.kind];
  return type.array ? `list<${element}>` : element;
}

/** Numbers as CEL reads them back: int columns hold CEL ints; JSON whole numbers elsewhere become ints too. */
export function isIntKind(kind: ValueKind): boolean {
  return kind === 'int' || kind === 'int32';
}
export function isNumericKind(kind: ValueKind): boolean {
  return isIntKind(kind) || kind === 'double';
}

const ACCEPTED_CEL_TYPES: Record<ValueKind, readonly string[]> = {
  string: ['string'],
  uuid: ['string'],
  timestamp: ['string', 'google.protobuf.Timestamp'],
  int32: ['int', 'uint'],
  int: ['int', 'uint'],
  double: ['double', 'int', 'uint'],
  bool: ['bool'],
  json: [],
};

/**
 * Whether an expression the checker typed as `celType` can be written to `type`; a reason when it cannot.
 * `dyn` is accepted (checked at run time).
 */
export function staticMismatch(type: ValueType, celType: string): string | undefined {
  if (celType === 'dyn') return undefined;
  if (celType === 'null')
    return type.nullable ? undefined : 'it is NOT NULL, but the expression returns null';
  if (type.kind === 'json' && !type.array)
    return celType === 'bytes' ? 'bytes cannot be stored as JSON' : undefined;
  if (type.array) {
    const element = /^list(?:<(.+)>)?$/.exec(celType);
    if (!element) return `expected a list, but the expression returns ${celType}`;
    const inner = element[1];
    // `[]` is list<T>: an element type still open is fine
    if (inner === undefined || inner === 'dyn' || /^[A-Z]$/.test(inner)) return undefined;
    return ACCEPTED_CEL_TYPES[type.kind].includes(inner) || type.kind === 'json'
      ? undefined
      : `expected a list of ${PLURAL_NAMES[type.kind]}, but the expression returns ${celType}`;
  }
  if (ACCEPTED_CEL_TYPES[type.kind].includes(celType)) return undefined;
  return `expected ${expectedName(type.kind)}, but the expression returns ${celType}${conversionHint(type.kind, celType)}`;
}

const PLURAL_NAMES: Record<ValueKind, string> = {
  string: 'strings',
  uuid: 'UUID strings',
  timestamp: 'timestamps',
  int32: '32-bit integers',
  int: 'integers',
  double: 'numbers',
  bool: 'bools',
  json: 'JSON values',
};

export function expectedName(kind: ValueKind): string {
  switch (kind) {
    case 'string':
      return 'a string';
    case 'uuid':
      return 'a UUID string';
    case 'timestamp':
      return 'an ISO-8601 timestamp (string or timestamp)';
    case 'int32':
      return 'a 32-bit integer';
    case 'int':
      return 'an integer';
    case 'double':
      return 'a number';
    case 'bool':
      return 'a bool';
    case 'json':
      return 'a JSON value';
  }
}

function conversionHint(kind: ValueKind, celType: string): string {
  if (isIntKind(kind) && celType === 'double') return '; wrap it in int(...)';
  if ((kind === 'string' || kind === 'uuid') && ['int', 'double', 'bool', 'uint'].includes(celType)) {
    return '; wrap it in string(...)';
  }
  if (kind === 'double' && celType === 'string') return '; wrap it in double(...)';
  if (isIntKind(kind) && celType === 'string') return '; wrap it in int(...)';
  return '';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Not a closure inside convertToDeclared: that runs per value written, on the hot path of a rebuild. */
function mismatch(type: ValueType, value: unknown): never {
  throw new CelValueConversionError(
    `expected ${expectedName(type.kind)} for ${type.declared}, got ${describeCel(value)}`,
  );
}

/**
 * A CEL result as the JSON value stored for `type`.
 * @throws CelValueConversionError with a reason when the value does not fit the declared type.
 */
export function convertToDeclared(type: ValueType, value: unknown): JsonValue {
  if (value === null || value === undefined) {
    if (type.nullable) return null;
    throw new CelValueConversionError(`got null for NOT NULL ${type.declared}`);
  }
  if (type.array) {
    if (!Array.isArray(value))
      throw new CelValueConversionError(`expected a list for ${type.declared}, got ${describeCel(value)}`);
    const element: ValueType = {
      ...type,
      array: false,
      nullable: false,
      declared: type.declared.replace(/\[\]$/, ''),
    };
    return value.map((item: unknown) => convertToDeclared(element, item));
  }
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : mismatch(type, value);
    case 'uuid':
      if (typeof value !== 'string') return mismatch(type, value);
      if (!UUID.test(value)) throw new CelValueConversionError(`${JSON.stringify(value)} is not a UUID`);
      return value;
    case 'timestamp':
      if (value instanceof Date) return value.toISOString();
      if (typeof value !== 'string') return mismatch(type, value);
      if (Number.isNaN(Date.parse(value)))
        throw new CelValueConversionError(`${JSON.stringify(value)} is not an ISO-8601 timestamp`);
      return value;
    case 'int32':
    case 'int': {
      let number: number;
      if (typeof value === 'bigint') number = bigintToNumber(value);
      else if (typeof value === 'number' && Number.isInteger(value)) number = value;
      else return mismatch(type, value);
      if (type.kind === 'int32' && (number < INT32_MIN || number > INT32_MAX)) {
        throw new CelValueConversionError(`${number} does not fit the 32-bit ${type.declared}`);
      }
      return number;
    }
    case 'double':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      return mismatch(type, value);
    case 'bool':
      return typeof value === 'boolean' ? value : mismatch(type, value);
    case 'json':
      return celToJson(value);
  }
}
