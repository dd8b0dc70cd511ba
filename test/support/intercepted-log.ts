/**
 * An EventLog that forwards to `log` but subscribes through `subscribeToAll`, for tests that count or break
 * the subscriptions a reader opens; closing it leaves `log` open (the test owns it).
 */
import type { EventLog, LogSubscription, SubscribeOptions } from '../../src/eventstore/event-store.port';

export function interceptedLog(
  log: EventLog,
  subscribeToAll: (options?: SubscribeOptions) => LogSubscription,
): EventLog {
  return {
    kind: log.kind,
    readStream: (streamId, options) => log.readStream(streamId, options),
    readAll: (options) => log.readAll(options),
    headPosition: (filter) => log.headPosition(filter),
    close: async () => {},
    subscribeToAll,
  };
}
