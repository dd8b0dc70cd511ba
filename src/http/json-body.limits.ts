/**
 * Limits on JSON request bodies that the parser and the validation pipe enforce, so no body can make a
 * recursive library (class-transformer, class-validator, the raw-search guard) overflow the stack or put
 * text into the event store that PostgreSQL cannot keep (issue #12 item 6):
 *
 *   depth   at most MAX_JSON_DEPTH nested objects/arrays; deeper is 400 malformed_request
 *   text    no NUL (\u0000) and no lone UTF-16 surrogate in a string or key; 400 validation_failed naming
 *           the field (PostgreSQL text/jsonb cannot store either, so every event store refuses them alike)
 *   keys    no key named like a member of Object.prototype (`constructor`, `toString`, `__proto__`...):
 *           class-validator's forbidNonWhitelisted looks fields up in a plain object and took them for
 *           declared fields, so `{"constructor": ...}` passed validation (found by the adversarial suite)
 *   size    MAX_JSON_BODY (body-parser's limit); larger is 413 payload_too_large
 */
import { HttpRequestError, RequestValidationError } from './request.errors';

/** 64 levels: a command body uses 3, a raw Elasticsearch query rarely 20. */
export const MAX_JSON_DEPTH = 64;
/** body-parser's default, stated here so it is documented in one place. */
export const MAX_JSON_BODY = '100kb';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse. JSON is UTF-8 (RFC 8259), and the
 * depth scan relies on it, so other charsets body-parser would decode are refused here.
 */
export function verifyJsonBody(_request: unknown, _response: unknown, raw: Buffer, encoding: string): void {
  if (encoding !== 'utf-8') {
    throw new HttpRequestError(
      'unsupported_media_type',
      `The body is declared as ${encoding.slice(0, 40)}; send JSON in UTF-8 ("Content-Type: application/json").`,
    );
  }
  if (jsonNestsDeeperThan(raw, MAX_JSON_DEPTH)) throw tooDeepError();
}

export function tooDeepError(): HttpRequestError {
  return new HttpRequestError(
    'malformed_request',
    `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels; send a flatter body.`,
    { maxDepth: MAX_JSON_DEPTH },
  );
}

/**
 * Whether raw UTF-8 JSON nests deeper than `max`, read in one pass without parsing (so before JSON.parse
 * or anything recursive sees it). Brackets inside strings do not count; UTF-8 continuation bytes are never
 * ASCII, so scanning bytes is exact.
 */
export function jsonNestsDeeperThan(raw: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Depth of an already-parsed value, iteratively (a value built in code may nest without limit). */
export function valueNestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (LONE_SURROGATE.test(text)) {
    return 'contains a lone UTF-16 surrogate (invalid Unicode), which cannot be stored; send valid UTF-8 text';
  }
  return undefined;
}

/**
 * Every string (and key) in the body that cannot be stored or names an Object.prototype member, by dotted
 * path as class-validator names fields (`tags.0`). Walks iteratively; call it after the depth check.
 */
export function unstorableFields(body: unknown): Record<string, string[]> {
  // A Map, not a plain object: a field named `constructor` must not find Object.prototype's.
  const found = new Map<string, string[]>();
  const add = (path: string, problem: string) => found.set(path, [...(found.get(path) ?? []), problem]);
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem !== undefined) add(path || '(body)', problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const keyProblem = unstorableText(key);
      if (keyProblem !== undefined) add(childPath, `its name ${keyProblem}`);
      if (key in Object.prototype) add(childPath, `property ${key} should not exist`);
      stack.push([child, childPath]);
    }
  }
  return Object.fromEntries([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The checks a command body goes through before class-transformer and class-validator see it. */
export function assertStorableBody(body: unknown): void {
  if (valueNestsDeeperThan(body, MAX_JSON_DEPTH)) throw tooDeepError();
  const fields = unstorableFields(body);
  if (Object.keys(fields).length > 0) throw new RequestValidationError(fields);
}
