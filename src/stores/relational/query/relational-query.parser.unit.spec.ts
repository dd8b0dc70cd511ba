import type { RelationalTargetShape } from '../relational-view-shape';
import { encodeCursor, parseKey, parseRelationalQuery } from './relational-query.parser';

const SHAPE: RelationalTargetShape = {
  kind: 'postgres',
  table: 't',
  key: 'name',
  columns: { name: { type: 'text', nullable: false }, n: { type: 'integer', nullable: true } },
  indexes: [],
};

describe('relational text values PostgreSQL cannot hold (issue #12: %00 was a 500)', () => {
  it('keeps any well-formed text, surrogate pairs included', () => {
    expect(parseRelationalQuery(SHAPE, { name: 'caf\u00e9 \u{1F600}' }).filters[0]!.values).toEqual([
      'caf\u00e9 \u{1F600}',
    ]);
    expect(parseKey(SHAPE, '\u{1F600}')).toBe('\u{1F600}');
  });

  it.each([
    ['a NUL', 'a\u0000b', /NUL character/],
    ['a lone high surrogate', 'a\ud800', /lone surrogate/],
    ['a lone low surrogate', '\udc00b', /lone surrogate/],
  ])('refuses %s in a filter, a key and a cursor value', (_, text, message) => {
    expect(() => parseRelationalQuery(SHAPE, { name: text })).toThrow(message);
    expect(() => parseRelationalQuery(SHAPE, { 'name[in]': `x,${text}` })).toThrow(message);
    expect(() => parseKey(SHAPE, text)).toThrow(message);
    expect(() => parseRelationalQuery(SHAPE, { cursor: encodeCursor([text]) })).toThrow(message);
  });

  it('refuses a cursor value that is not a scalar, however deep', () => {
    const deep = `${'['.repeat(5_000)}"x"${']'.repeat(5_000)}`;
    expect(() => parseRelationalQuery(SHAPE, { cursor: Buffer.from(deep).toString('base64url') })).toThrow(
      /"cursor": its value for "name" does not fit the column/,
    );
  });
});
