/**
 * The event store port: the one interface every log adapter (KurrentDB, PostgreSQL, embedded) implements
 * and the contract suite in test/contract/event-store.contract.ts defines.
 *
 * The global position is the one clock of Prism: checkpoints, Elasticsearch external versions,
 * read-your-writes tokens and rebuild swaps all use it. Positions are strictly increasing in log order,
 * unique per event, and never reused; they need not be dense (gaps are allowed).
 */
import type { JsonObject } from '../core/json';

/** What an append expects the stream to be at. A number is the revision of the stream's last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  readonly correlationId?: string;
  /** W3C trace context of the append that wrote the event, when tracing was on (src/observability). */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly causationId?: string;
  readonly userId?: string;
  /** ISO-8601 time the event was recorded. */
  readonly timestamp: string;
  /** Version of the event's data shape, so upcasters can tell old payloads apart. */
  readonly schemaVersion: number;
}

export interface EventToAppend {
  /** UUID; generated when absent. Retrying an append with the same ids is how idempotent writes are built. */
  readonly id?: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: Partial<EventMetadata>;
}

export interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based position of the event inside its stream. */
  readonly revision: number;
  /** Position in the global log (see the file comment). */
  readonly position: bigint;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

export interface AppendResult {
  readonly streamId: string;
  /** Revision of the last appended event: the expected revision for the stream's next append. */
  readonly revision: number;
  /** Global position of the last appended event: the read-your-writes token. */
  readonly position: bigint;
}

/** Which events of the global log a reader wants. An empty filter means every event. */
export interface LogFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefix?: string;
}

export interface ReadAllOptions {
  /** Exclusive: read events whose position is greater than this. Absent means from the start of the log. */
  readonly after?: bigint;
  readonly maxCount: number;
  readonly filter?: LogFilter;
}

export interface SubscribeOptions {
  /** Exclusive, as in ReadAllOptions. */
  readonly after?: bigint;
  readonly filter?: LogFilter;
  /** Upper bound on events buffered ahead of the consumer (back-pressure). */
  readonly bufferSize?: number;
}

/**
 * A catch-up-then-live subscription to the global log: iterates every matching event after the start
 * position exactly once, in log order, with no gap and no duplicate at the switch to live.
 */
export interface LogSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
  /**
   * Optional: up to `max` events the subscription already holds, taken at once (an empty array when none
   * is ready). They are the events its iterator's `next()` would give next, in the same order, so the two
   * can be mixed, but not while a `next()` is still pending. A catch-up reads thousands of events a second:
   * taking them in bulk saves a promise and a result object per event.
   */
  takeReady?(max: number): StoredEvent[];
}

/**
 * The read side of a log: everything a projection host, the query side and the admin API need. A host
 * that only projects (or projects a log another tool writes) is given an EventLog and no write rights.
 */
export interface EventLog {
  /** Which adapter this is, for status pages and logs ('postgres', 'embedded', 'kurrentdb', ...). */
  readonly kind: string;
  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]>;
  /** One page of the global log, in position order. */
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options?: SubscribeOptions): LogSubscription;
  /** Position of the last event in the log that readers can see (0n for an empty log). */
  headPosition(filter?: LogFilter): Promise<bigint>;
  close(): Promise<void>;
}

/** The write side of a log: commands and the append route use it. */
export interface EventAppender {
  /**
   * Appends all events atomically (all or none) if the stream is at the expected revision.
   * @throws WrongExpectedRevisionError on a conflict; nothing is written.
   * @throws EventStoreUnavailableError when the store cannot be reached; nothing is written.
   */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
}

/** A log Prism both reads and writes: what the built-in adapters (KurrentDB, PostgreSQL, embedded) are. */
export interface EventStore extends EventLog, EventAppender {}

/**
 * What a writer that decides on a stream needs: append, plus read that one stream (a command folds its
 * aggregate from it; the Idempotency-Key protocol reads its key streams). Every EventStore is one; a
 * host with separate read and write sides builds one with `streamWriterOf` (stream-writer.ts).
 */
export type StreamWriter = EventAppender & Pick<EventLog, 'readStream'>;
