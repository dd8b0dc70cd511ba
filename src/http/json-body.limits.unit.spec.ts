import {
  MAX_JSON_DEPTH,
  assertStorableBody,
  jsonNestsDeeperThan,
  unstorableFields,
  valueNestsDeeperThan,
  verifyJsonBody,
} from './json-body.limits';
import { HttpRequestError, RequestValidationError } from './request.errors';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON body depth (issue #12 item 6: 3,000 levels overflowed the validation pipe)', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestsDeeperThan(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan(bytes(`{"a":"${'['.repeat(500)}"}`), 2)).toBe(false);
    expect(jsonNestsDeeperThan(bytes(`{"a":"\\"[[[[","b":{"c":{}}}`), 3)).toBe(false);
    expect(jsonNestsDeeperThan(bytes(`{"a":"\\\\","b":[[[[]]]]}`), 3)).toBe(true);
    expect(jsonNestsDeeperThan(bytes(`{"€ü":[["ß"]]}`), 3)).toBe(false);
  });

  it('rejects a body 3,000 deep before parsing, as malformed_request', () => {
    expect(() => verifyJsonBody(undefined, undefined, bytes(`{"name":${nested(3000)}}`), 'utf-8')).toThrow(
      expect.objectContaining({ code: 'malformed_request', details: { maxDepth: MAX_JSON_DEPTH } }),
    );
  });

  it('refuses charsets other than UTF-8 as unsupported_media_type', () => {
    let thrown: unknown;
    try {
      verifyJsonBody(undefined, undefined, bytes('{}'), 'utf-16le');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpRequestError);
    expect((thrown as HttpRequestError).code).toBe('unsupported_media_type');
  });

  it('measures parsed values without recursion, however deep', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(valueNestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(valueNestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(valueNestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(() => assertStorableBody(deep)).toThrow(HttpRequestError);
  });
});

describe('unstorable text (issue #12 item 6: PostgreSQL text/jsonb cannot store NUL or lone surrogates)', () => {
  it('names every field holding a NUL or a lone surrogate, nested ones by dotted path', () => {
    expect(
      unstorableFields({
        name: 'a\u0000b',
        ok: 'emoji 😀 and accents é',
        tags: ['fine', 'bad\uD800'],
        nested: { low: '\uDC00x' },
        ['key\u0000']: 1,
      }),
    ).toEqual({
      name: [expect.stringContaining('NUL')],
      'tags.1': [expect.stringContaining('lone UTF-16 surrogate')],
      'nested.low': [expect.stringContaining('lone UTF-16 surrogate')],
      'key\u0000': [expect.stringContaining('its name contains a NUL')],
    });
  });

  it('throws validation_failed with the fields, and lets well-formed text through', () => {
    expect(() => assertStorableBody({ name: 'Ada', city: 'Zürich 🏔' })).not.toThrow();
    let thrown: unknown;
    try {
      assertStorableBody({ name: 'Ada\u0000' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RequestValidationError);
    expect((thrown as RequestValidationError).fields).toEqual({ name: [expect.stringContaining('\\u0000')] });
  });
});

describe('keys named like Object.prototype members', () => {
  it('are refused wherever they are, since class-validator took them for declared fields', () => {
    expect(
      unstorableFields(
        JSON.parse('{"constructor":{"prototype":1},"toString":"x","__proto__":{},"tags":[{"valueOf":1}]}'),
      ),
    ).toEqual({
      constructor: ['property constructor should not exist'],
      toString: ['property toString should not exist'],
      ['__proto__']: ['property __proto__ should not exist'], // computed: an own key, not the prototype
      'tags.0.valueOf': ['property valueOf should not exist'],
    });
    expect(unstorableFields({ name: 'constructor', prototypeName: 1 })).toEqual({});
  });
});
