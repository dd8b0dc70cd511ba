/**
 * The event store in a single SQLite file (better-sqlite3): Prism's default when no database is
 * configured, so the app starts on a bare machine. Same semantics as the PostgreSQL adapter.
 *
 * One writing process. SQLite serializes writers itself (each append is a BEGIN IMMEDIATE transaction),
 * so the log stays consistent even if a second process writes, but live subscriptions are woken only by
 * appends of their own process; events written by another process reach them at the next poll interval.
 * Because writes are serialized, positions (the AUTOINCREMENT rowid, never reused) become visible in order:
 * a reader can never see position 11 before 10 is committed, which is what the polling subscription needs.
 *
 * Durability: WAL mode with synchronous=FULL, so an acknowledged append survives a power cut.
 * better-sqlite3 is synchronous: a call blocks the event loop for its duration (short for normal appends
 * and pages; a 10,000-event append takes a few milliseconds).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../core/json';
import {
  DuplicateEventIdError,
  earlierIdenticalAppend,
  prepareAppend,
  satisfies,
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

/** Where the embedded log lives when nothing else is configured. */
export const DEFAULT_EMBEDDED_FILE = './data/prism-events.db';

export interface EmbeddedEventStoreOptions {
  /** Path of the SQLite file (its directory is created if missing), or ':memory:' for tests. */
  readonly file?: string;
  /** Events per read while a subscription catches up. Default 500. */
  readonly pageSize?: number;
  /** Longest a live subscription waits before it polls (only matters for writes by other processes). */
  readonly pollIntervalMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);
-- readAll by event types walks (type, position); by stream prefix it range-scans the (stream_id, revision)
-- key: SQLite's BINARY collation compares UTF-8 bytes, which is code point order.
CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position);
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL
) WITHOUT ROWID;
`;

const COLUMNS = 'position, id, stream_id, revision, type, data, metadata';

interface EventRow {
  readonly position: bigint;
  readonly id: string;
  readonly stream_id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

type AppendOutcome =
  | { readonly kind: 'appended'; readonly revision: number; readonly position: bigint }
  | { readonly kind: 'conflict'; readonly actual: number | 'no_stream' };

export class EmbeddedEventStore implements EventStore {
  readonly kind = 'embedded';
  readonly file: string;
  private readonly db: Database.Database;
  private readonly notifier = new ChangeNotifier();
  private readonly subscriptions = new Set<LogSubscription>();
  private readonly readStatements = new Map<string, Database.Statement>();
  private readonly statements: {
    readonly streamRevision: Database.Statement<[string]>;
    readonly insertEvent: Database.Statement<[string, string, number, string, string, string]>;
    readonly saveStream: Database.Statement<[string, number]>;
    readonly eventsById: Database.Statement<[string]>;
    readonly readStream: Database.Statement<[string, number, number]>;
  };
  private readonly appendTransaction: (
    streamId: string,
    events: readonly PreparedEvent[],
    expected: ExpectedRevision,
  ) => AppendOutcome;
  private closed = false;

  constructor(private readonly options: EmbeddedEventStoreOptions = {}) {
    this.file = options.file ?? DEFAULT_EMBEDDED_FILE;
    this.db = openDatabase(this.file);
    this.statements = {
      streamRevision: this.db.prepare('SELECT revision FROM streams WHERE stream_id = ?'),
      insertEvent: this.db.prepare(
        'INSERT INTO events (id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      saveStream: this.db.prepare(
        'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
      ),
      eventsById: this.db
        .prepare(`SELECT ${COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?))`)
        .safeIntegers(true),
      readStream: this.db
        .prepare(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
        )
        .safeIntegers(true),
    };
    const run = (
      streamId: string,
      events: readonly PreparedEvent[],
      expected: ExpectedRevision,
    ): AppendOutcome => {
      const row = this.statements.streamRevision.get(streamId) as { revision: number } | undefined;
      const actual = row === undefined ? 'no_stream' : row.revision;
      if (!satisfies(expected, actual)) return { kind: 'conflict', actual };
      let revision = actual === 'no_stream' ? -1 : actual;
      let position = 0n;
      for (const event of events) {
        revision++;
        const info = this.statements.insertEvent.run(
          event.id,
          streamId,
          revision,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
        );
        position = BigInt(info.lastInsertRowid);
      }
      this.statements.saveStream.run(streamId, revision);
      return { kind: 'appended', revision, position };
    };
    const transaction = this.db.transaction(run);
    // IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead of failing
    // when its read lock cannot be upgraded.
    this.appendTransaction = (streamId, events, expected) =>
      transaction.immediate(streamId, events, expected);
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, expected);
    this.assertOpen();
    let outcome: AppendOutcome;
    try {
      outcome = this.appendTransaction(streamId, prepared, expected);
    } catch (error) {
      if (isDuplicateId(error)) {
        const earlier = this.earlierAppend(streamId, prepared);
        if (earlier) return earlier;
        throw new DuplicateEventIdError(streamId, this.firstTakenId(prepared));
      }
      throw this.translate(error);
    }
    if (outcome.kind === 'conflict') {
      const earlier = events.some((event) => event.id !== undefined)
        ? this.earlierAppend(streamId, prepared)
        : undefined;
      if (earlier) return earlier;
      throw new WrongExpectedRevisionError(streamId, expected, outcome.actual);
    }
    this.notifier.notify();
    return { streamId, revision: outcome.revision, position: outcome.position };
  }

  async readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]> {
    this.assertOpen();
    const rows = this.run(
      () =>
        this.statements.readStream.all(
          streamId,
          options?.fromRevision ?? 0,
          options?.maxCount ?? -1,
        ) as EventRow[],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.readPage(options.after, options.maxCount, normalizeFilter(options.filter));
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    const filter = normalizeFilter(options.filter);
    const subscription = new PollingLogSubscription({
      ...(options.after !== undefined && { after: options.after }),
      ...(options.bufferSize !== undefined && { bufferSize: options.bufferSize }),
      ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      notifier: this.notifier,
      readPage: (after, maxCount) => this.readPage(after, maxCount, filter),
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(filter?: LogFilter): Promise<bigint> {
    this.assertOpen();
    const { sql, params } = logQuery(undefined, normalizeFilter(filter), 'DESC');
    const rows = this.run(() => this.readStatement(sql).all(...params, 1) as EventRow[]);
    return rows[0]?.position ?? 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.db.close();
  }

  private async readPage(
    after: bigint | undefined,
    maxCount: number,
    filter: NormalizedFilter,
  ): Promise<StoredEvent[]> {
    this.assertOpen();
    const { sql, params } = logQuery(after, filter, 'ASC');
    const rows = this.run(() => this.readStatement(sql).all(...params, maxCount) as EventRow[]);
    return rows.map(toStoredEvent);
  }

  /** One prepared statement per filter shape (at most eight), reused for every page. */
  private readStatement(sql: string): Database.Statement {
    let statement = this.readStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql).safeIntegers(true);
      this.readStatements.set(sql, statement);
    }
    return statement;
  }

  private earlierAppend(streamId: string, events: readonly PreparedEvent[]): AppendResult | undefined {
    const rows = this.statements.eventsById.all(
      JSON.stringify(events.map((event) => event.id)),
    ) as EventRow[];
    const earlier = earlierIdenticalAppend(
      streamId,
      events,
      rows.map((row) => ({
        id: row.id,
        streamId: row.stream_id,
        revision: Number(row.revision),
        position: row.position,
      })),
    );
    return earlier && { streamId, revision: earlier.revision, position: earlier.position };
  }

  private firstTakenId(events: readonly PreparedEvent[]): string {
    const rows = this.statements.eventsById.all(
      JSON.stringify(events.map((event) => event.id)),
    ) as EventRow[];
    return rows[0]?.id ?? events[0]!.id;
  }

  private run<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.some((prefix) => code.startsWith(prefix))) {
      return new EventStoreUnavailableError(
        'embedded',
        `SQLite file ${this.file} failed (${code}: ${(error as Error).message}); check the disk and that no other ` +
          'process holds a write lock on it for long',
        { cause: error },
      );
    }
    return error;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError('embedded', 'this store instance was closed; create a new one');
    }
  }
}

/** Opens (creating if needed) the file, its directory and the schema. */
export function createEmbeddedEventStore(options: EmbeddedEventStoreOptions = {}): EmbeddedEventStore {
  return new EmbeddedEventStore(options);
}

/** SQLite failures that are about the file or the disk, not about the call: the store is unavailable. */
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
];

function openDatabase(file: string): Database.Database {
  const inMemory = file === ':memory:';
  try {
    if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    throw new EventStoreUnavailableError(
      'embedded',
      `cannot open SQLite file ${file} (${(error as Error).message}); check that its directory is writable ` +
        '(PRISM_DATA_DIR) and that the file is a Prism event store',
      { cause: error },
    );
  }
}

/** SQL for one page of the log; the caller appends the LIMIT parameter. */
function logQuery(
  after: bigint | undefined,
  filter: NormalizedFilter,
  direction: 'ASC' | 'DESC',
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (after !== undefined) {
    where.push('position > ?');
    params.push(after);
  }
  if (filter.eventTypes !== undefined) {
    where.push('type IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.eventTypes));
  }
  if (filter.streamPrefix !== undefined) {
    where.push('stream_id >= ?');
    params.push(filter.streamPrefix);
    const upper = prefixUpperBound(filter.streamPrefix);
    if (upper !== undefined) {
      where.push('stream_id < ?');
      params.push(upper);
    }
  }
  const condition = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT ${COLUMNS} FROM events ${condition} ORDER BY position ${direction} LIMIT ?`, params };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}

function isDuplicateId(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    code.startsWith('SQLITE_CONSTRAINT') &&
    /events\.id/.test((error as Error).message)
  );
}
