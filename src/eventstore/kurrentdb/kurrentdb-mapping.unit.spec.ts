import { ANY, NO_STREAM, START, STREAM_EXISTS, type AllStreamRecordedEvent } from '@kurrent/kurrentdb-client';
import { normalizeFilter } from '../log-filter';
import {
  UnsupportedKurrentDbPositionError,
  escapeRegex,
  isSystemEvent,
  readFrom,
  toActualRevision,
  toKurrentMetadata,
  toServerFilter,
  toStoredEvent,
  toStreamState,
} from './kurrentdb-mapping';

function recorded(overrides: Partial<AllStreamRecordedEvent> = {}): AllStreamRecordedEvent {
  return {
    streamId: 'order-1',
    id: '7f6c1a8e-1b2c-4d3e-8f90-0123456789ab',
    isJson: true,
    revision: 4n,
    type: 'OrderPlaced',
    created: new Date('2025-01-02T03:04:05.000Z'),
    data: { total: 3 },
    metadata: undefined,
    position: { commit: 1234n, prepare: 1234n },
    ...overrides,
  } as AllStreamRecordedEvent;
}

describe('KurrentDB mapping', () => {
  it('maps expected revisions to stream states', () => {
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState('stream_exists')).toBe(STREAM_EXISTS);
    expect(toStreamState(7)).toBe(7n);
    expect(toActualRevision('no_stream')).toBe('no_stream');
    expect(toActualRevision(12n)).toBe(12);
  });

  it('uses the prepare position, starting reads at the event itself and at START for nothing/0', () => {
    expect(toStoredEvent(recorded()).position).toBe(1234n);
    expect(readFrom(undefined)).toBe(START);
    expect(readFrom(0n)).toBe(START);
    expect(readFrom(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
  });

  it('refuses an event whose commit and prepare positions differ (legacy explicit transaction)', () => {
    expect(() => toStoredEvent(recorded({ position: { commit: 2000n, prepare: 1500n } }))).toThrow(
      UnsupportedKurrentDbPositionError,
    );
  });

  it('sends event types as an anchored, escaped regex and a lone stream prefix as a prefix filter', () => {
    expect(toServerFilter(normalizeFilter({ eventTypes: ['Order.Placed', 'A+B'] }))).toMatchObject({
      filterOn: 'eventType',
      regex: '^(?:Order\\.Placed|A\\+B)$',
    });
    expect(toServerFilter(normalizeFilter({ streamPrefix: 'order-' }))).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['order-'],
    });
    expect(toServerFilter(normalizeFilter({ eventTypes: ['X'], streamPrefix: 'order-' }))).toMatchObject({
      filterOn: 'eventType',
    });
    expect(toServerFilter(normalizeFilter({}))).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(
      new RegExp(`^(?:${escapeRegex('a.b*c?(d)[e]{f}|g^h$i\\j')})$`).test('a.b*c?(d)[e]{f}|g^h$i\\j'),
    ).toBe(true);
  });

  it('recognizes system events and streams', () => {
    expect(isSystemEvent({ type: '$metadata', streamId: 'order-1' })).toBe(true);
    expect(isSystemEvent({ type: 'Anything', streamId: '$stats-127.0.0.1:2113' })).toBe(true);
    expect(isSystemEvent({ type: 'OrderPlaced', streamId: 'order-1' })).toBe(false);
  });

  it('round-trips Prism metadata and adds the $correlationId/$causationId KurrentDB projections use', () => {
    const written = toKurrentMetadata({
      correlationId: 'c',
      causationId: 'k',
      userId: 'u',
      timestamp: '2025-01-01T00:00:00.000Z',
      schemaVersion: 2,
    });
    expect(written).toMatchObject({ $correlationId: 'c', $causationId: 'k' });
    expect(toStoredEvent(recorded({ metadata: written })).metadata).toEqual({
      correlationId: 'c',
      causationId: 'k',
      userId: 'u',
      timestamp: '2025-01-01T00:00:00.000Z',
      schemaVersion: 2,
    });
  });

  it('gives events written by other tools defaults and wraps data that is not a JSON object', () => {
    const foreign = toStoredEvent(recorded({ metadata: undefined, data: [1, 2] as never }));
    expect(foreign.metadata).toEqual({ timestamp: '2025-01-02T03:04:05.000Z', schemaVersion: 1 });
    expect(foreign.data).toEqual({ value: [1, 2] });
    expect(foreign.revision).toBe(4);
    const binary = toStoredEvent(recorded({ isJson: false, data: new Uint8Array([1, 2, 3]) } as never));
    expect(binary.data).toEqual({ base64: 'AQID' });
  });
});
