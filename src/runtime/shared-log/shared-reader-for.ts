/**
 * The runtime's shared log reader (shared-log-reader.ts), made from its `sharedReader` option: none when
 * the option is off, else a window sized after the runners' read-ahead and detaches told to the log.
 */
import type { EventLog } from '../../eventstore/event-store.port';
import type { RuntimeLogger } from '../runtime.logger';
import { DEFAULT_SHARED_WINDOW, SharedLogReader, type SharedLogReaderOptions } from './shared-log-reader';

/** The runtime's reader: none when `option` is off; the window sized after the runners' buffers. */
export function sharedReaderFor(
  store: EventLog,
  option: boolean | SharedLogReaderOptions | undefined,
  runner: { readonly bufferSize: number },
  logger: RuntimeLogger,
): SharedLogReader | undefined {
  if (option === undefined || option === false) return undefined;
  return new SharedLogReader(store, {
    window: Math.max(DEFAULT_SHARED_WINDOW, 2 * runner.bufferSize),
    bufferSize: Math.max(1, Math.floor(runner.bufferSize / 2)),
    onDetach: (filter, cursor, why) =>
      logger.info(
        `shared log reader: a runner of [${filter.eventTypes?.join(', ') ?? 'every type'}] at position ` +
          `${cursor} ${why === 'behind' ? 'fell a window behind' : 'ran ahead of most others'}; it reads on ` +
          'its own until it meets the shared window again',
      ),
    ...(option === true ? {} : option),
  });
}
