/**
 * Lookups (correlation state, src/core/lookups.ts) of relational generations: one table per generation,
 * `<table>__g<N>__lk (lookup, key, value, position)`, written inside the commit's transaction (with the
 * view's rows and the checkpoint) and dropped with the generation's table. The table is created by the
 * first commit that writes an entry, in that transaction, so a projection without lookups never has one.
 * An entry is replaced only by a write of an equal or later position (the upsert's WHERE).
 */
import type { JsonValue } from '../../core/json';
import type { LookupEntryRef, LookupWrite, StoredLookupEntry, StoredLookups } from '../../core/lookups';
import type { ViewRef } from '../target.port';
import type { RelationalDatabase, Session } from './relational-database';
import { generationTableName, relationalShape } from './relational-shape';

/** Rows per INSERT (4 parameters each, well below PostgreSQL's 65,535 and SQLite's 32,766). */
const WRITE_CHUNK = 2_000;
/** Keys per SELECT. */
const READ_CHUNK = 1_000;

export class RelationalLookups {
  /** Lookup tables known to exist (created or seen by this process). */
  private readonly known = new Set<string>();

  constructor(private readonly db: RelationalDatabase) {}

  tableName(view: Pick<ViewRef, 'projection' | 'shape' | 'generation'>): string {
    return `${generationTableName(relationalShape(view.projection, view.shape), view.generation)}__lk`;
  }

  async load(view: ViewRef, refs: readonly LookupEntryRef[]): Promise<StoredLookups> {
    const loaded = new Map<string, Map<string, StoredLookupEntry>>();
    const table = this.tableName(view);
    if (refs.length === 0 || !(await this.exists(table))) return loaded;
    const byLookup = new Map<string, string[]>();
    for (const { lookup, key } of refs) {
      if (!byLookup.has(lookup)) byLookup.set(lookup, []);
      byLookup.get(lookup)!.push(key);
    }
    const { dialect } = this.db;
    for (const [lookup, keys] of byLookup) {
      for (let i = 0; i < keys.length; i += READ_CHUNK) {
        const chunk = keys.slice(i, i + READ_CHUNK);
        const rows = await this.db.query({
          sql:
            `SELECT ${this.columns()} FROM ${this.db.t(table)} WHERE lookup = $1 AND ${dialect.quote('key')} IN ` +
            `(${chunk.map((_, j) => `$${j + 2}`).join(', ')})`,
          params: [lookup, ...chunk],
        });
        for (const row of rows) this.add(loaded, row);
      }
    }
    return loaded;
  }

  async scan(view: ViewRef): Promise<StoredLookups> {
    const loaded = new Map<string, Map<string, StoredLookupEntry>>();
    const table = this.tableName(view);
    if (!(await this.exists(table))) return loaded;
    const rows = await this.db.query({
      sql: `SELECT ${this.columns()} FROM ${this.db.t(table)}`,
      params: [],
    });
    for (const row of rows) this.add(loaded, row);
    return loaded;
  }

  /** Inside the commit's transaction. Returns the table to remember as created once it commits. */
  async write(session: Session, view: ViewRef, writes: readonly LookupWrite[]): Promise<string | undefined> {
    if (writes.length === 0) return undefined;
    const { dialect } = this.db;
    const table = this.tableName(view);
    const t = this.db.t(table);
    if (!this.known.has(table)) {
      await session.run({
        sql:
          `CREATE TABLE IF NOT EXISTS ${t} (lookup ${dialect.bookkeepingType('text')} NOT NULL, ` +
          `${dialect.quote('key')} ${dialect.bookkeepingType('text')} NOT NULL, ` +
          `${dialect.quote('value')} ${dialect.bookkeepingType('json')}, ` +
          `${dialect.quote('position')} ${dialect.bookkeepingType('bigint')} NOT NULL, ` +
          `PRIMARY KEY (lookup, ${dialect.quote('key')}))`,
        params: [],
      });
    }
    const [key, value, position] = ['key', 'value', 'position'].map((c) => dialect.quote(c));
    for (let i = 0; i < writes.length; i += WRITE_CHUNK) {
      const chunk = writes.slice(i, i + WRITE_CHUNK);
      const params: unknown[] = [];
      const rows = chunk.map((write) => {
        // wrapped in an object: a bare JSON string would come back from jsonb indistinguishable from JSON text
        params.push(
          write.lookup,
          write.key,
          dialect.jsonParam({ v: write.value }),
          dialect.positionParam(write.position),
        );
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await session.run({
        sql:
          `INSERT INTO ${t} (lookup, ${key}, ${value}, ${position}) VALUES ${rows.join(', ')} ` +
          `ON CONFLICT (lookup, ${key}) DO UPDATE SET ${value} = excluded.${value}, ${position} = excluded.${position} ` +
          `WHERE ${t}.${position} <= excluded.${position}`,
        params,
      });
    }
    return table;
  }

  /** After the transaction that created it committed. */
  created(table: string | undefined): void {
    if (table !== undefined) this.known.add(table);
  }

  /** DROP TABLE IF EXISTS, in the drop's session when it has one. */
  async drop(view: ViewRef, session?: Session): Promise<void> {
    const table = this.tableName(view);
    const statement = { sql: `DROP TABLE IF EXISTS ${this.db.t(table)}`, params: [] };
    if (session === undefined) await this.db.query(statement);
    else await session.run(statement);
    this.known.delete(table);
  }

  private async exists(table: string): Promise<boolean> {
    if (this.known.has(table)) return true;
    const rows = await this.db.query(this.db.dialect.relationKind(table));
    if (rows.length > 0) this.known.add(table);
    return rows.length > 0;
  }

  private columns(): string {
    const { dialect } = this.db;
    return ['lookup', 'key', 'value', 'position'].map((c) => dialect.quote(c)).join(', ');
  }

  private add(loaded: Map<string, Map<string, StoredLookupEntry>>, row: Record<string, unknown>): void {
    const lookup = String(row.lookup);
    if (!loaded.has(lookup)) loaded.set(lookup, new Map());
    loaded.get(lookup)!.set(String(row.key), {
      value: (this.db.dialect.decodeJson(row.value) as { v: JsonValue }).v,
      position: this.db.dialect.decodePosition(row.position),
    });
  }
}
