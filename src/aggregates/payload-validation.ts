/**
 * Validates a command body against its zod schema and reports every invalid field in the documented
 * format (400 validation_failed, `fields: { name: [messages] }`). Messages read as sentences about the
 * field ("price must be an integer number", "property colour should not exist"), in the words the API
 * used before it moved to zod, so clients and tests that read them keep working.
 *
 * A message given in the schema itself (`z.string().regex(re, 'must be a product code')`) wins over the
 * wording here and is put after the field's name, so write it as a predicate: "must be ...".
 */
import type { z } from 'zod';
import { isPlainObject } from '../core/json';
import { RequestValidationError } from '../http/request.errors';

type Issue = z.core.$ZodIssue & { readonly input?: unknown };
type RawIssue = z.core.$ZodRawIssue;

/** Root-level problems are reported under this name, as the body limits do (json-body.limits.ts). */
export const BODY_FIELD = '(body)';

export function parsePayload(schema: z.ZodType, body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) {
    throw new RequestValidationError({
      [BODY_FIELD]: [`the body must be a JSON object, not ${Array.isArray(body) ? 'an array' : typeof body}`],
    });
  }
  const result = schema.safeParse(body, { error: predicateOf, reportInput: true });
  if (result.success) return result.data as Record<string, unknown>;
  throw new RequestValidationError(fieldsOf(result.error.issues));
}

/** Issues as `field path -> messages`; an array's elements are reported on the array ("each value in"). */
export function fieldsOf(issues: readonly Issue[]): Record<string, string[]> {
  // A Map, not a plain object: a field named `constructor` must not find Object.prototype's.
  const fields = new Map<string, string[]>();
  const add = (field: string, message: string) => fields.set(field, [...(fields.get(field) ?? []), message]);
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...path, key].join('.'), `property ${key} should not exist`);
      continue;
    }
    const last = issue.path.at(-1);
    if (typeof last === 'number' && path.length > 1) {
      const array = path.slice(0, -1).join('.');
      add(array, `each value in ${nameOf(path.slice(0, -1))} ${issue.message}`);
      continue;
    }
    const field = path.join('.') || BODY_FIELD;
    if (issue.code === 'invalid_type' && issue.input === undefined) add(field, `${nameOf(path)} is required`);
    add(field, `${nameOf(path)} ${issue.message}`);
  }
  return Object.fromEntries(fields);
}

/** The last named segment of a path: nested fields are named like class-validator named them. */
function nameOf(path: readonly string[]): string {
  return [...path].reverse().find((segment) => !/^\d+$/.test(segment)) ?? BODY_FIELD;
}

/** zod's per-parse error map: a predicate for the field's name; the schema's own messages take precedence. */
function predicateOf(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return typePredicate(issue.expected, issue.inst);
    case 'too_small':
      return sizePredicate(issue.origin, 'min', issue.minimum, issue.inclusive !== false);
    case 'too_big':
      return sizePredicate(issue.origin, 'max', issue.maximum, issue.inclusive !== false);
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue)
        return `must match ${String(issue.pattern)} regular expression`;
      return issue.format === 'email' ? 'must be an email' : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return `must be one of the following values: ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any of the allowed shapes';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    default:
      return 'is invalid';
  }
}

function typePredicate(expected: string, schema: unknown): string {
  switch (expected) {
    case 'string':
      return 'must be a string';
    case 'number':
    case 'int':
      return expected === 'int' || (schema as { isInt?: boolean } | undefined)?.isInt === true
        ? 'must be an integer number'
        : 'must be a number';
    case 'boolean':
      return 'must be a boolean value';
    case 'array':
      return 'must be an array';
    case 'object':
      return 'must be an object';
    case 'null':
      return 'must be null';
    default:
      return `must be ${expected}`;
  }
}

function sizePredicate(origin: string, bound: 'min' | 'max', limit: unknown, inclusive: boolean): string {
  const n = String(limit);
  if (origin === 'string') {
    return bound === 'min'
      ? `must be longer than or equal to ${n} characters`
      : `must be shorter than or equal to ${n} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return bound === 'min'
      ? `must contain at least ${n} elements`
      : `must contain no more than ${n} elements`;
  }
  if (bound === 'min') return inclusive ? `must not be less than ${n}` : `must be greater than ${n}`;
  return inclusive ? `must not be greater than ${n}` : `must be less than ${n}`;
}
