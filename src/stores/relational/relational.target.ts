/**
 * The relational target: views as tables in PostgreSQL (through TypeORM and node-postgres) or in an
 * embedded SQLite file (TypeORM's better-sqlite3 driver), with the same behaviour on both.
 *
 * - Each generation is its own table `<table>__g<N>`, created from the declared shape with TypeORM's
 *   schema builder (`QueryRunner.createTable`), and only ever created, written and dropped: never altered.
 * - Readers query `<table>`: a SQL view over the active generation, replaced inside the swap transaction.
 * - `commit` is one transaction: checkpoint compare-and-set first (it also serializes two runners of the
 *   same generation), then one bulk DELETE, one bulk upsert, and the parking rows.
 */
import { relationalStore } from './relational.store';
import { DataSource, type QueryRunner } from 'typeorm';
import { ConnectionWatch, type ConnectionLogger } from '../../core/connection-watch';
import { guardedClientClass } from '../../eventstore/postgres/guarded-pg-client';
import { describeServer } from '../../eventstore/postgres/postgres-errors';
import type { JsonObject, JsonValue } from '../../core/json';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import type { RelationalTargetShape } from './relational-view-shape';
import type {
  ActivateResult,
  CommitBatch,
  CommitResult,
  GenerationRecord,
  GenerationSpec,
  GenerationStatus,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ScannedDocument,
  ScanOptions,
  Target,
  ViewRef,
} from '../target.port';
import {
  bookkeepingTables,
  CHECKPOINTS_TABLE,
  GENERATIONS_TABLE,
  PARKED_TABLE,
  PROJECTIONS_TABLE,
  RESOLUTIONS_TABLE,
} from './bookkeeping.tables';
import { PostgresDialect } from './postgres.dialect';
import type { ParkedRow, RelationalDialect, SqlStatement } from './relational-dialect';
import { ViewNameClaimedError, ViewNameTakenError } from './relational.errors';
import {
  checkedIdentifier,
  columnNames,
  documentProblem,
  generationTable,
  generationTableName,
  relationalShape,
} from './relational-shape';
import { SqliteDialect } from './sqlite.dialect';
import { classifyRelationalError } from './relational-error-classifier';
import { decodeStoredEvent, encodeStoredEvent } from '../../eventstore/stored-event-json';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import { dropWholeProjection, type ProjectionDrop, type ProjectionDropOptions } from '../projection-drop';

export type RelationalTargetConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Schema for views and bookkeeping; created if missing. Default `public`. */
      readonly schema?: string;
      /** Connection pool size. Default 10. */
      readonly poolSize?: number;
      /** Where a lost and a regained connection are logged (once per outage). Default: the console. */
      readonly logger?: ConnectionLogger;
    }
  | { readonly kind: 'sqlite'; readonly file: string };

type Row = Record<string, unknown>;

interface Session {
  run(statement: SqlStatement): Promise<{ rows: Row[]; affected: number }>;
  readonly runner: QueryRunner;
}

/** Thrown inside a transaction to roll it back and still return a typed result. */
class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

/** Serializes access to the one SQLite connection, which TypeORM shares between all its query runners. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }
}

export class RelationalTarget implements Target {
  readonly kind = 'postgres';
  readonly capabilities = relationalStore.capabilities;
  private readonly mutex: Mutex | undefined;

  private constructor(
    readonly dataSource: DataSource,
    readonly dialect: RelationalDialect,
    /** The pool's lost and regained connection, logged once per outage. */
    private readonly watch: ConnectionWatch,
  ) {
    this.mutex = dialect.name === 'sqlite' ? new Mutex() : undefined;
  }

  /** Opens the database (PostgreSQL pool or SQLite file) and creates the bookkeeping tables. */
  static async connect(config: RelationalTargetConfig): Promise<RelationalTarget> {
    // SQLite is in-process: its watch never sees a lost connection.
    const watch =
      config.kind === 'postgres'
        ? new ConnectionWatch(`PostgreSQL view store at ${describeServer(config.url)}`, config.logger)
        : new ConnectionWatch(`SQLite view store at ${config.file}`);
    const dataSource =
      config.kind === 'postgres'
        ? new DataSource({
            type: 'postgres',
            url: config.url,
            schema: config.schema ?? 'public',
            applicationName: 'prism-target',
            // TypeORM listens on a client only while a query runner holds it; every client listens for
            // its whole life, so a reset connection never crashes the process (issue #12 item 11).
            extra: { max: config.poolSize ?? 10, Client: guardedClientClass(watch) },
            poolErrorHandler: (error: unknown) => watch.lost(error),
          })
        : new DataSource({
            type: 'better-sqlite3',
            database: config.file,
            enableWAL: true,
            // WAL + NORMAL survives a killed process (what the crash tests do); only power loss could
            // lose the last transactions, never leave a half-applied one.
            prepareDatabase: (db: { pragma(source: string): unknown }) => {
              db.pragma('synchronous = NORMAL');
              db.pragma('busy_timeout = 5000');
            },
          });
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

  async initialize(): Promise<void> {
    await this.transaction(async (session) => {
      if (this.dialect instanceof PostgresDialect) {
        // Two processes starting at once must not race on CREATE TABLE.
        await session.run({ sql: `SELECT pg_advisory_xact_lock(hashtext('prism_bookkeeping'))`, params: [] });
        await session.run({
          sql: `CREATE SCHEMA IF NOT EXISTS ${this.dialect.quote(this.dialect.schema)}`,
          params: [],
        });
      }
      for (const table of bookkeepingTables(this.dialect)) await session.runner.createTable(table, true);
    });
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(name: string): Promise<ProjectionRecord | undefined> {
    const rows = await this.query({
      sql: `SELECT name, active_generation, paused FROM ${this.t(PROJECTIONS_TABLE)} WHERE name = $1`,
      params: [name],
    });
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      name: String(row.name),
      activeGeneration: row.active_generation === null ? null : Number(row.active_generation),
      paused: row.paused === true || row.paused === 1,
    };
  }

  async listGenerations(projection: string): Promise<GenerationRecord[]> {
    const rows = await this.query({
      sql:
        `SELECT projection, generation, fingerprint, definition, shape, status, created_at ` +
        `FROM ${this.t(GENERATIONS_TABLE)} WHERE projection = $1 ORDER BY generation`,
      params: [projection],
    });
    return rows.map((row) => ({
      projection: String(row.projection),
      generation: Number(row.generation),
      fingerprint: String(row.fingerprint),
      definition: row.definition === null ? null : this.dialect.decodeJson(row.definition),
      shape: this.dialect.decodeJson(row.shape) as unknown as TargetShape,
      status: String(row.status) as GenerationStatus,
      createdAt: this.dialect.decodeTime(row.created_at),
    }));
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.query({
      sql:
        `INSERT INTO ${this.t(PROJECTIONS_TABLE)} (name, active_generation, paused, updated_at) VALUES ($1, NULL, $2, $3) ` +
        `ON CONFLICT (name) DO UPDATE SET paused = $2, updated_at = $3`,
      params: [name, paused, this.dialect.timeParam(new Date())],
    });
  }

  // Generations ------------------------------------------------------------------------------------

  async prepare(spec: GenerationSpec): Promise<void> {
    const shape = relationalShape(spec.projection, spec.shape);
    const table = generationTable(shape, spec.generation, {
      qualify: (name) => this.dialect.tablePath(name),
      columnType: (type) => this.dialect.columnType(type),
    });
    checkedIdentifier(shape.table);
    const now = this.dialect.timeParam(new Date());
    await this.transaction(async (session) => {
      const owners = await session.run({
        sql: `SELECT projection FROM ${this.t(GENERATIONS_TABLE)} WHERE view_name = $1 AND projection <> $2`,
        params: [shape.table, spec.projection],
      });
      const owner = owners.rows[0];
      if (owner !== undefined)
        throw new ViewNameClaimedError(shape.table, spec.projection, String(owner.projection));
      await session.run({
        sql:
          `INSERT INTO ${this.t(PROJECTIONS_TABLE)} (name, active_generation, paused, updated_at) ` +
          `VALUES ($1, NULL, $2, $3) ON CONFLICT (name) DO NOTHING`,
        params: [spec.projection, false, now],
      });
      await session.run({
        sql:
          `INSERT INTO ${this.t(GENERATIONS_TABLE)} (projection, generation, fingerprint, view_name, definition, shape, status, created_at) ` +
          `VALUES ($1, $2, $3, $7, $4, $5, 'building', $6) ON CONFLICT (projection, generation) DO NOTHING`,
        params: [
          spec.projection,
          spec.generation,
          spec.fingerprint,
          spec.definition === null ? null : this.dialect.jsonParam(spec.definition),
          this.dialect.jsonParam(shape as unknown as JsonValue),
          now,
          shape.table,
        ],
      });
      await session.run({
        sql:
          `INSERT INTO ${this.t(CHECKPOINTS_TABLE)} (projection, generation, position, updated_at) ` +
          `VALUES ($1, $2, $3, $4) ON CONFLICT (projection, generation) DO NOTHING`,
        params: [spec.projection, spec.generation, this.dialect.positionParam(0n), now],
      });
      await session.runner.createTable(table, true, false, true);
    });
  }

  async readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    const rows = await this.query({
      sql: `SELECT position FROM ${this.t(CHECKPOINTS_TABLE)} WHERE projection = $1 AND generation = $2`,
      params: [view.projection, view.generation],
    });
    return rows[0] === undefined ? undefined : this.dialect.decodePosition(rows[0].position);
  }

  async load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    const loaded = new Map<DocumentKey, LoadedDocument>();
    if (keys.length === 0) return loaded;
    const shape = relationalShape(view.projection, view.shape);
    const rows = await this.query(
      this.dialect.selectByKeys(generationTableName(shape, view.generation), shape, keys),
    );
    for (const row of rows) {
      const document = this.decodeRow(shape, row);
      loaded.set(keyText(document[shape.key]), { document });
    }
    return loaded;
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(relationalShape(view.projection, view.shape), document);
  }

  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    const shape = relationalShape(view.projection, view.shape);
    const table = generationTableName(shape, view.generation);
    const { puts, deletes } = collapse(view.projection, batch.operations);
    return this.transaction<CommitResult>(async (session) => {
      // Compare-and-set first: it takes the row lock, so a second runner of the same generation waits
      // here and then finds the checkpoint moved (marten's UpdateProjectionProgress, in our own words).
      const moved = await session.run({
        sql:
          `UPDATE ${this.t(CHECKPOINTS_TABLE)} SET position = $1, updated_at = $2 ` +
          `WHERE projection = $3 AND generation = $4 AND position = $5`,
        params: [
          this.dialect.positionParam(batch.checkpoint.to),
          this.dialect.timeParam(new Date()),
          view.projection,
          view.generation,
          this.dialect.positionParam(batch.checkpoint.from),
        ],
      });
      if (moved.affected !== 1) {
        const actual = await session.run({
          sql: `SELECT position FROM ${this.t(CHECKPOINTS_TABLE)} WHERE projection = $1 AND generation = $2`,
          params: [view.projection, view.generation],
        });
        const row = actual.rows[0];
        throw new Rollback<CommitResult>({
          kind: 'checkpoint-mismatch',
          actual: row === undefined ? undefined : this.dialect.decodePosition(row.position),
        });
      }
      if (deletes.length > 0) await session.run(this.dialect.deleteByKeys(table, shape, deletes));
      if (puts.length > 0) await session.run(this.dialect.upsertDocuments(table, shape, puts));
      if (batch.park !== undefined && batch.park.length > 0) {
        await session.run(this.dialect.upsertParked(PARKED_TABLE, batch.park.map(parkedRow)));
      }
      if (batch.release !== undefined && batch.release.length > 0) {
        await session.run(
          this.dialect.deleteParked(PARKED_TABLE, view.projection, view.generation, batch.release),
        );
      }
      for (const resolution of batch.resolve ?? []) {
        await session.run({
          sql:
            `INSERT INTO ${this.t(RESOLUTIONS_TABLE)} (projection, generation, position, action, checkpoint, resolved_at) ` +
            `VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (projection, generation, position) ` +
            `DO UPDATE SET action = $4, checkpoint = $5, resolved_at = $6`,
          params: [
            view.projection,
            view.generation,
            this.dialect.positionParam(resolution.position),
            resolution.action,
            this.dialect.positionParam(resolution.checkpoint),
            this.dialect.timeParam(resolution.resolvedAt),
          ],
        });
      }
      return { kind: 'committed', checkpoint: batch.checkpoint.to };
    });
  }

  async activate(view: ViewRef, options?: { readonly minCheckpoint?: bigint }): Promise<ActivateResult> {
    const shape = relationalShape(view.projection, view.shape);
    const physical = generationTableName(shape, view.generation);
    return this.transaction<ActivateResult>(async (session) => {
      // Re-check inside the swap, under the row lock, that the generation really reached the head.
      const checkpoint = await session.run({
        sql: `SELECT position FROM ${this.t(CHECKPOINTS_TABLE)} WHERE projection = $1 AND generation = $2 ${this.dialect.forUpdate}`,
        params: [view.projection, view.generation],
      });
      const row = checkpoint.rows[0];
      if (row === undefined) throw new UnknownGenerationError(view.projection, view.generation, 'postgres');
      const position = this.dialect.decodePosition(row.position);
      if (options?.minCheckpoint !== undefined && position < options.minCheckpoint) {
        throw new Rollback<ActivateResult>({ kind: 'behind', checkpoint: position });
      }
      const active = await session.run({
        sql: `SELECT generation, shape FROM ${this.t(GENERATIONS_TABLE)} WHERE projection = $1 AND status = 'active'`,
        params: [view.projection],
      });
      const previousRow = active.rows[0];
      const previous =
        previousRow === undefined
          ? undefined
          : {
              generation: Number(previousRow.generation),
              shape: this.dialect.decodeJson(previousRow.shape) as unknown as RelationalTargetShape,
            };
      const existing = await session.run(this.dialect.relationKind(shape.table));
      if (existing.rows[0]?.kind === 'table') throw new ViewNameTakenError(shape.table);
      if (previous !== undefined && previous.shape.table !== shape.table) {
        await session.run({ sql: `DROP VIEW IF EXISTS ${this.t(previous.shape.table)}`, params: [] });
      }
      const columns = columnNames(shape);
      const replace = this.dialect.replaceView(shape.table, physical, columns);
      if (replace !== undefined && previous !== undefined && sameColumns(previous.shape, shape)) {
        await session.run({ sql: replace, params: [] });
      } else {
        await session.run({ sql: `DROP VIEW IF EXISTS ${this.t(shape.table)}`, params: [] });
        await session.run({
          sql: `CREATE VIEW ${this.t(shape.table)} AS SELECT ${columns.map((c) => this.dialect.quote(c)).join(', ')} FROM ${this.t(physical)}`,
          params: [],
        });
      }
      await session.run({
        sql: `UPDATE ${this.t(GENERATIONS_TABLE)} SET status = 'retired' WHERE projection = $1 AND status = 'active' AND generation <> $2`,
        params: [view.projection, view.generation],
      });
      await session.run({
        sql: `UPDATE ${this.t(GENERATIONS_TABLE)} SET status = 'active' WHERE projection = $1 AND generation = $2`,
        params: [view.projection, view.generation],
      });
      await session.run({
        sql:
          `INSERT INTO ${this.t(PROJECTIONS_TABLE)} (name, active_generation, paused, updated_at) VALUES ($1, $2, $3, $4) ` +
          `ON CONFLICT (name) DO UPDATE SET active_generation = $2, updated_at = $4`,
        params: [view.projection, view.generation, false, this.dialect.timeParam(new Date())],
      });
      return {
        kind: 'activated',
        previous:
          previous !== undefined && previous.generation !== view.generation ? previous.generation : null,
      };
    });
  }

  async drop(view: ViewRef): Promise<void> {
    const shape = relationalShape(view.projection, view.shape);
    const physical = generationTableName(shape, view.generation);
    await this.transaction(async (session) => {
      const status = await session.run({
        sql: `SELECT status FROM ${this.t(GENERATIONS_TABLE)} WHERE projection = $1 AND generation = $2`,
        params: [view.projection, view.generation],
      });
      if (status.rows[0]?.status === 'active')
        throw new ActiveGenerationDropError(view.projection, view.generation);
      await session.run({ sql: `DROP TABLE IF EXISTS ${this.t(physical)}`, params: [] });
      for (const table of [CHECKPOINTS_TABLE, PARKED_TABLE, RESOLUTIONS_TABLE, GENERATIONS_TABLE]) {
        await session.run({
          sql: `DELETE FROM ${this.t(table)} WHERE projection = $1 AND generation = $2`,
          params: [view.projection, view.generation],
        });
      }
    });
  }

  async scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const shape = relationalShape(view.projection, view.shape);
    const key = this.dialect.quote(shape.key);
    const columns = columnNames(shape).map((c) => this.dialect.quote(c));
    // The cursor is the key's string form; CAST gives it the key column's type (same SQL on both dialects).
    const keyType = this.dialect.columnType(shape.columns[shape.key]?.type ?? 'text');
    const rows = await this.query({
      sql:
        `SELECT ${columns.join(', ')} FROM ${this.t(generationTableName(shape, view.generation))} ` +
        `${options.after === undefined ? '' : `WHERE ${key} > CAST($1 AS ${keyType}) `}` +
        `ORDER BY ${key} LIMIT ${pageLimit(options.limit)}`,
      params: options.after === undefined ? [] : [options.after],
    });
    return rows.map((row) => {
      const document = this.decodeRow(shape, row);
      return { key: keyText(document[shape.key]), document };
    });
  }

  // Parking ----------------------------------------------------------------------------------------

  async listParked(view: ViewRef): Promise<ParkedEvent[]> {
    const rows = await this.query({
      sql:
        `SELECT projection, generation, position, stream_id, event_type, event, keys, reason, status, parked_at ` +
        `FROM ${this.t(PARKED_TABLE)} WHERE projection = $1 AND generation = $2 ORDER BY position`,
      params: [view.projection, view.generation],
    });
    return rows.map((row) => ({
      projection: String(row.projection),
      generation: Number(row.generation),
      position: this.dialect.decodePosition(row.position),
      streamId: String(row.stream_id),
      eventType: String(row.event_type),
      event: decodeStoredEvent(this.dialect.decodeJson(row.event) as JsonObject),
      keys: this.dialect.decodeJson(row.keys) as string[],
      reason: String(row.reason),
      status: String(row.status) as 'parked' | 'held',
      parkedAt: this.dialect.decodeTime(row.parked_at),
    }));
  }

  async listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    const rows = await this.query({
      sql:
        `SELECT position, action, checkpoint, resolved_at FROM ${this.t(RESOLUTIONS_TABLE)} ` +
        `WHERE projection = $1 AND generation = $2 ORDER BY checkpoint, resolved_at, position`,
      params: [view.projection, view.generation],
    });
    return rows.map((row) => ({
      position: this.dialect.decodePosition(row.position),
      action: row.action === 'discarded' ? 'discarded' : 'replayed',
      checkpoint: this.dialect.decodePosition(row.checkpoint),
      resolvedAt: this.dialect.decodeTime(row.resolved_at),
    }));
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
    return this.query(statement);
  }

  /** All documents of one generation's table, ordered by key. */
  async readGeneration(view: ViewRef): Promise<ViewDocument[]> {
    const shape = relationalShape(view.projection, view.shape);
    return this.readTable(shape, generationTableName(shape, view.generation));
  }

  // Retiring a projection (see ../projection-drop.ts) ----------------------------------------------

  async listProjections(): Promise<ProjectionRecord[]> {
    const rows = await this.query({
      sql: `SELECT name, active_generation, paused FROM ${this.t(PROJECTIONS_TABLE)} ORDER BY name`,
      params: [],
    });
    return rows.map((row) => ({
      name: String(row.name),
      activeGeneration: row.active_generation === null ? null : Number(row.active_generation),
      paused: row.paused === true || row.paused === 1,
    }));
  }

  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop> {
    const table = (g: GenerationRecord) => relationalShape(projection, g.shape).table;
    return dropWholeProjection(this, projection, options, {
      physicalNames: (g) => [generationTableName(relationalShape(projection, g.shape), g.generation)],
      readNames: (active) => (active === undefined ? [] : [table(active)]),
      // The read view goes, the registry no longer names an active generation, and none is `active`.
      deactivate: (name, generations) =>
        this.transaction(async (session) => {
          for (const g of generations.filter((g) => g.status === 'active'))
            await session.run({ sql: `DROP VIEW IF EXISTS ${this.t(table(g))}`, params: [] });
          await session.run({
            sql: `UPDATE ${this.t(PROJECTIONS_TABLE)} SET active_generation = NULL WHERE name = $1`,
            params: [name],
          });
          await session.run({
            sql: `UPDATE ${this.t(GENERATIONS_TABLE)} SET status = 'retired' WHERE projection = $1 AND status = 'active'`,
            params: [name],
          });
        }),
      // The view-name claims are the generation rows, which `drop` removed.
      forget: async (name) => {
        await this.query({ sql: `DELETE FROM ${this.t(PROJECTIONS_TABLE)} WHERE name = $1`, params: [name] });
      },
    });
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
    const rows = await this.query({
      sql: `SELECT ${columns.join(', ')} FROM ${this.t(table)} ORDER BY ${this.dialect.quote(shape.key)}`,
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

  private t(name: string): string {
    return this.dialect.qualify(name);
  }

  private async query(statement: SqlStatement): Promise<Row[]> {
    return this.withSession(false, async (session) => (await session.run(statement)).rows);
  }

  private async transaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return this.withSession(true, work);
  }

  private async withSession<T>(transactional: boolean, work: (session: Session) => Promise<T>): Promise<T> {
    const release = await this.mutex?.acquire();
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      if (transactional) await runner.startTransaction();
      const session: Session = {
        runner,
        run: async (statement) => {
          const prepared = this.dialect.prepare(statement);
          const result = (await runner.query(prepared.sql, [...prepared.params], true)) as {
            records?: Row[];
            affected?: number;
          };
          return { rows: result.records ?? [], affected: result.affected ?? 0 };
        },
      };
      try {
        const result = await work(session);
        if (transactional) await runner.commitTransaction();
        this.watch.reached();
        return result;
      } catch (error) {
        if (transactional && runner.isTransactionActive)
          await runner.rollbackTransaction().catch(() => undefined);
        if (error instanceof Rollback) return error.value as T;
        throw error;
      }
    } finally {
      await runner.release();
      release?.();
    }
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

function sameColumns(a: RelationalTargetShape, b: RelationalTargetShape): boolean {
  const left = columnNames(a).map((c) => `${c}:${a.columns[c]?.type}`);
  const right = columnNames(b).map((c) => `${c}:${b.columns[c]?.type}`);
  return left.length === right.length && left.every((column, i) => column === right[i]);
}

function parkedRow(parked: ParkedEvent): ParkedRow {
  return {
    projection: parked.projection,
    generation: parked.generation,
    position: parked.position.toString(),
    stream_id: parked.streamId,
    event_type: parked.eventType,
    event: encodeStoredEvent(parked.event),
    keys: parked.keys,
    reason: parked.reason,
    status: parked.status,
    parked_at: parked.parkedAt.toISOString(),
  };
}
