import { derivedEventId, toData, toMetadata, toStoredEvent, UNKNOWN_TIMESTAMP } from './sql-log-rows';
import type { SqlLogRow } from './sql-log-queries';

const ROW: SqlLogRow = {
  position: '42',
  stream_id: 'order-1',
  type: 'OrderPlaced',
  data: '{"orderId":"1","total":12.5}',
  metadata: null,
  timestamp_ms: Date.UTC(2024, 2, 1, 10, 0, 0, 123) + 0.456,
  timestamp_text: null,
  event_id: null,
  revision: '3',
};

describe('a foreign row as a StoredEvent', () => {
  it('maps every field; the timestamp column wins', () => {
    expect(toStoredEvent(ROW, 'public.outbox')).toEqual({
      id: derivedEventId('public.outbox', '42'),
      streamId: 'order-1',
      revision: 3,
      position: 42n,
      type: 'OrderPlaced',
      data: { orderId: '1', total: 12.5 },
      metadata: { timestamp: '2024-03-01T10:00:00.123Z', schemaVersion: 1 },
    });
    expect(toStoredEvent({ ...ROW, event_id: 'evt-7' }, 'public.outbox').id).toBe('evt-7');
  });

  it('derives the same UUID for the same table and position, and another for any other', () => {
    const id = derivedEventId('public.outbox', '42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('public.outbox', '42')).toBe(id);
    expect(derivedEventId('public.outbox', '43')).not.toBe(id);
    expect(derivedEventId('shop.outbox', '42')).not.toBe(id);
  });

  it('wraps data that is not a JSON object instead of stopping at it', () => {
    expect(toData('{"a":1}')).toEqual({ a: 1 });
    expect(toData('[1,2]')).toEqual({ value: [1, 2] });
    expect(toData('"text"')).toEqual({ value: 'text' });
    expect(toData('not json')).toEqual({ value: 'not json' });
    expect(toData(null)).toEqual({});
  });

  it('keeps every metadata field but `$` ones, checks Prism’s own, and reads KurrentDB-style correlation ids', () => {
    const metadata = toMetadata(
      JSON.stringify({
        $correlationId: 'corr-1',
        causationId: 'cmd-1',
        userId: 42,
        tenant: 'acme',
        schemaVersion: 3,
        timestamp: '2020-02-29T12:00:00Z',
      }),
      null,
      null,
    );
    expect(metadata).toEqual({
      correlationId: 'corr-1',
      causationId: 'cmd-1',
      tenant: 'acme',
      schemaVersion: 3,
      timestamp: '2020-02-29T12:00:00.000Z',
    });
  });

  it('falls back from the time column to a text column, the metadata, then the epoch', () => {
    expect(toMetadata(null, null, '2024-03-01 10:00:00+00').timestamp).toBe('2024-03-01T10:00:00.000Z');
    expect(toMetadata(null, Number.POSITIVE_INFINITY, null).timestamp).toBe(UNKNOWN_TIMESTAMP);
    expect(toMetadata('{"schemaVersion":0}', null, 'yesterday')).toEqual({
      timestamp: UNKNOWN_TIMESTAMP,
      schemaVersion: 1,
    });
  });
});
