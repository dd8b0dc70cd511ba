/**
 * A read-only EventLog over a PostgreSQL table or view that another tool writes (an outbox table, an
 * Emmett or Marten event table), configured by a mapping of its columns (sql-log-mapping.ts).
 *
 * Prism never writes to the table and needs only SELECT on it. Every read is bounded by the gap-safety
 * horizon (gap-safety.ts), so a checkpoint never passes a row that a slower writer commits later; reads
 * and subscriptions see the same log. Subscriptions poll (the writer sends no notifications): catch-up and
 * live are one loop (polling-log-subscription.ts), at most one poll interval behind the horizon.
 *
 *   const log = sqlTableEventLog({
 *     url: 'postgres://reader@db/shop',
 *     mapping: { table: 'public.outbox', position: 'id', streamId: 'aggregate_id', type: 'event_type',
 *                data: 'payload', timestamp: 'occurred_at' },
 *   });
 *   await log.initialize(); // optional: checks the mapping against the database now
 */
import { Pool } from 'pg';
import { ConnectionWatch, type ConnectionLogger } from '../../core/connection-watch';
import { ChangeNotifier } from '../change-notifier';
import { EventStoreUnavailableError } from '../event-store.errors';
import type {
  EventLog,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from '../event-store.port';
import { normalizeFilter } from '../log-filter';
import { DEFAULT_POLL_INTERVAL_MS, PollingLogSubscription } from '../polling-log-subscription';
import { guardedClientClass } from '../postgres/guarded-pg-client';
import { describeServer, isUnavailable } from '../postgres/postgres-errors';
import { CommitOrderedHorizon, DelayHorizon, WriterLocksHorizon, type Horizon } from './gap-safety';
import { resolveSource, type SqlLogPool, type ResolvedSource } from './sql-log-catalog';
import { mappingProblems, SqlLogMappingError, type GapSafety, type SqlTableMapping } from './sql-log-mapping';
import { SqlLogQueries, type SqlLogRow } from './sql-log-queries';
import { toStoredEvent } from './sql-log-rows';
import { formatQualifiedName } from './sql-identifiers';

export const SQL_TABLE_LOG_KIND = 'sql-table';

/** Options of sqlTableEventLog: where the table is, how it maps to events, how the reader stays gap-safe. */
export interface SqlTableEventLogOptions {
  /** postgres://user:password@host:port/database. Give either `url` or `pool`. */
  readonly url?: string;
  /** A pg Pool the host already has; the log uses it and leaves closing it to the host. */
  readonly pool?: SqlLogPool;
  /** Which table, and which of its columns hold the position, stream, type, data, ... */
  readonly mapping: SqlTableMapping;
  /** How the reader stays safe from writers that commit out of position order. Default writer-locks. */
  readonly gapSafety?: GapSafety;
  /** Connections of the log's own pool (with `url`). Default 4. */
  readonly poolSize?: number;
  /** How long to wait for a connection before the log counts as unavailable. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** Events per read while a subscription catches up. Default 500. */
  readonly pageSize?: number;
  /** How often a live subscription looks for new rows. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Where a lost and a regained connection are logged (once per outage). Default: the console. */
  readonly logger?: ConnectionLogger;
  /** Clock of the delay mode, in milliseconds (tests). Default performance.now. */
  readonly now?: () => number;
}

interface Prepared {
  readonly source: ResolvedSource;
  readonly queries: SqlLogQueries;
  readonly horizon: Horizon;
  /** Schema-qualified name the derived event ids are made from. */
  readonly relation: string;
}

/**
 * A read-only EventLog over a table or view another tool writes (see the file comment and README.md in
 * this folder). Make one with sqlTableEventLog.
 */
export class SqlTableEventLog implements EventLog {
  readonly kind = SQL_TABLE_LOG_KIND;
  /** The mode this log reads with (writer-locks unless the options chose another). */
  readonly gapSafety: GapSafety;
  private readonly pool: SqlLogPool;
  /** The pool the log made from `url`, which it closes; undefined when the host gave one. */
  private readonly ownPool: Pool | undefined;
  private readonly server: string;
  private readonly watch: ConnectionWatch;
  /** Nothing notifies (foreign writers send no NOTIFY): subscriptions poll every pollIntervalMs. */
  private readonly notifier = new ChangeNotifier();
  private readonly subscriptions = new Set<LogSubscription>();
  private prepared: Promise<Prepared> | undefined;
  private refreshing: Promise<bigint> | undefined;
  private closed = false;

  constructor(private readonly options: SqlTableEventLogOptions) {
    if ((options.url === undefined) === (options.pool === undefined)) {
      throw new TypeError(
        'sqlTableEventLog needs exactly one of `url` (a connection URL) or `pool` (a pg Pool).',
      );
    }
    this.gapSafety = options.gapSafety ?? { mode: 'writer-locks' };
    const problems = mappingProblems(options.mapping, this.gapSafety);
    if (problems.length > 0) throw new SqlLogMappingError(String(options.mapping.table), problems);
    const url = options.url ?? poolUrl(options.pool!);
    this.server = url === undefined ? 'the given pool' : describeServer(url);
    this.watch = new ConnectionWatch(
      `PostgreSQL table log ${options.mapping.table} at ${this.server}`,
      options.logger,
    );
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownPool = undefined;
    } else {
      const pool = new Pool({
        connectionString: options.url,
        max: options.poolSize ?? 4,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
        application_name: 'prism-sql-log',
        // The planner's estimates for the revision counts can cross the JIT threshold, and compiling costs
        // far more than these short queries ever run.
        options: '-c jit=off',
        Client: guardedClientClass(this.watch),
      });
      // An idle pooled connection that dies makes the pool emit 'error'; unhandled, that ends the process.
      pool.on('error', (error) => this.watch.lost(error));
      this.pool = pool;
      this.ownPool = pool;
    }
  }

  /**
   * Checks the mapping against the database (table, columns, types, gap safety); runs once, again only
   * after a failure. Every read calls it.
   * @throws SqlLogMappingError listing every problem; EventStoreUnavailableError when unreachable.
   */
  async initialize(): Promise<void> {
    await this.prepare();
  }

  async readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]> {
    const { queries, relation, source } = await this.prepare();
    // Revisions the writer keeps (a revision column) are final once committed, so a stream reads as it is
    // now, like the built-in stores. Derived revisions count the stream's rows, so only the settled part of
    // the log (at or below the horizon) is read: a revision handed out never changes.
    const horizon = source.columns.revision !== undefined ? undefined : await this.horizon();
    const { text, values } = queries.readStream(
      streamId,
      horizon,
      options?.fromRevision ?? 0,
      options?.maxCount ?? null,
    );
    return (await this.query<SqlLogRow>(text, values)).map((row) => toStoredEvent(row, relation));
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const { queries, relation } = await this.prepare();
    const horizon = await this.horizon();
    if (horizon === 0n || (options.after !== undefined && options.after >= horizon)) return [];
    const { text, values } = queries.readAll(
      options.after,
      horizon,
      options.maxCount,
      normalizeFilter(options.filter),
    );
    return (await this.query<SqlLogRow>(text, values)).map((row) => toStoredEvent(row, relation));
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    const filter = options.filter ?? {};
    const subscription = new PollingLogSubscription({
      ...(options.after !== undefined && { after: options.after }),
      ...(options.bufferSize !== undefined && { bufferSize: options.bufferSize }),
      ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      notifier: this.notifier,
      // Pages go through the public readAll, so a subscription sees exactly what readers see.
      readPage: (after, maxCount) =>
        this.readAll({ ...(after !== undefined && { after }), maxCount, filter }),
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(filter?: LogFilter): Promise<bigint> {
    const { queries } = await this.prepare();
    const horizon = await this.horizon();
    if (horizon === 0n) return 0n;
    const { text, values } = queries.headPosition(horizon, normalizeFilter(filter));
    const rows = await this.query<{ position: string | null }>(text, values);
    return rows[0]?.position == null ? 0n : BigInt(rows[0].position);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.refreshing?.catch(() => undefined);
    await this.ownPool?.end();
  }

  private prepare(): Promise<Prepared> {
    this.assertOpen();
    this.prepared ??= this.resolve().catch((error: unknown) => {
      this.prepared = undefined;
      throw this.translate(error);
    });
    return this.prepared;
  }

  private async resolve(): Promise<Prepared> {
    const { mapping } = this.options;
    const source = await resolveSource(this.pool, mapping, this.gapSafety);
    this.watch.reached();
    const queries = new SqlLogQueries(source, mapping.firstRevision ?? 0);
    return {
      source,
      queries,
      horizon: this.horizonFor(queries),
      relation: formatQualifiedName(source.relation),
    };
  }

  private horizonFor(queries: SqlLogQueries): Horizon {
    switch (this.gapSafety.mode) {
      case 'writer-locks':
        return new WriterLocksHorizon(queries);
      case 'delay':
        return new DelayHorizon(queries, this.gapSafety.delayMs, this.options.now);
      case 'commit-ordered':
        return new CommitOrderedHorizon(queries);
    }
  }

  /**
   * The current horizon. One refresh at a time (writer-locks compares one refresh's lock table with the
   * next); callers arriving meanwhile share the refresh in flight, whose horizon is safe for them too.
   */
  private horizon(): Promise<bigint> {
    this.refreshing ??= this.prepare()
      .then(async ({ horizon }) => {
        try {
          const value = await horizon.refresh(this.pool);
          this.watch.reached();
          return value;
        } catch (error) {
          throw this.translate(error);
        }
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async query<Row extends object>(text: string, values: unknown[]): Promise<Row[]> {
    this.assertOpen();
    try {
      const rows = (await this.pool.query<Row>(text, values)).rows;
      this.watch.reached();
      return rows;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof EventStoreUnavailableError || !isUnavailable(error)) return error;
    this.watch.lost(error);
    const { code, message } = error as { code?: unknown; message?: unknown };
    const reason = `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(error)}`;
    return new EventStoreUnavailableError(
      SQL_TABLE_LOG_KIND,
      `cannot reach PostgreSQL at ${this.server} to read ${this.options.mapping.table} (${reason}); ` +
        'check that the server is running and that the URL points at it (PRISM_SQL_LOG_URL, or PRISM_PG_URL)',
      { cause: error },
    );
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError(
        SQL_TABLE_LOG_KIND,
        'this log instance was closed; create a new one',
      );
    }
  }
}

/** A read-only event log over a table another tool writes; the mapping is checked against the database on first use. */
export function sqlTableEventLog(options: SqlTableEventLogOptions): SqlTableEventLog {
  return new SqlTableEventLog(options);
}

function poolUrl(pool: SqlLogPool): string | undefined {
  const options = (pool as { options?: { connectionString?: unknown } }).options;
  return typeof options?.connectionString === 'string' ? options.connectionString : undefined;
}
