import { HttpRequestError, RequestValidationError } from '../http/request.errors';
import { checkStreamId, parseAppendRequest } from './append-request';
import { MAX_EVENTS_PER_APPEND } from './append-request.schema';

/** The `fields` of the validation error `body` raises. */
function fieldsOf(body: unknown): Readonly<Record<string, readonly string[]>> {
  try {
    parseAppendRequest(body);
  } catch (error) {
    if (error instanceof RequestValidationError) return error.fields;
    throw error;
  }
  throw new Error('expected a RequestValidationError');
}

const event = { type: 'CartOpened', data: { cartId: 'c1' } };

describe('append request: stream id', () => {
  it.each(['cart-7f9c', 'order:42', 'a', 'Cart_1.v2', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(checkStreamId(id)).toBe(id);
  });

  it.each(['', ' cart', 'cart 1', '$all', '-cart', 'cart/1', 'x'.repeat(129), 'caf\u00e9', 'a\u0000b'])(
    'refuses %j with invalid_stream_id naming the field',
    (id) => {
      expect(() => checkStreamId(id)).toThrow(HttpRequestError);
      expect(() => checkStreamId(id)).toThrow(/is not valid: use 1 to 128 letters/);
      try {
        checkStreamId(id);
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_stream_id', details: { field: 'streamId' } });
      }
    },
  );

  it("refuses Prism's own idempotency-* streams", () => {
    expect(() => checkStreamId('idempotency-k1')).toThrow(
      'The stream id "idempotency-k1" is reserved: streams starting with "idempotency-" hold Prism\'s own records.',
    );
  });
});

describe('append request: body', () => {
  it('accepts events with optional ids and schemaVersion, and the expected revisions', () => {
    const id = '0B6F1C9E-5D1B-4A57-9D1E-2F3C4B5A6D7E';
    for (const expectedRevision of ['any', 'no_stream', 'stream_exists', 0, 41, undefined]) {
      expect(
        parseAppendRequest({
          events: [event, { ...event, id, metadata: { schemaVersion: 2 } }],
          ...(expectedRevision !== undefined && { expectedRevision }),
        }),
      ).toEqual({
        events: [event, { ...event, id, metadata: { schemaVersion: 2 } }],
        ...(expectedRevision !== undefined && { expectedRevision }),
      });
    }
  });

  it('names each bad field, all at once', () => {
    expect(
      fieldsOf({
        events: [
          { type: '1Bad', data: [] },
          { type: 'Ok', data: 'text', id: 'not-a-uuid', extra: 1 },
          { type: 'Ok', data: null, metadata: { schemaVersion: 0 } },
          { data: {} },
        ],
        expectedRevision: -1,
        stream: 'x',
      }),
    ).toEqual({
      'events.0.type': [
        'type must start with a letter and hold only letters, digits, _ . : or - (e.g. CartOpened)',
      ],
      'events.0.data': [
        'data must be a JSON object (the event payload), not an array, a string, a number or null',
      ],
      'events.1.data': [
        'data must be a JSON object (the event payload), not an array, a string, a number or null',
      ],
      'events.1.id': ['id must be a UUID such as 0b6f1c9e-5d1b-4a57-9d1e-2f3c4b5a6d7e'],
      'events.1.extra': ['property extra should not exist'],
      'events.2.data': [
        'data must be a JSON object (the event payload), not an array, a string, a number or null',
      ],
      'events.2.metadata.schemaVersion': ['schemaVersion must be a whole number from 1'],
      'events.3.type': ['type must be a string: the event type name, e.g. CartOpened'],
      expectedRevision: [
        'expectedRevision must be "any", "no_stream", "stream_exists" or the revision of the stream\'s last event (a whole number from 0)',
      ],
      stream: ['property stream should not exist'],
    });
  });

  it('refuses metadata Prism sets itself, saying where it comes from, and any other metadata key', () => {
    expect(
      fieldsOf({
        events: [{ ...event, metadata: { userId: 'mallory', correlationId: 'c', causationId: 'x', tag: 1 } }],
      }),
    ).toEqual({
      'events.0.metadata.userId': [
        'metadata.userId is the name of the API key that sent the request; it cannot be given',
      ],
      'events.0.metadata.correlationId': [
        'metadata.correlationId comes from the X-Correlation-Id header; send it there',
      ],
      'events.0.metadata.causationId': [
        "metadata.causationId is this request's id (it lets an Idempotency-Key retry find what an earlier attempt wrote)",
      ],
      'events.0.metadata.tag': ['property tag should not exist'],
    });
  });

  it(`caps a batch at ${MAX_EVENTS_PER_APPEND} events and refuses an empty one`, () => {
    expect(parseAppendRequest({ events: Array(MAX_EVENTS_PER_APPEND).fill(event) }).events).toHaveLength(
      MAX_EVENTS_PER_APPEND,
    );
    expect(fieldsOf({ events: Array(MAX_EVENTS_PER_APPEND + 1).fill(event) })).toEqual({
      events: ['events holds at most 100 events per append; split the batch'],
    });
    expect(fieldsOf({ events: [] })).toEqual({ events: ['events must hold at least one event'] });
    expect(fieldsOf({})).toEqual({ events: ['events must be an array of events'] });
  });

  it('refuses ids repeated in one batch, whatever their case', () => {
    const id = '0b6f1c9e-5d1b-4a57-9d1e-2f3c4b5a6d7e';
    expect(fieldsOf({ events: [{ ...event, id }, event, { ...event, id: id.toUpperCase() }] })).toEqual({
      'events.2.id': ['id repeats events.0.id; every event needs its own id'],
    });
  });

  it('refuses a body that is not an object, and text no store can keep', () => {
    expect(fieldsOf([event])).toEqual({
      '(body)': ['the body must be a JSON object: { "events": [...], "expectedRevision"?: ... }'],
    });
    expect(Object.keys(fieldsOf({ events: [{ ...event, data: { note: 'a\u0000b' } }] }))).toEqual([
      'events.0.data.note',
    ]);
  });
});
