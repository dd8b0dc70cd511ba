/**
 * The event store of a PrismModule, under the three tokens of src/eventstore/event-store.module.ts:
 * EVENT_LOG (what projections, queries, admin and health read through), EVENT_APPENDER (what commands
 * write through) and EVENT_STORE (both). From settings, Prism opens the store and closes it at shutdown;
 * a store or log the app gave is used and left open (the app closes what it made).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createEventLog, createEventStore } from '../eventstore/event-store.factory';
import { EVENT_APPENDER, EVENT_LOG, EVENT_STORE } from '../eventstore/event-store.module';
import type { EventStore } from '../eventstore/event-store.port';
import { isReadOnlyLog } from '../eventstore/event-store.settings';
import { readOnlyEventStore } from '../eventstore/read-only-log';
import { PRISM_CONFIG, type PrismConfig } from './prism-config';

const PRISM_EVENTS = Symbol('PRISM_EVENTS');

interface PrismEvents {
  /**
   * A read-only log is wrapped: its `append` refuses (ReadOnlyEventLogError). The write side's providers
   * exist whichever options forRootAsync's factory returns (Nest fixes them before it runs), so a write
   * that reaches a read-only log is told why.
   */
  readonly store: EventStore;
  /** Whether Prism opened it, and so closes it. */
  readonly owned: boolean;
}

async function openEvents(config: PrismConfig): Promise<PrismEvents> {
  const events = config.events;
  if (events.kind === 'store') return { store: events.store, owned: false };
  if (events.kind === 'log') return { store: readOnlyEventStore(events.log), owned: false };
  const { settings } = events;
  const logger = new Logger('EventStore');
  // A table another tool writes: reads only (no write route is mounted over it, see prism.module.ts).
  if (isReadOnlyLog(settings))
    return { store: readOnlyEventStore(await createEventLog(settings, logger)), owned: true };
  // The embedded store is a file; its directory may not exist on a fresh checkout or volume.
  if (settings.kind === 'embedded') await mkdir(path.dirname(settings.file), { recursive: true });
  return { store: await createEventStore(settings, logger), owned: true };
}

/**
 * Closes a store Prism opened in onApplicationShutdown, the last shutdown phase, so that anything still
 * reading or writing (subscriptions stop in beforeApplicationShutdown) is done with it first.
 */
@Injectable()
class PrismEventsCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');

  constructor(@Inject(PRISM_EVENTS) private readonly events: PrismEvents) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.events.owned) return;
    try {
      await this.events.store.close();
    } catch (error) {
      this.logger.warn(`Closing the ${this.events.store.kind} event store failed: ${String(error)}`);
    }
  }
}

export const prismEventsProviders: Provider[] = [
  { provide: PRISM_EVENTS, inject: [PRISM_CONFIG], useFactory: openEvents },
  { provide: EVENT_STORE, inject: [PRISM_EVENTS], useFactory: (events: PrismEvents) => events.store },
  { provide: EVENT_LOG, useExisting: EVENT_STORE },
  { provide: EVENT_APPENDER, useExisting: EVENT_STORE },
  PrismEventsCloser,
];

export const PRISM_EVENT_TOKENS = [EVENT_STORE, EVENT_LOG, EVENT_APPENDER];
