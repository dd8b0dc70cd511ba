/**
 * Provides the configured event store to the whole app under three tokens and closes it on shutdown:
 *   - `EVENT_LOG` (EventLog, read-only): what the projection host, the query side (read-your-writes),
 *     the admin API and health read through;
 *   - `EVENT_APPENDER` (EventAppender): what commands and the append route write through;
 *   - `EVENT_STORE` (EventStore, both): the full store, for code that is handed one.
 * Built from configuration all three are the same store. Depending on the narrowest token keeps a
 * host that is given only an EventLog (a log another tool writes) free of any write path.
 * Nest edge only: the adapters and the factory know nothing about Nest.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createEventLog, createEventStore } from './event-store.factory';
import type { EventLog, EventStore } from './event-store.port';
import { isReadOnlyLog } from './event-store.settings';
import { readOnlyEventStore } from './read-only-log';

/** Injection token of the full store: `@Inject(EVENT_STORE) store: EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** Injection token of the read side: `@Inject(EVENT_LOG) log: EventLog`. */
export const EVENT_LOG = Symbol('EVENT_LOG');
/** Injection token of the write side: `@Inject(EVENT_APPENDER) appender: EventAppender`. */
export const EVENT_APPENDER = Symbol('EVENT_APPENDER');

async function openEventStore(config: AppConfig): Promise<EventStore> {
  const settings = config.eventStore;
  // A table another tool writes: reads only (the command routes are not mounted, see app.module.ts).
  if (isReadOnlyLog(settings))
    return readOnlyEventStore(await createEventLog(settings, new Logger('EventStore')));
  // The embedded store is a file; its directory may not exist on a fresh checkout or volume.
  if (settings.kind === 'embedded') await mkdir(path.dirname(settings.file), { recursive: true });
  return createEventStore(settings, new Logger('EventStore'));
}

/**
 * Closes the store in onApplicationShutdown, the last shutdown phase, so that anything still reading
 * or writing (subscriptions stop in beforeApplicationShutdown) is done with it first.
 */
@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');

  constructor(@Inject(EVENT_LOG) private readonly log: EventLog) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.log.close();
    } catch (error) {
      this.logger.warn(`Closing the ${this.log.kind} event store failed: ${String(error)}`);
    }
  }
}

@Global()
@Module({})
export class EventStoreModule {
  static forRoot(): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        { provide: EVENT_STORE, inject: [APP_CONFIG], useFactory: openEventStore },
        { provide: EVENT_LOG, useExisting: EVENT_STORE },
        { provide: EVENT_APPENDER, useExisting: EVENT_STORE },
        EventStoreCloser,
      ],
      exports: [EVENT_STORE, EVENT_LOG, EVENT_APPENDER],
    };
  }
}
