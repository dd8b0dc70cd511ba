/**
 * The one place that turns coordination settings into a ready CoordinationStore. Which store a Prism
 * uses is derived by the app wiring (src/nest); this only builds the one it is told to.
 *
 * Ownership: a store closes on `close()` only what it made itself. A PostgreSQL store given a `pool`
 * leaves it open (the pool belongs to whoever made it, e.g. the relational view store); one given a `url`
 * makes its own pool and ends it.
 */
import type { Pool } from 'pg';
import type { ConnectionLogger } from '../core/connection-watch';
import type { CoordinationStore } from './coordination.port';
import { InProcessCoordinationStore } from './in-process/in-process-coordination-store';

/**
 * What the PostgreSQL store needs of a pg `Pool` (`new Pool(...)` from "pg" is one). Structural, so the
 * package's types do not depend on @types/pg, and a Pool made by the app's own copy of pg fits.
 */
export interface SharedPgPool {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type CoordinationSettings =
  | {
      readonly kind: 'postgres';
      /** A pool to share (not ended by the store's close), or else `url`. */
      readonly pool?: SharedPgPool;
      /** postgres://user:password@host:port/database: the store makes (and ends) its own small pool. */
      readonly url?: string;
      /** Schema that holds the prism_leases, prism_nodes and prism_admin_requests tables; created if missing. */
      readonly schema: string;
    }
  | { readonly kind: 'kurrentdb'; readonly connectionString: string }
  | { readonly kind: 'in-process' };

export type CoordinationKind = CoordinationSettings['kind'];

/**
 * A ready store: its records exist (PostgreSQL has created its tables). KurrentDB connects lazily, so an
 * unreachable server shows up on the first call.
 * @throws CoordinationStoreUnavailableError when PostgreSQL cannot be reached.
 */
export async function createCoordinationStore(
  settings: CoordinationSettings,
  /** Where a lost and a regained connection are logged, once per outage. Default: the console. */
  logger?: ConnectionLogger,
): Promise<CoordinationStore> {
  switch (settings.kind) {
    case 'in-process':
      return new InProcessCoordinationStore();
    case 'postgres': {
      const { createPostgresCoordinationStore } = await import('./postgres/postgres-coordination-store');
      const store = createPostgresCoordinationStore({
        schema: settings.schema,
        // The store uses it as the pg Pool it structurally is.
        ...(settings.pool !== undefined && { pool: settings.pool as unknown as Pool }),
        ...(settings.url !== undefined && { url: settings.url }),
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
    case 'kurrentdb': {
      // Loaded on demand: the gRPC client takes ~0.6 s to load, which every other set-up would pay.
      const { createKurrentDbCoordinationStore } = await import('./kurrentdb/kurrentdb-coordination-store');
      return createKurrentDbCoordinationStore({ connectionString: settings.connectionString });
    }
  }
}
