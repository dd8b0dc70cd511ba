/**
 * What `POST /streams/{streamId}/events` accepts: the one schema (zod) the body is validated against and
 * OpenAPI describes, with the patterns and caps the route documents (./README.md).
 */
import { z } from 'zod';
import { NAME_PATTERNS } from '../dsl/model/names';

/**
 * A stream id: 1-128 letters, digits, `_`, `.`, `:` or `-`, starting with a letter or digit. Covers the
 * usual `<category>-<id>` names (`cart-7f9c`, `order:42`) and keeps out what stores treat specially
 * (KurrentDB's `$` system streams), spaces, slashes and control characters.
 */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Streams Prism writes for itself, which the route refuses: `idempotency-<key>` holds the Idempotency-Key
 * protocol's records (src/commands/README.md), and a foreign event there could bind or free a key.
 */
export const RESERVED_STREAM_PREFIXES: readonly string[] = ['idempotency-'];

/** An event type: what projections name in `source.events` (the DSL's pattern), at most 128 characters. */
export const EVENT_TYPE_PATTERN = NAME_PATTERNS.eventType.pattern;
export const MAX_EVENT_TYPE_LENGTH = 128;

/** Events in one append, at most; the body as a whole is also capped (MAX_JSON_BODY, 100 kB). */
export const MAX_EVENTS_PER_APPEND = 100;

/** The highest schemaVersion a writer may declare (versions count shape changes, not time). */
export const MAX_SCHEMA_VERSION = 1_000_000;

/**
 * Metadata Prism sets itself, which a client may not: the refusal says where the value comes from.
 * Every other key but `schemaVersion` is refused as unknown (the log keeps no free-form metadata).
 */
export const RESERVED_METADATA: Readonly<Record<string, string>> = {
  userId: 'is the name of the API key that sent the request; it cannot be given',
  correlationId: 'comes from the X-Correlation-Id header; send it there',
  causationId: "is this request's id (it lets an Idempotency-Key retry find what an earlier attempt wrote)",
  timestamp: 'is the time the store recorded the event; it cannot be given',
  traceparent: "comes from the request's trace context; it cannot be given",
  tracestate: "comes from the request's trace context; it cannot be given",
};

/** Lowercase hex in 8-4-4-4-12 groups, as every adapter stores ids (case is folded on write). */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const eventSchema = z.strictObject({
  type: z
    .string('type must be a string: the event type name, e.g. CartOpened')
    .max(MAX_EVENT_TYPE_LENGTH, `type must be at most ${MAX_EVENT_TYPE_LENGTH} characters`)
    .regex(
      EVENT_TYPE_PATTERN,
      'type must start with a letter and hold only letters, digits, _ . : or - (e.g. CartOpened)',
    )
    .describe('The event type, as projections name it in `source.events`.'),
  data: z
    .record(
      z.string(),
      z.unknown(),
      'data must be a JSON object (the event payload), not an array, a string, a number or null',
    )
    .describe('The event payload: a JSON object.'),
  id: z
    .string('id must be a string')
    .regex(UUID, 'id must be a UUID such as 0b6f1c9e-5d1b-4a57-9d1e-2f3c4b5a6d7e')
    .optional()
    .describe(
      'A UUID; generated when absent. Reusing the ids of an earlier identical append returns its result.',
    ),
  metadata: z
    .strictObject({
      schemaVersion: z
        .number('schemaVersion must be a whole number from 1')
        .int('schemaVersion must be a whole number from 1')
        .min(1, 'schemaVersion must be a whole number from 1')
        .max(MAX_SCHEMA_VERSION, `schemaVersion must be at most ${MAX_SCHEMA_VERSION}`)
        .optional()
        .describe('Version of the data shape (default 1), so upcasters can tell old payloads apart.'),
    })
    .optional()
    .describe('Only `schemaVersion`; Prism sets userId, correlationId, causationId and timestamp itself.'),
});

const EXPECTED_REVISION =
  'expectedRevision must be "any", "no_stream", "stream_exists" or the revision of the stream\'s last event ' +
  '(a whole number from 0)';

export const appendRequestSchema = z.strictObject({
  events: z
    .array(eventSchema, 'events must be an array of events')
    .min(1, 'events must hold at least one event')
    .max(
      MAX_EVENTS_PER_APPEND,
      `events holds at most ${MAX_EVENTS_PER_APPEND} events per append; split the batch`,
    )
    .describe(`1 to ${MAX_EVENTS_PER_APPEND} events, appended atomically (all or none), in order.`),
  expectedRevision: z
    .union(
      [
        z.enum(['any', 'no_stream', 'stream_exists'], EXPECTED_REVISION),
        z
          .number(EXPECTED_REVISION)
          .int(EXPECTED_REVISION)
          .min(0, EXPECTED_REVISION)
          .max(Number.MAX_SAFE_INTEGER, EXPECTED_REVISION),
      ],
      EXPECTED_REVISION,
    )
    .optional()
    .describe(
      'What the stream must be at: "any" (default), "no_stream", "stream_exists", or the revision of its last event. Same as If-Match.',
    ),
});

export type AppendRequestBody = z.infer<typeof appendRequestSchema>;
export type AppendEventBody = AppendRequestBody['events'][number];
