/**
 * The schema version of the relational bookkeeping and its migrations (see ../bookkeeping/README.md).
 *
 *   prism_schema_version   one row per component (`bookkeeping`): the version its tables are at
 *
 * The version table is the one fixed point: created if missing before the version is read, never
 * migrated. On PostgreSQL the whole upgrade holds an advisory lock (the same key the bookkeeping
 * initialization of earlier versions took), so concurrent initializers migrate one after the other.
 * SQLite serializes writers itself, and every migration is idempotent.
 */
import { Table } from 'typeorm';
import type { Migration, SchemaVersionStore } from '../bookkeeping/schema-migrations';
import { bookkeepingTables, CHECKPOINTS_TABLE } from './bookkeeping.tables';
import type { RelationalDatabase } from './relational-database';
import { PostgresDialect } from './postgres.dialect';

export const SCHEMA_VERSION_TABLE = 'prism_schema_version';
const COMPONENT = 'bookkeeping';
const LOCK_KEY = 'prism_bookkeeping';

/** The migrations of the relational bookkeeping, oldest first (version 1: the layout of Prism 0.1). */
export function relationalMigrations(db: RelationalDatabase): Migration[] {
  return [
    {
      version: 1,
      description:
        'registry, generations, checkpoints, parked events and parking resolutions (the tables Prism wrote before versions were recorded)',
      up: () =>
        db.transaction(async (session) => {
          for (const table of bookkeepingTables(db.dialect)) await session.runner.createTable(table, true);
        }),
    },
    {
      version: 2,
      description:
        'the checkpoint fence (issue #15): prism_checkpoints.fence, the lease epoch of the last writer that carried one (0 for existing checkpoints)',
      up: () =>
        addColumn(
          db,
          CHECKPOINTS_TABLE,
          'fence',
          `${db.dialect.bookkeepingType('bigint')} NOT NULL DEFAULT 0`,
        ),
    },
  ];
}

/**
 * Adds a column unless the table has it. PostgreSQL says so in the statement; SQLite has no `ADD COLUMN IF
 * NOT EXISTS`, so the table is asked first (TypeORM's own `addColumn` would copy the whole table there).
 * A constant default makes it a catalog change on PostgreSQL 11+, whatever the table's size.
 */
async function addColumn(
  db: RelationalDatabase,
  table: string,
  column: string,
  definition: string,
): Promise<void> {
  await db.transaction(async (session) => {
    const postgres = db.dialect instanceof PostgresDialect;
    if (!postgres && (await session.runner.hasColumn(db.dialect.tablePath(table), column))) return;
    await session.run({
      sql: `ALTER TABLE ${db.t(table)} ADD COLUMN ${postgres ? 'IF NOT EXISTS ' : ''}${db.dialect.quote(column)} ${definition}`,
      params: [],
    });
  });
}

export class RelationalSchemaVersion implements SchemaVersionStore {
  constructor(private readonly db: RelationalDatabase) {}

  get description(): string {
    const dialect = this.db.dialect;
    return dialect instanceof PostgresDialect
      ? `the PostgreSQL schema "${dialect.schema}"`
      : 'the SQLite database';
  }

  async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    if (!(this.db.dialect instanceof PostgresDialect)) {
      await this.createVersionTable();
      return work();
    }
    // A session-level lock on a connection of its own: the migrations run in transactions of their own.
    return this.db.session(async (lock) => {
      await lock.run({ sql: `SELECT pg_advisory_lock(hashtext($1))`, params: [LOCK_KEY] });
      try {
        await this.createVersionTable();
        return await work();
      } finally {
        await lock.run({ sql: `SELECT pg_advisory_unlock(hashtext($1))`, params: [LOCK_KEY] });
      }
    });
  }

  async readVersion(): Promise<number | undefined> {
    const rows = await this.db.query({
      sql: `SELECT version FROM ${this.db.t(SCHEMA_VERSION_TABLE)} WHERE component = $1`,
      params: [COMPONENT],
    });
    return rows[0] === undefined ? undefined : Number(rows[0].version);
  }

  async writeVersion(version: number): Promise<void> {
    const table = this.db.t(SCHEMA_VERSION_TABLE);
    await this.db.query({
      sql:
        `INSERT INTO ${table} (component, version, updated_at) VALUES ($1, $2, $3) ` +
        `ON CONFLICT (component) DO UPDATE SET version = $2, updated_at = $3 WHERE ${this.db.dialect.quote(SCHEMA_VERSION_TABLE)}.version < $2`,
      params: [COMPONENT, version, this.db.dialect.timeParam(new Date())],
    });
  }

  private async createVersionTable(): Promise<void> {
    const dialect = this.db.dialect;
    await this.db.transaction(async (session) => {
      if (dialect instanceof PostgresDialect) {
        await session.run({
          sql: `CREATE SCHEMA IF NOT EXISTS ${dialect.quote(dialect.schema)}`,
          params: [],
        });
      }
      const table = new Table({
        name: dialect.tablePath(SCHEMA_VERSION_TABLE),
        columns: [
          { name: 'component', type: dialect.bookkeepingType('text'), isPrimary: true },
          { name: 'version', type: dialect.bookkeepingType('integer') },
          { name: 'updated_at', type: dialect.bookkeepingType('time') },
        ],
      });
      await session.runner.createTable(table, true);
    });
  }
}
