import { InvalidAppendError, earlierIdenticalAppend, prepareAppend, satisfies } from './append-input';
import { matchesFilter, normalizeFilter, prefixUpperBound } from './log-filter';

describe('prepareAppend', () => {
  const now = new Date('2025-03-04T05:06:07.089Z');

  it('generates lowercase UUIDs, fills timestamp and schemaVersion, and keeps only the known metadata', () => {
    const [first, second] = prepareAppend(
      'order-1',
      [
        { id: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', type: 'A', data: {}, metadata: { correlationId: 'c' } },
        { type: 'B', data: { x: 1 }, metadata: { schemaVersion: 4, timestamp: '2020-01-01T00:00:00.000Z' } },
      ],
      'any',
      now,
    );
    expect(first).toEqual({
      id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      type: 'A',
      data: {},
      metadata: { correlationId: 'c', timestamp: '2025-03-04T05:06:07.089Z', schemaVersion: 1 },
    });
    expect(second?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.metadata).toEqual({ timestamp: '2020-01-01T00:00:00.000Z', schemaVersion: 4 });
  });

  it.each([
    ['an empty stream id', '', [{ type: 'A', data: {} }], 'any', /stream id is empty/],
    ['no events', 's', [], 'any', /at least one event/],
    ['an event without type', 's', [{ type: '', data: {} }], 'any', /event #0 has no type/],
    ['data that is an array', 's', [{ type: 'A', data: [] as never }], 'any', /not a JSON object/],
    ['an id that is not a UUID', 's', [{ id: 'x', type: 'A', data: {} }], 'any', /not a UUID/],
    ['a negative expected revision', 's', [{ type: 'A', data: {} }], -1, /not a revision/],
  ] as const)('rejects %s', (_, stream, events, expected, message) => {
    expect(() => prepareAppend(stream, events, expected)).toThrow(InvalidAppendError);
    expect(() => prepareAppend(stream, events, expected)).toThrow(message);
  });

  it('rejects the same id twice in one append', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(() =>
      prepareAppend(
        's',
        [
          { id, type: 'A', data: {} },
          { id, type: 'B', data: {} },
        ],
        'any',
      ),
    ).toThrow(/appears twice/);
  });
});

describe('expected revision and retries', () => {
  it('checks each kind of expected revision', () => {
    expect(satisfies('any', 'no_stream')).toBe(true);
    expect(satisfies('no_stream', 'no_stream')).toBe(true);
    expect(satisfies('no_stream', 0)).toBe(false);
    expect(satisfies('stream_exists', 'no_stream')).toBe(false);
    expect(satisfies('stream_exists', 3)).toBe(true);
    expect(satisfies(3, 3)).toBe(true);
    expect(satisfies(2, 3)).toBe(false);
  });

  it('recognizes a retry only when the same ids sit in the same stream at consecutive revisions, in order', () => {
    const events = prepareAppend(
      's',
      [
        { type: 'A', data: {} },
        { type: 'B', data: {} },
      ],
      'any',
    );
    const [a, b] = events.map((event) => event.id) as [string, string];
    const at = (id: string, streamId: string, revision: number) => ({
      id,
      streamId,
      revision,
      position: BigInt(revision),
    });
    expect(earlierIdenticalAppend('s', events, [at(b, 's', 6), at(a, 's', 5)])).toMatchObject({
      id: b,
      revision: 6,
    });
    expect(earlierIdenticalAppend('s', events, [at(a, 's', 6), at(b, 's', 5)])).toBeUndefined();
    expect(earlierIdenticalAppend('s', events, [at(a, 's', 5), at(b, 'other', 6)])).toBeUndefined();
    expect(earlierIdenticalAppend('s', events, [at(a, 's', 5)])).toBeUndefined();
  });
});

describe('log filter', () => {
  it('treats empty parts as "everything" and matches exact types and prefixes', () => {
    expect(normalizeFilter({ eventTypes: [], streamPrefix: '' })).toEqual({});
    const filter = normalizeFilter({ eventTypes: ['OrderPlaced'], streamPrefix: 'order-' });
    expect(matchesFilter({ type: 'OrderPlaced', streamId: 'order-1' }, filter)).toBe(true);
    expect(matchesFilter({ type: 'OrderPlacedV2', streamId: 'order-1' }, filter)).toBe(false);
    expect(matchesFilter({ type: 'OrderPlaced', streamId: 'orderly-1' }, filter)).toBe(false);
  });

  it('computes the code-point upper bound of a prefix range', () => {
    expect(prefixUpperBound('order-')).toBe('order.');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
    expect(prefixUpperBound('x\uD7FF')).toBe('x\uE000');
    expect(prefixUpperBound('🚀')).toBe('🚁');
    const upper = prefixUpperBound('订单-🚀')!;
    for (const id of ['订单-🚀', '订单-🚀x', '订单-🚀\u{10FFFF}\u{10FFFF}'])
      expect(id < upper || id.startsWith('订单-🚀')).toBe(true);
  });
});
