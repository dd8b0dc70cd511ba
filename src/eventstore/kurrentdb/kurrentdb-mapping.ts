/**
 * Translation between Prism's event store port and the KurrentDB client, as pure functions.
 *
 * THE GLOBAL POSITION. KurrentDB places each event at a (commit, prepare) pair of transaction-file offsets
 * and orders $all by that pair. Prism's position is one bigint that must be unique per event, strictly
 * increasing in log order, and fit in 64 bits (it is stored in bigint checkpoint columns and used as an
 * Elasticsearch external version), so the pair cannot be packed into it. Prism uses the PREPARE position:
 * - It is unique per event. The commit position is not: events of a legacy explicit transaction (TCP API)
 *   all share the position of its commit record, so a checkpoint of "last commit position" would, on
 *   resume, either repeat the rest of that transaction or skip it.
 * - Every gRPC append (the only kind this client, and KurrentDB 24+, can make; multi-event and multi-stream
 *   appends included) is an implicit transaction whose prepares are flagged committed. For those the server
 *   reports commit == prepare == the event record's own offset, on reads and on live subscriptions alike
 *   (KurrentDB AllReader and IndexCommitter). So the prepare position is strictly increasing in $all order,
 *   and `after = p` resumes exactly at {commit: p, prepare: p}, the event's own position.
 * - An event with commit != prepare can only come from a legacy explicit transaction; there both the order
 *   and the resume point would be wrong, so readers refuse it with UnsupportedKurrentDbPositionError rather
 *   than risk a silent skip.
 * Reads start at {p, p}, which KurrentDB treats as inclusive for reads, so every reader also drops events at
 * or below `after` (a no-op for subscriptions, which start after the position).
 *
 * The append result's position is the appended last event's own prepare position, read back after the
 * append: the append response's position describes the write as a whole, not necessarily its last event.
 */
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AppendStreamState,
  type Filter,
  type Position,
  type ReadPosition,
  type RecordedEvent,
} from '@kurrent/kurrentdb-client';
import type { JsonObject, JsonValue } from '../../core/json';
import { DEFAULT_SCHEMA_VERSION } from '../append-input';
import type { EventMetadata, ExpectedRevision, StoredEvent } from '../event-store.port';
import type { NormalizedFilter } from '../log-filter';

/** An event whose (commit, prepare) pair cannot be expressed as one Prism position. */
export class UnsupportedKurrentDbPositionError extends Error {
  override readonly name = 'UnsupportedKurrentDbPositionError';
  constructor(
    readonly streamId: string,
    readonly position: Position,
  ) {
    super(
      `Event in stream "${streamId}" has commit position ${position.commit} but prepare position ` +
        `${position.prepare}: it was written by a legacy explicit transaction (TCP API), which Prism cannot ` +
        'order by a single position. Copy such streams into new streams with ordinary appends, or read them ' +
        'with another tool.',
    );
  }
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** The client's 'no_stream' | bigint as the port's revision. */
export function toActualRevision(state: 'no_stream' | bigint): number | 'no_stream' {
  return state === 'no_stream' ? 'no_stream' : Number(state);
}

/** Where a read from `after` (exclusive) starts; the event at `after` itself is dropped by the reader. */
export function readFrom(after: bigint | undefined): ReadPosition {
  return after === undefined || after <= 0n ? START : { commit: after, prepare: after };
}

/**
 * The server-side part of a filter. KurrentDB filters on one thing at a time (event type OR stream name),
 * so event types go to the server (they usually select far fewer events) and the stream prefix is checked
 * on the client with matchesFilter; every reader re-checks the whole filter anyway. Event types use an
 * anchored regex because the server's prefix lists would also match longer type names.
 */
export function toServerFilter(filter: NormalizedFilter): Filter {
  if (filter.eventTypes !== undefined) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  if (filter.streamPrefix !== undefined) return streamNameFilter({ prefixes: [filter.streamPrefix] });
  return excludeSystemEvents();
}

/** Escapes a literal for the server's (.NET) regex engine; these metacharacters are the same as JavaScript's. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** System events ($-prefixed types such as $metadata or link events `$>`) and system streams are not Prism's. */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** The Prism position of an event read from $all or a stream (see the file comment). */
export function positionOf(event: RecordedEvent | AllStreamRecordedEvent): bigint {
  const position = event.position;
  if (position === undefined) {
    throw new Error(
      `KurrentDB returned event ${event.id} of "${event.streamId}" without its log position; ` +
        'Prism needs KurrentDB (or EventStoreDB) 22.6 or later.',
    );
  }
  if (position.commit !== position.prepare)
    throw new UnsupportedKurrentDbPositionError(event.streamId, position);
  return position.prepare;
}

/** Metadata as written to KurrentDB: Prism's fields, plus `$correlationId`/`$causationId` for its projections. */
export function toKurrentMetadata(metadata: EventMetadata): JsonObject {
  return {
    ...metadata,
    ...(metadata.correlationId !== undefined && { $correlationId: metadata.correlationId }),
    ...(metadata.causationId !== undefined && { $causationId: metadata.causationId }),
  };
}

export function toStoredEvent(event: RecordedEvent | AllStreamRecordedEvent): StoredEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: positionOf(event),
    type: event.type,
    data: toData(event),
    metadata: toMetadata(event.metadata, event.created),
  };
}

/**
 * Prism writes JSON objects. Events written by other tools may carry other JSON or bytes; they are wrapped
 * so that they still flow through the log rather than stopping every subscriber at them.
 */
function toData(event: RecordedEvent | AllStreamRecordedEvent): JsonObject {
  if (!event.isJson) return { base64: Buffer.from(event.data).toString('base64') };
  const data = event.data as unknown;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as JsonObject;
  return { value: data as JsonValue };
}

function toMetadata(raw: unknown, created: Date): EventMetadata {
  const source =
    raw !== null && typeof raw === 'object' && !(raw instanceof Uint8Array)
      ? (raw as Record<string, unknown>)
      : {};
  const text = (key: string): string | undefined =>
    typeof source[key] === 'string' ? source[key] : undefined;
  const correlationId = text('correlationId') ?? text('$correlationId');
  const causationId = text('causationId') ?? text('$causationId');
  const userId = text('userId');
  const traceparent = text('traceparent');
  const tracestate = text('tracestate');
  return {
    ...(correlationId !== undefined && { correlationId }),
    ...(traceparent !== undefined && { traceparent }),
    ...(tracestate !== undefined && { tracestate }),
    ...(causationId !== undefined && { causationId }),
    ...(userId !== undefined && { userId }),
    timestamp: text('timestamp') ?? created.toISOString(),
    schemaVersion: typeof source.schemaVersion === 'number' ? source.schemaVersion : DEFAULT_SCHEMA_VERSION,
  };
}
