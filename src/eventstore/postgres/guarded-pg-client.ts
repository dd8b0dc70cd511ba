/**
 * node-postgres clients that can never crash the process (issue #12 item 11).
 *
 * A pg `Client` emits 'error' when its socket fails (ECONNRESET, "Connection terminated unexpectedly").
 * pg-pool listens for it only while the client sits idle in the pool; while a caller holds the client
 * (an append's transaction, TypeORM's query runner between calls) nobody may listen, and an 'error' event
 * without a listener is thrown by Node as an uncaught exception: cutting PostgreSQL killed Prism.
 * Every client made from this class listens for its whole life. The failure itself still reaches the
 * caller (the query in flight rejects, the pool discards the client); the listener only records the
 * outage, once, in the store's ConnectionWatch.
 *
 * Used as pg-pool's `Client` option, by the event store's pool and by the relational target's TypeORM pool
 * (TypeORM passes `extra` through to pg-pool).
 */
import { Client, type ClientConfig } from 'pg';
import type { ConnectionWatch } from '../../core/connection-watch';

export function guardedClientClass(watch: ConnectionWatch): typeof Client {
  return class GuardedPgClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      this.on('error', (error: Error) => watch.lost(error));
    }
  };
}
