/**
 * The one place that turns configuration into an EventStore. The command side and the app call this;
 * nothing else needs to know which adapters exist.
 */
import type { ConnectionLogger } from '../core/connection-watch';
import { createEmbeddedEventStore } from './embedded/embedded-event-store';
import type { EventStore } from './event-store.port';
import { createPostgresEventStore } from './postgres/postgres-event-store';

export type EventStoreConfig =
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string }
  | { readonly kind: 'embedded'; readonly file: string }
  | { readonly kind: 'kurrentdb'; readonly connectionString: string };

/**
 * A ready store: PostgreSQL has created its schema, SQLite has opened its file. KurrentDB connects lazily
 * (its client discovers the cluster on first use), so an unreachable server shows up on the first call.
 * @throws EventStoreUnavailableError when PostgreSQL or the SQLite file cannot be reached.
 */
export async function createEventStore(
  config: EventStoreConfig,
  /** Where a lost and a regained store connection are logged, once per outage. Default: the console. */
  logger?: ConnectionLogger,
): Promise<EventStore> {
  switch (config.kind) {
    case 'postgres': {
      const store = createPostgresEventStore({
        url: config.url,
        ...(config.schema !== undefined && { schema: config.schema }),
        ...(logger !== undefined && { logger }),
      });
      try {
        await store.initialize();
      } catch (error) {
        await store.close();
        throw error;
      }
      return store;
    }
    case 'embedded':
      return createEmbeddedEventStore({ file: config.file });
    case 'kurrentdb': {
      // Loaded on demand: the gRPC client takes ~0.6 s to load, which every other set-up would pay.
      const { createKurrentDbEventStore } = await import('./kurrentdb/kurrentdb-event-store');
      return createKurrentDbEventStore({ connectionString: config.connectionString });
    }
  }
}
