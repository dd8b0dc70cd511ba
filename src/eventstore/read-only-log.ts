/**
 * A read-only log where an EventStore is expected: reads go to the log, an append is refused with an error
 * that says why. The ready-made server does not mount its command routes over a read-only log
 * (app.module.ts), so this is the backstop for any other writer that gets hold of the store.
 */
import type { EventLog, EventStore } from './event-store.port';

/** Something tried to append to a log Prism may only read (a table another tool writes). Nothing was written. */
export class ReadOnlyEventLogError extends Error {
  override readonly name = 'ReadOnlyEventLogError';
  constructor(readonly kind: string) {
    super(
      `This Prism reads a ${kind} log that another tool writes; it cannot append to it. ` +
        'Send the command to the service that owns the log, or configure a writable event store.',
    );
  }
}

export function readOnlyEventStore(log: EventLog): EventStore {
  return {
    kind: log.kind,
    append: () => Promise.reject(new ReadOnlyEventLogError(log.kind)),
    readStream: (streamId, options) => log.readStream(streamId, options),
    readAll: (options) => log.readAll(options),
    subscribeToAll: (options) => log.subscribeToAll(options),
    headPosition: (filter) => log.headPosition(filter),
    close: () => log.close(),
  };
}
