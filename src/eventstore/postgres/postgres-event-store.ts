/**
 * The event store on PostgreSQL: one events table in its own schema, appends as one transaction each,
 * reads and subscriptions that never skip an event committed late by a slower writer.
 *
 * How it stays correct under concurrency is explained where it happens: postgres-schema.ts (why readers
 * only see rows below the oldest in-flight transaction) and postgres-append.ts (the expected-revision
 * compare-and-set). Subscriptions are polling-log-subscription.ts, woken by LISTEN/NOTIFY.
 */
import { Pool, type PoolClient } from 'pg';
import { ConnectionWatch, consoleConnectionLogger, type ConnectionLogger } from '../../core/connection-watch';
import type { JsonObject } from '../../core/json';
import {
  DuplicateEventIdError,
  earlierIdenticalAppend,
  prepareAppend,
  type PreparedEvent,
} from '../append-input';
import { ChangeNotifier } from '../change-notifier';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from '../event-store.port';
import { normalizeFilter, prefixUpperBound, type NormalizedFilter } from '../log-filter';
import { DEFAULT_POLL_INTERVAL_MS, PollingLogSubscription } from '../polling-log-subscription';
import { appendInTransaction, currentRevision, type AppendOutcome } from './postgres-append';
import { guardedClientClass } from './guarded-pg-client';
import { describeServer, isUnavailable, unavailable } from './postgres-errors';
import { PostgresListener } from './postgres-listener';
import { refreshLogStatistics } from './postgres-log-statistics';
import { VISIBLE, createSchemaSql, existsSql, logNames, type PostgresLogNames } from './postgres-schema';

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Schema that holds the log's tables; created on first use. Default `prism`. */
  readonly schema?: string;
  /** Connections in the pool (appends and reads); LISTEN uses one more. Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before the store counts as unavailable. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** Events per read while a subscription catches up. Default 500. */
  readonly pageSize?: number;
  /** Longest a live subscription waits without a notification before it polls anyway. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Where a lost and a regained connection are logged (once per outage). Default: the console. */
  readonly logger?: ConnectionLogger;
}

interface EventRow {
  readonly id: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/**
 * Bigints travel as text (JavaScript numbers would lose precision). The text aliases shadow the columns in
 * ORDER BY, so every query orders by the table-qualified column (`e.position`), never by the alias.
 */
const COLUMNS =
  'id::text AS id, stream_id, revision::text AS revision, position::text AS position, type, data, metadata';

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  readonly names: PostgresLogNames;
  private readonly pool: Pool;
  private readonly server: string;
  /** Shared by the pool's clients and the LISTEN connection: one outage, one log line. */
  private readonly watch: ConnectionWatch;
  private readonly notifier = new ChangeNotifier();
  private readonly listener: PostgresListener;
  private readonly subscriptions = new Set<LogSubscription>();
  private initialized: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.names = logNames(options.schema ?? 'prism');
    this.server = describeServer(options.url);
    this.watch = new ConnectionWatch(`PostgreSQL event store at ${this.server}`, options.logger);
    const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: connectionTimeoutMs,
      // Checked-out clients (an append's transaction) have no listener of pg-pool's: see guarded-pg-client.ts.
      Client: guardedClientClass(this.watch),
    });
    // An idle pooled connection that dies (server restart) makes the pool emit 'error'; unhandled, that
    // would crash the process. The next query simply gets a fresh connection or fails as unavailable.
    this.pool.on('error', (error) => this.watch.lost(error));
    this.listener = new PostgresListener({
      url: options.url,
      channel: this.names.channel,
      notifier: this.notifier,
      connectionTimeoutMs,
      watch: this.watch,
    });
  }

  /** Creates the schema if needed; runs at most once (again only after a failure). Called by every operation. */
  async initialize(): Promise<void> {
    this.initialized ??= this.createSchema().catch((error: unknown) => {
      this.initialized = undefined;
      throw this.translate(error);
    });
    return this.initialized;
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, expected);
    const callerIds = events.some((event) => event.id !== undefined);
    const client = await this.connect();
    let reusable = true;
    let committing = false;
    try {
      await client.query('BEGIN');
      let outcome: AppendOutcome;
      try {
        outcome = await appendInTransaction(client, this.names, streamId, prepared, expected);
      } catch (error) {
        await client.query('ROLLBACK');
        if (uniqueViolation(error) === 'events_pkey') {
          const earlier = await this.earlierAppend(client, streamId, prepared);
          if (earlier) return earlier;
          throw new DuplicateEventIdError(streamId, await this.firstTakenId(client, prepared));
        }
        if (uniqueViolation(error) === 'events_stream_revision_key') {
          // Cannot happen while the streams table is the only writer of revisions; kept as a backstop.
          throw new WrongExpectedRevisionError(
            streamId,
            expected,
            await currentRevision(client, this.names, streamId),
          );
        }
        throw error;
      }
      if (outcome.kind === 'conflict') {
        await client.query('ROLLBACK');
        const earlier = callerIds ? await this.earlierAppend(client, streamId, prepared) : undefined;
        if (earlier) return earlier;
        throw new WrongExpectedRevisionError(streamId, expected, outcome.actual);
      }
      committing = true;
      await client.query('COMMIT');
      return { streamId, revision: outcome.revision, position: outcome.position };
    } catch (error) {
      // After an unexpected failure the connection may hold a half-finished session state (e.g. the
      // allocation lock, see postgres-schema.ts): never hand it to the next caller.
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError))
        reusable = false;
      // A connection lost before COMMIT was sent rolls the transaction back: nothing was written. Lost
      // while COMMIT was on its way, the server may have committed: say so (issue #12 item 11).
      if (committing && isUnavailable(error)) throw this.commitOutcomeUnknown(error);
      throw this.translate(error);
    } finally {
      client.release(!reusable);
    }
  }

  async readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]> {
    // No visibility rule here: a stream's appends are serialized by its row lock, so its revisions commit in
    // order and a plain snapshot never shows a later revision without the earlier ones. That also lets a
    // command see its own stream at once, even while an unrelated long transaction holds readers back.
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.names.events} AS e
       WHERE stream_id = $1 AND revision >= $2 ORDER BY e.revision LIMIT $3`,
      [streamId, options?.fromRevision ?? 0, options?.maxCount ?? null],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.readPage(options.after, options.maxCount, normalizeFilter(options.filter));
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    const filter = options.filter ?? {};
    const subscription = new PollingLogSubscription({
      ...(options.after !== undefined && { after: options.after }),
      ...(options.bufferSize !== undefined && { bufferSize: options.bufferSize }),
      ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      notifier: this.notifier,
      start: () => this.listener.ensure(),
      // Pages go through the public readAll, so a subscription sees exactly what readers see.
      readPage: async (after, maxCount) => {
        await this.listener.ensure();
        return this.readAll({ ...(after !== undefined && { after }), maxCount, filter });
      },
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(filter?: LogFilter): Promise<bigint> {
    const { where, params } = this.conditions(undefined, normalizeFilter(filter));
    const rows = await this.query<{ position: string }>(
      `SELECT position::text AS position FROM ${this.names.events} AS e
       WHERE ${where.join(' AND ')} ORDER BY e.position DESC LIMIT 1`,
      params,
    );
    return rows[0] === undefined ? 0n : BigInt(rows[0].position);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.listener.close();
    await this.pool.end();
  }

  private async readPage(
    after: bigint | undefined,
    maxCount: number,
    filter: NormalizedFilter,
  ): Promise<StoredEvent[]> {
    const { where, params } = this.conditions(after, filter);
    params.push(maxCount);
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.names.events} AS e
       WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT $${params.length}`,
      params,
    );
    return rows.map(toStoredEvent);
  }

  /** The WHERE of a log read: the visible prefix, the start position and the filter, all in SQL. */
  private conditions(
    after: bigint | undefined,
    filter: NormalizedFilter,
  ): { where: string[]; params: unknown[] } {
    const where = [VISIBLE];
    const params: unknown[] = [];
    if (after !== undefined) {
      params.push(after.toString());
      where.push(`position > $${params.length}::bigint`);
    }
    if (filter.eventTypes !== undefined) {
      params.push(filter.eventTypes);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    if (filter.streamPrefix !== undefined) {
      params.push(filter.streamPrefix);
      where.push(`stream_id >= $${params.length}`);
      const upper = prefixUpperBound(filter.streamPrefix);
      if (upper !== undefined) {
        params.push(upper);
        where.push(`stream_id < $${params.length}`);
      }
    }
    return { where, params };
  }

  private async query<Row extends object>(sql: string, params: unknown[]): Promise<Row[]> {
    this.assertOpen();
    await this.initialize();
    try {
      const rows = (await this.pool.query<Row>(sql, params)).rows;
      this.watch.reached();
      return rows;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async connect(): Promise<PoolClient> {
    this.assertOpen();
    await this.initialize();
    try {
      const client = await this.pool.connect();
      this.watch.reached();
      return client;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async createSchema(): Promise<void> {
    const exists = await this.pool.query<{ ready: boolean }>(existsSql(this.names));
    if (exists.rows[0]?.ready === true) {
      // A check for speed only: it never stands in the way of starting.
      await refreshLogStatistics(
        this.pool,
        this.names.events,
        this.options.logger ?? consoleConnectionLogger,
      ).catch(() => undefined);
      return;
    }
    const client = await this.pool.connect();
    try {
      await client.query(createSchemaSql(this.names));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The result of an earlier append with exactly these events, if the call is a retry of it. */
  private async earlierAppend(
    client: PoolClient,
    streamId: string,
    events: readonly PreparedEvent[],
  ): Promise<AppendResult | undefined> {
    const rows = await client.query<{ id: string; stream_id: string; revision: string; position: string }>(
      `SELECT id::text AS id, stream_id, revision::text AS revision, position::text AS position
       FROM ${this.names.events} WHERE id = ANY($1::uuid[])`,
      [events.map((event) => event.id)],
    );
    const earlier = earlierIdenticalAppend(
      streamId,
      events,
      rows.rows.map((row) => ({
        id: row.id,
        streamId: row.stream_id,
        revision: Number(row.revision),
        position: BigInt(row.position),
      })),
    );
    return earlier && { streamId, revision: earlier.revision, position: earlier.position };
  }

  private async firstTakenId(client: PoolClient, events: readonly PreparedEvent[]): Promise<string> {
    const rows = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM ${this.names.events} WHERE id = ANY($1::uuid[]) LIMIT 1`,
      [events.map((event) => event.id)],
    );
    return rows.rows[0]?.id ?? events[0]!.id;
  }

  private translate(error: unknown): unknown {
    if (error instanceof EventStoreUnavailableError) return error;
    if (!isUnavailable(error)) return error;
    this.watch.lost(error);
    return unavailable(error, this.server);
  }

  private commitOutcomeUnknown(error: unknown): EventStoreUnavailableError {
    this.watch.lost(error);
    return unavailable(error, this.server, { outcomeUnknown: true });
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError('postgres', 'this store instance was closed; create a new one');
    }
  }
}

/** A fresh store; the schema is created on first use (or call `initialize()` to do it now). */
export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

/** The constraint a unique violation (23505) hit, if that is what `error` is. */
function uniqueViolation(error: unknown): string | undefined {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' ? constraint : undefined;
}
