import { CelValueConversionError, celToJson, jsonToCel } from './cel-values';
import { elasticsearchValueType } from '../../stores/elasticsearch/elasticsearch.dsl';
import { relationalValueType } from '../../stores/relational/relational.dsl';
import { convertToDeclared, staticMismatch } from './value-types';

describe('JSON <-> CEL numbers', () => {
  it('whole JSON numbers become CEL ints, others doubles', () => {
    expect(jsonToCel({ a: 2, b: 2.5, c: [1, 'x'], d: null })).toEqual({
      a: 2n,
      b: 2.5,
      c: [1n, 'x'],
      d: null,
    });
  });

  it('CEL results become JSON, ints within the safe range only', () => {
    expect(celToJson({ a: 3n, b: [1n, 2.5], c: new Date('2024-01-01T00:00:00Z') })).toEqual({
      a: 3,
      b: [1, 2.5],
      c: '2024-01-01T00:00:00.000Z',
    });
    expect(() => celToJson(2n ** 60n)).toThrow(CelValueConversionError);
  });
});

describe('convertToDeclared', () => {
  it.each([
    [relationalValueType('integer', false), 7n, 7],
    [relationalValueType('bigint', false), 9007199254740991n, 9007199254740991],
    [relationalValueType('double', false), 3n, 3],
    [relationalValueType('numeric', false), 2.5, 2.5],
    [relationalValueType('text', true), null, null],
    [relationalValueType('timestamptz', false), new Date('2024-03-01T10:00:00Z'), '2024-03-01T10:00:00.000Z'],
    [relationalValueType('jsonb', false), { a: [1n] }, { a: [1] }],
    [elasticsearchValueType('keyword', true), ['a', 'b'], ['a', 'b']],
  ])('converts to %o', (type, value, expected) => {
    expect(convertToDeclared(type, value)).toEqual(expected);
  });

  it.each([
    [relationalValueType('integer', false), 2n ** 31n, '2147483648 does not fit the 32-bit integer'],
    [relationalValueType('bigint', false), 1.5, 'expected an integer for bigint, got double 1.5'],
    [relationalValueType('text', false), null, 'got null for NOT NULL text'],
    [relationalValueType('text', false), 5n, 'expected a string for text, got int 5'],
    [relationalValueType('uuid', false), 'nope', '"nope" is not a UUID'],
    [relationalValueType('timestamptz', false), 'yesterday', '"yesterday" is not an ISO-8601 timestamp'],
    [elasticsearchValueType('long', true), [1n, 'x'], 'expected an integer for long, got string "x"'],
  ])('rejects a value that does not fit %o', (type, value, message) => {
    expect(() => convertToDeclared(type, value)).toThrow(message);
  });
});

describe('staticMismatch', () => {
  it('accepts matching and dyn types, and int where a double is expected', () => {
    expect(staticMismatch(relationalValueType('double', false), 'int')).toBeUndefined();
    expect(staticMismatch(relationalValueType('text', false), 'dyn')).toBeUndefined();
    expect(staticMismatch(elasticsearchValueType('keyword', true), 'list<T>')).toBeUndefined();
  });

  it('explains a mismatch and how to convert', () => {
    expect(staticMismatch(relationalValueType('integer', false), 'double')).toBe(
      'expected a 32-bit integer, but the expression returns double; wrap it in int(...)',
    );
    expect(staticMismatch(elasticsearchValueType('keyword', true), 'list<int>')).toBe(
      'expected a list of strings, but the expression returns list<int>',
    );
  });
});
