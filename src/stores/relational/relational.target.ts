/**
 * The relational target: views as tables in PostgreSQL (through TypeORM and node-postgres) or in an
 * embedded SQLite file (TypeORM's better-sqlite3 driver), with the same behaviour on both.
 *
 * - Generations, the stable-name SQL view and their swap: relational-storage.ts; Prism's own records:
 *   relational-records.ts, with the logic shared by every store in ../bookkeeping/.
 * - `commit` is one transaction: checkpoint compare-and-set first (it also serializes two runners of the
 *   same generation), then one bulk DELETE, one bulk upsert, and the parking rows.
 */
import { relationalStore } from './relational.store';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { borrowedPoolDriver, type PgPool } from './borrowed-pg-pool';
import { ConnectionWatch, type ConnectionLogger } from '../../core/connection-watch';
import { guardedClientClass } from '../../eventstore/postgres/guarded-pg-client';
import { describeServer } from '../../eventstore/postgres/postgres-errors';
import type { JsonValue } from '../../core/json';
import type { LookupEntryRef, StoredLookups } from '../../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import type { RelationalTargetShape } from './relational-view-shape';
import type {
  CommitBatch,
  CommitResult,
  LoadedDocument,
  ScannedDocument,
  ScanOptions,
  ViewRef,
} from '../target.port';
import { Bookkeeping } from '../bookkeeping/bookkeeping';
import { BookkeepingTarget } from '../bookkeeping/bookkeeping-target';
import { PostgresDialect } from './postgres.dialect';
import type { RelationalDialect, SqlStatement } from './relational-dialect';
import { RelationalDatabase, type Row, type Session } from './relational-database';
import { RelationalLookups } from './relational-lookups';
import { RelationalRecords } from './relational-records';
import { relationalMigrations, RelationalSchemaVersion } from './relational-schema';
import { RelationalStorage } from './relational-storage';
import { columnNames, documentProblem, generationTableName, relationalShape } from './relational-shape';
import { SqliteDialect } from './sqlite.dialect';
import { classifyRelationalError } from './relational-error-classifier';
import { PoolTooSmallError } from './relational.errors';

export type RelationalTargetConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Schema for views and bookkeeping; created if missing. Default `public`. */
      readonly schema?: string;
      /** Connection pool size. Default 10, at least 2 (MIN_POOL_SIZE). */
      readonly poolSize?: number;
      /** Where a lost and a regained connection are logged (once per outage). Default: the console. */
      readonly logger?: ConnectionLogger;
    }
  | {
      readonly kind: 'postgres';
      /** A pool the app owns (borrowed-pg-pool.ts): used, never ended by the target. */
      readonly pool: PgPool;
      readonly schema?: string;
      readonly logger?: ConnectionLogger;
    }
  | { readonly kind: 'sqlite'; readonly file: string };

export class RelationalTarget extends BookkeepingTarget<Session> {
  readonly kind = 'postgres';
  readonly capabilities = relationalStore.capabilities;
  readonly bookkeeping: Bookkeeping<Session>;
  private readonly db: RelationalDatabase;
  private readonly lookups: RelationalLookups;

  private constructor(
    readonly dataSource: DataSource,
    readonly dialect: RelationalDialect,
    watch: ConnectionWatch,
  ) {
    super();
    this.db = new RelationalDatabase(dataSource, dialect, watch);
    this.lookups = new RelationalLookups(this.db);
    const storage = new RelationalStorage(this.db, this.lookups);
    this.bookkeeping = new Bookkeeping(new RelationalRecords(this.db), storage, {
      store: new RelationalSchemaVersion(this.db),
      migrations: relationalMigrations(this.db),
    });
  }

  /** Opens the database (PostgreSQL pool or SQLite file) and creates or upgrades the bookkeeping tables. */
  static async connect(config: RelationalTargetConfig): Promise<RelationalTarget> {
    checkPoolSize(config);
    // SQLite is in-process: its watch never sees a lost connection.
    const watch =
      config.kind === 'sqlite'
        ? new ConnectionWatch(`SQLite view store at ${config.file}`)
        : new ConnectionWatch(
            `PostgreSQL view store at ${'url' in config ? describeServer(config.url) : "the app's pool"}`,
            config.logger,
          );
    const dataSource = new DataSource(dataSourceOptions(config, watch));
    await dataSource.initialize();
    const dialect =
      config.kind === 'postgres' ? new PostgresDialect(config.schema ?? 'public') : new SqliteDialect();
    const target = new RelationalTarget(dataSource, dialect, watch);
    try {
      await target.initialize();
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return target;
  }

  async load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    const loaded = new Map<DocumentKey, LoadedDocument>();
    if (keys.length === 0) return loaded;
    const shape = relationalShape(view.projection, view.shape);
    const rows = await this.db.query(
      this.dialect.selectByKeys(generationTableName(shape, view.generation), shape, keys),
    );
    for (const row of rows) {
      const document = this.decodeRow(shape, row);
      loaded.set(keyText(document[shape.key]), { document });
    }
    return loaded;
  }

  /**
   * Fan-out updates (issue #16): the keys of the rows whose `field` (a column leading a declared index,
   * so an index scan) holds each value; one statement per value.
   */
  async findKeys(
    view: ViewRef,
    field: string,
    values: readonly (string | number)[],
    limit: number,
  ): Promise<DocumentKey[][]> {
    const shape = relationalShape(view.projection, view.shape);
    const table = this.db.t(generationTableName(shape, view.generation));
    const key = this.dialect.quote(shape.key);
    const keyType = shape.columns[shape.key]?.type ?? 'text';
    const fieldType = this.dialect.columnType(shape.columns[field]?.type ?? 'text');
    const found: DocumentKey[][] = [];
    for (const value of values) {
      const rows = await this.db.query({
        sql:
          `SELECT ${key} FROM ${table} WHERE ${this.dialect.quote(field)} = CAST($1 AS ${fieldType}) ` +
          `ORDER BY ${key} LIMIT ${pageLimit(limit)}`,
        params: [value],
      });
      found.push(rows.map((row) => keyText(this.dialect.decode(keyType, row[shape.key]))));
    }
    return found;
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(relationalShape(view.projection, view.shape), document);
  }

  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    const shape = relationalShape(view.projection, view.shape);
    const table = generationTableName(shape, view.generation);
    const { puts, deletes } = collapse(view.projection, batch.operations);
    let lookupTable: string | undefined;
    const result = await this.bookkeeping.commit(view, batch, async (session) => {
      if (deletes.length > 0) await session.run(this.dialect.deleteByKeys(table, shape, deletes));
      if (puts.length > 0) await session.run(this.dialect.upsertDocuments(table, shape, puts));
      if (batch.lookups !== undefined) lookupTable = await this.lookups.write(session, view, batch.lookups);
    });
    if (result.kind === 'committed') this.lookups.created(lookupTable);
    return result;
  }

  /** Lookup entries live in the generation's own lookup table (relational-lookups.ts). */
  loadLookups(view: ViewRef, entries: readonly LookupEntryRef[]): Promise<StoredLookups> {
    return this.lookups.load(view, entries);
  }

  scanLookups(view: ViewRef): Promise<StoredLookups> {
    return this.lookups.scan(view);
  }

  async scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const shape = relationalShape(view.projection, view.shape);
    const key = this.dialect.quote(shape.key);
    const columns = columnNames(shape).map((c) => this.dialect.quote(c));
    // The cursor is the key's string form; CAST gives it the key column's type (same SQL on both dialects).
    const keyType = this.dialect.columnType(shape.columns[shape.key]?.type ?? 'text');
    const rows = await this.db.query({
      sql:
        `SELECT ${columns.join(', ')} FROM ${this.db.t(generationTableName(shape, view.generation))} ` +
        `${options.after === undefined ? '' : `WHERE ${key} > CAST($1 AS ${keyType}) `}` +
        `ORDER BY ${key} LIMIT ${pageLimit(options.limit)}`,
      params: options.after === undefined ? [] : [options.after],
    });
    return rows.map((row) => {
      const document = this.decodeRow(shape, row);
      return { key: keyText(document[shape.key]), document };
    });
  }

  // Reading (for the query layer and tests) --------------------------------------------------------

  /** All documents readers see for this shape, through the stable name, ordered by key. */
  async readActive(shape: TargetShape): Promise<ViewDocument[]> {
    const relational = relationalShape(shape.kind, shape);
    return this.readTable(relational, relational.table);
  }

  /**
   * Runs one read statement for the query API (written with `$n` placeholders, values always bound), on
   * this target's own connection: rows as the driver returns them, decode with `dialect.decode`.
   */
  async readRows(statement: SqlStatement): Promise<Record<string, unknown>[]> {
    return this.db.query(statement);
  }

  /** All documents of one generation's table, ordered by key. */
  async readGeneration(view: ViewRef): Promise<ViewDocument[]> {
    const shape = relationalShape(view.projection, view.shape);
    return this.readTable(shape, generationTableName(shape, view.generation));
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return classifyRelationalError(error);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  // Internals --------------------------------------------------------------------------------------

  private async readTable(shape: RelationalTargetShape, table: string): Promise<ViewDocument[]> {
    const columns = columnNames(shape).map((c) => this.dialect.quote(c));
    const rows = await this.db.query({
      sql: `SELECT ${columns.join(', ')} FROM ${this.db.t(table)} ORDER BY ${this.dialect.quote(shape.key)}`,
      params: [],
    });
    return rows.map((row) => this.decodeRow(shape, row));
  }

  private decodeRow(shape: RelationalTargetShape, row: Row): ViewDocument {
    const document: ViewDocument = {};
    for (const [name, column] of Object.entries(shape.columns)) {
      document[name] = this.dialect.decode(column.type, row[name]);
    }
    return document;
  }
}

function dataSourceOptions(config: RelationalTargetConfig, watch: ConnectionWatch): DataSourceOptions {
  if (config.kind === 'sqlite')
    return {
      type: 'better-sqlite3',
      database: config.file,
      enableWAL: true,
      // WAL + NORMAL survives a killed process (what the crash tests do); only power loss could
      // lose the last transactions, never leave a half-applied one.
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
    };
  const common = {
    type: 'postgres' as const,
    schema: config.schema ?? 'public',
    poolErrorHandler: (error: unknown) => watch.lost(error),
  };
  if ('pool' in config) return { ...common, driver: borrowedPoolDriver(config.pool, watch) };
  return {
    ...common,
    url: config.url,
    applicationName: 'prism-target',
    // TypeORM listens on a client only while a query runner holds it; every client listens for
    // its whole life, so a reset connection never crashes the process (issue #12 item 11).
    extra: { max: config.poolSize ?? 10, Client: guardedClientClass(watch) },
  };
}

/** Connections the target needs at once (see PoolTooSmallError). */
export const MIN_POOL_SIZE = 2;

/** Refuses a pool that would deadlock the first migration, before any connection is opened. */
function checkPoolSize(config: RelationalTargetConfig): void {
  if (config.kind !== 'postgres') return;
  if ('pool' in config) {
    // pg's Pool keeps its options (max defaults to 10); a structural pool without them is taken as is.
    const max = (config.pool as { options?: { max?: unknown } }).options?.max;
    if (typeof max === 'number' && max < MIN_POOL_SIZE)
      throw new PoolTooSmallError(max, MIN_POOL_SIZE, 'the given pool');
  } else if (config.poolSize !== undefined && config.poolSize < MIN_POOL_SIZE) {
    throw new PoolTooSmallError(config.poolSize, MIN_POOL_SIZE, 'poolSize');
  }
}

/** The last document operation per key wins (documents carry the whole new document). */
function collapse(
  projection: string,
  operations: readonly ViewOperation[],
): { puts: ViewDocument[]; deletes: string[] } {
  const last = new Map<string, ViewOperation>();
  for (const operation of operations) {
    if (operation.kind !== 'put' && operation.kind !== 'delete') {
      throw new Error(
        `Projection "${projection}" produced a ${operation.kind} operation, which a relational view cannot store; ` +
          'graph operations need a neo4j target.',
      );
    }
    last.delete(operation.key);
    last.set(operation.key, operation);
  }
  const puts: ViewDocument[] = [];
  const deletes: string[] = [];
  for (const operation of last.values()) {
    if (operation.kind === 'put') puts.push(operation.document);
    else if (operation.kind === 'delete') deletes.push(operation.key);
  }
  return { puts, deletes };
}

/** A scan page size as SQL text: a positive integer, never a parameter the caller could inject into. */
function pageLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`scan limit must be a positive integer, got ${limit}`);
  return limit;
}

/** A key column value as the string DocumentKey the plan uses. */
function keyText(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
