/** One error class per failure, each with a message that says what happened and what to do. */
import type { ExpectedRevision } from './event-store.port';

/** The stream was not at the revision the writer expected: someone else wrote first. Nothing was appended. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or 'no_stream' when it has none. */
    readonly actual: number | 'no_stream',
  ) {
    super(
      `Stream "${streamId}" is at revision ${String(actual)}, but the append expected ${String(expected)}; ` +
        'reload the aggregate and retry the command.',
    );
  }
}

/**
 * The event store could not be reached or failed. Nothing from the failed call was written, except when
 * `outcomeUnknown` is true: the connection dropped while an append's commit was on its way, so the server
 * may have committed it (no client can tell until the store answers again). Retrying an append with the
 * same event ids is safe either way: an earlier identical append is returned, never written twice.
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  readonly outcomeUnknown: boolean;
  constructor(
    readonly storeKind: string,
    readonly reason: string,
    options?: { cause?: unknown; outcomeUnknown?: boolean },
  ) {
    super(
      `The ${storeKind} event store is unavailable: ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}
