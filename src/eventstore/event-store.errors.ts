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

/** The event store could not be reached or failed; nothing from the failed call was written. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(
    readonly storeKind: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The ${storeKind} event store is unavailable: ${reason}`, options);
  }
}
