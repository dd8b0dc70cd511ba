/**
 * What every adapter does to an append before it writes: check the input once, give each event its id
 * and fill in the metadata defaults. Shared so that all adapters agree on ids, timestamps and versions.
 */
import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventToAppend, ExpectedRevision } from './event-store.port';
import type { JsonObject } from '../core/json';

/** Metadata version of an event whose writer did not say (see EventMetadata.schemaVersion). */
export const DEFAULT_SCHEMA_VERSION = 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event as adapters write it: id generated, metadata complete. */
export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** The append call itself is malformed (not a conflict, not an outage): fix the caller. Nothing was written. */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
  constructor(
    readonly streamId: string,
    readonly problem: string,
  ) {
    super(`Cannot append to stream "${streamId}": ${problem}.`);
  }
}

/**
 * An event id in this append already belongs to a different event in the log. Ids are unique across the
 * whole log; reusing one is only allowed to retry the very same append (which then succeeds idempotently).
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(
      `Cannot append to stream "${streamId}": event id ${eventId} is already used by another event in the log; ` +
        'give new events fresh ids, and reuse ids only to retry the exact same append.',
    );
  }
}

export function prepareAppend(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
  now: Date = new Date(),
): PreparedEvent[] {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError(String(streamId), 'the stream id is empty');
  }
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new InvalidAppendError(
      streamId,
      `expected revision ${expected} is not a revision (use a number >= 0, 'no_stream', 'stream_exists' or 'any')`,
    );
  }
  if (events.length === 0) {
    throw new InvalidAppendError(streamId, 'there are no events; an append writes at least one event');
  }
  const timestamp = now.toISOString();
  const seen = new Set<string>();
  return events.map((event, index) => {
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new InvalidAppendError(streamId, `event #${index} has no type`);
    }
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
      throw new InvalidAppendError(
        streamId,
        `event #${index} (${event.type}) has data that is not a JSON object`,
      );
    }
    const id = (event.id ?? randomUUID()).toLowerCase();
    if (!UUID.test(id)) {
      throw new InvalidAppendError(streamId, `event #${index} has id "${event.id}", which is not a UUID`);
    }
    if (seen.has(id)) throw new InvalidAppendError(streamId, `event id ${id} appears twice in one append`);
    seen.add(id);
    return { id, type: event.type, data: event.data, metadata: completeMetadata(event.metadata, timestamp) };
  });
}

/** Fills in `timestamp` and `schemaVersion`; passes the ids (correlation, causation, user) and trace context through. */
export function completeMetadata(
  input: Partial<EventMetadata> | undefined,
  timestamp: string,
): EventMetadata {
  return {
    ...(input?.correlationId !== undefined && { correlationId: input.correlationId }),
    ...(input?.traceparent !== undefined && { traceparent: input.traceparent }),
    ...(input?.tracestate !== undefined && { tracestate: input.tracestate }),
    ...(input?.causationId !== undefined && { causationId: input.causationId }),
    ...(input?.userId !== undefined && { userId: input.userId }),
    timestamp: input?.timestamp ?? timestamp,
    schemaVersion: input?.schemaVersion ?? DEFAULT_SCHEMA_VERSION,
  };
}

/** Whether a stream whose last revision is `actual` meets the append's `expected` revision. */
export function satisfies(expected: ExpectedRevision, actual: number | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

/** Where an earlier append put one of the events (found by id). */
export interface ExistingEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: bigint;
}

/**
 * Whether `events` were already written by an earlier, identical append: same ids, same stream, consecutive
 * revisions in the same order. Then a retry returns that append's result instead of failing, the way
 * KurrentDB treats a retried write (port: "retrying an append with the same ids is how idempotent writes
 * are built"). Returns the earlier append's last event, or undefined when it is not the same append.
 */
export function earlierIdenticalAppend(
  streamId: string,
  events: readonly PreparedEvent[],
  existing: readonly ExistingEvent[],
): ExistingEvent | undefined {
  if (existing.length !== events.length) return undefined;
  const byId = new Map(existing.map((event) => [event.id, event]));
  let previous: ExistingEvent | undefined;
  for (const event of events) {
    const found = byId.get(event.id);
    if (found === undefined || found.streamId !== streamId) return undefined;
    if (previous !== undefined && found.revision !== previous.revision + 1) return undefined;
    previous = found;
  }
  return previous;
}
