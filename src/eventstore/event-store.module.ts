/**
 * Provides the configured EventStore as `EVENT_STORE` to the whole app and closes it on shutdown.
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
import { createEventStore } from './event-store.factory';
import type { EventStore } from './event-store.port';

/** Injection token: `@Inject(EVENT_STORE) store: EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');

async function openEventStore(config: AppConfig): Promise<EventStore> {
  const settings = config.eventStore;
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

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.store.close();
    } catch (error) {
      this.logger.warn(`Closing the ${this.store.kind} event store failed: ${String(error)}`);
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
        EventStoreCloser,
      ],
      exports: [EVENT_STORE],
    };
  }
}
