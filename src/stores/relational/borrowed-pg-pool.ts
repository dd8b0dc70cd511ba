/**
 * A pg Pool the app already has, used by the relational target's TypeORM DataSource (issue #14: a team's
 * own Nest app gives Prism its pool instead of a URL). TypeORM has no option for an existing pool; it
 * makes one with `new driver.Pool(options)` from the `driver` option and ends it when the DataSource is
 * destroyed. The driver given here answers that `new` with the app's pool, and its `end` only removes
 * what Prism added: the pool belongs to the app, which ends it.
 *
 * TypeORM uses exactly three members of its pool (connect, on, end: typeorm/driver/postgres/PostgresDriver).
 */
import type { ConnectionWatch } from '../../core/connection-watch';

type Listener = (...args: unknown[]) => void;

/** A client checked out of a pg Pool, as far as Prism touches it. */
export interface PgPoolClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What Prism needs of the app's pg `Pool` (`new Pool(...)` from "pg" is one). Structural, so the package's
 * types do not depend on @types/pg, and a Pool made by the app's own copy of pg fits.
 */
export interface PgPool {
  connect(
    callback: (
      error: Error | undefined,
      client: PgPoolClient | undefined,
      release: (release?: unknown) => void,
    ) => void,
  ): void;
  on(event: 'error', listener: (error: Error, client: PgPoolClient) => void): unknown;
  removeListener(event: 'error', listener: (error: Error, client: PgPoolClient) => void): unknown;
}

/** The pool as TypeORM's postgres driver calls it. */
interface DriverPool {
  connect: PgPool['connect'];
  on(event: string, listener: Listener): void;
  end(callback?: (error?: Error) => void): void;
}

/**
 * The `driver` option of a postgres DataSource that runs on `pool`. Each client TypeORM takes gets an
 * 'error' listener for its whole life, as Prism's own pools do (guarded-pg-client.ts): a socket that
 * fails while a client is checked out must not end the process (issue #12 item 11).
 */
export function borrowedPoolDriver(pool: PgPool, watch: ConnectionWatch): { Pool: new () => DriverPool } {
  const added: [string, Listener][] = [];
  const guarded = new WeakSet<PgPoolClient>();
  const driverPool: DriverPool = {
    connect(callback) {
      pool.connect((error, client, release) => {
        if (client !== undefined && !guarded.has(client)) {
          guarded.add(client);
          client.on('error', (failure: Error) => watch.lost(failure));
        }
        callback(error ?? undefined, client, release);
      });
    },
    on(event, listener) {
      // TypeORM adds one listener, for 'error' (its poolErrorHandler).
      pool.on(event as 'error', listener);
      added.push([event, listener]);
    },
    end(callback) {
      for (const [event, listener] of added.splice(0)) pool.removeListener(event as 'error', listener);
      callback?.();
    },
  };
  return {
    // A constructor that returns an object makes `new` answer that object: TypeORM gets the app's pool.
    Pool: function BorrowedPool() {
      return driverPool;
    } as unknown as new () => DriverPool,
  };
}
