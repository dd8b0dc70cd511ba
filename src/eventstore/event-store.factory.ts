/**
 * The one place that turns configuration into an EventStore (or, for a table another tool writes, a
 * read-only EventLog). The command side and the app call this; nothing else needs to know which adapters
 * exist.
 */
import type { ConnectionLogger } from '../core/connection-watch';
import { createEmbeddedEventStore } from './embedded/embedded-event-store';
import type { EventLog, EventStore } from './event-store.port';
import { createPostgresEventStore } from './postgres/postgres-event-store';
import type { SqlTableLogSettings } from './sql-log/sql-log.settings';
import { sqlTableEventLog } from './sql-log/sql-table-event-log';

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

/**
 * A ready log of any configured kind: a full store (createEventStore), or the read-only table log, whose
 * mapping has been checked against the database.
 * @throws SqlLogMappingError when the table does not fit the mapping; EventStoreUnavailableError when unreachable.
 */
export async function createEventLog(
  config: EventStoreConfig | SqlTableLogSettings,
  logger?: ConnectionLogger,
): Promise<EventLog> {
  if (config.kind !== 'sql-table') return createEventStore(config, logger);
  const log = sqlTableEventLog({
    url: config.url,
    mapping: config.mapping,
    gapSafety: config.gapSafety,
    pollIntervalMs: config.pollIntervalMs,
    ...(logger !== undefined && { logger }),
  });
  try {
    await log.initialize();
  } catch (error) {
    await log.close();
    throw error;
  }
  return log;
}
