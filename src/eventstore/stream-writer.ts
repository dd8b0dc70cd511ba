/** Joins a write side and a read side into the StreamWriter that commands and the append route use. */
import type { EventAppender, EventLog, StreamWriter } from './event-store.port';

export function streamWriterOf(appender: EventAppender, log: Pick<EventLog, 'readStream'>): StreamWriter {
  return {
    append: (streamId, events, expected) => appender.append(streamId, events, expected),
    readStream: (streamId, options) => log.readStream(streamId, options),
  };
}
