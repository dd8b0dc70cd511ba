/**
 * The physical side of relational generations (ViewStorage, see ../bookkeeping/bookkeeping.port.ts):
 *
 * - each generation is its own table `<table>__g<N>`, created from the declared shape with TypeORM's
 *   schema builder (`QueryRunner.createTable`), and only ever created, written and dropped: never altered;
 * - readers query `<table>`: a SQL view over the active generation, replaced inside the swap transaction.
 */
import type { RelationalTargetShape } from './relational-view-shape';
import type { StoredGeneration, ViewStorage } from '../bookkeeping/bookkeeping.port';
import type { GenerationSpec, ViewRef } from '../target.port';
import type { RelationalDatabase, Session } from './relational-database';
import type { RelationalLookups } from './relational-lookups';
import { ViewNameClaimedError, ViewNameTakenError } from './relational.errors';
import {
  checkedIdentifier,
  columnNames,
  generationTable,
  generationTableName,
  relationalShape,
} from './relational-shape';

export class RelationalStorage implements ViewStorage<Session> {
  readonly kind = 'postgres';

  constructor(
    private readonly db: RelationalDatabase,
    private readonly lookups: RelationalLookups,
  ) {}

  recorded(spec: GenerationSpec) {
    const shape = relationalShape(spec.projection, spec.shape);
    this.table(spec); // checks the columns and indexes before anything is written
    checkedIdentifier(shape.table);
    return { shape, names: [shape.table] };
  }

  claimedError(spec: GenerationSpec, owner: string, names: readonly string[]): Error {
    return new ViewNameClaimedError(names[0] ?? '', spec.projection, owner);
  }

  async createStorage(spec: GenerationSpec): Promise<void> {
    const table = this.table(spec);
    await this.db.transaction((session) => session.runner.createTable(table, true, false, true));
  }

  async swapReaders(session: Session, view: ViewRef, previous: StoredGeneration | undefined): Promise<void> {
    const { dialect } = this.db;
    const shape = relationalShape(view.projection, view.shape);
    const physical = generationTableName(shape, view.generation);
    const before = previous?.shape as RelationalTargetShape | undefined;
    const existing = await session.run(dialect.relationKind(shape.table));
    if (existing.rows[0]?.kind === 'table') throw new ViewNameTakenError(shape.table);
    if (before !== undefined && before.table !== shape.table) {
      await session.run({ sql: `DROP VIEW IF EXISTS ${this.db.t(before.table)}`, params: [] });
    }
    const columns = columnNames(shape);
    const replace = dialect.replaceView(shape.table, physical, columns);
    // In place only when the view as it stands has these columns in this order: a stored shape comes back
    // from jsonb with its columns reordered, so the shapes alone cannot tell (a node resuming a generation
    // another node prepared holds the stored one; issue #15).
    const viewColumns = dialect.viewColumns?.(shape.table);
    const current =
      viewColumns === undefined
        ? columns
        : (await session.run(viewColumns)).rows.map((row) => String(row.name));
    const sameOrder = current.length === columns.length && current.every((name, i) => name === columns[i]);
    if (replace !== undefined && before !== undefined && sameColumns(before, shape) && sameOrder) {
      await session.run({ sql: replace, params: [] });
    } else {
      await session.run({ sql: `DROP VIEW IF EXISTS ${this.db.t(shape.table)}`, params: [] });
      await session.run({
        sql: `CREATE VIEW ${this.db.t(shape.table)} AS SELECT ${columns.map((c) => dialect.quote(c)).join(', ')} FROM ${this.db.t(physical)}`,
        params: [],
      });
    }
  }

  physicalNames(generation: GenerationSpec): string[] {
    const shape = relationalShape(generation.projection, generation.shape);
    return [generationTableName(shape, generation.generation)];
  }

  readNames(active: GenerationSpec | undefined): string[] {
    return active === undefined ? [] : [relationalShape(active.projection, active.shape).table];
  }

  async removeReaders(session: Session, active: readonly GenerationSpec[]): Promise<void> {
    for (const table of active.flatMap((g) => this.readNames(g)))
      await session.run({ sql: `DROP VIEW IF EXISTS ${this.db.t(table)}`, params: [] });
  }

  /** DROP TABLE is transactional: the table goes with its records, in one transaction. */
  readonly dropsInTransaction = true;

  async dropStorage(view: ViewRef, session?: Session): Promise<void> {
    const physical = generationTableName(relationalShape(view.projection, view.shape), view.generation);
    const statement = { sql: `DROP TABLE IF EXISTS ${this.db.t(physical)}`, params: [] };
    if (session === undefined) await this.db.query(statement);
    else await session.run(statement);
    // the generation's lookup entries go with it (relational-lookups.ts)
    await this.lookups.drop(view, session);
  }

  private table(spec: GenerationSpec) {
    return generationTable(relationalShape(spec.projection, spec.shape), spec.generation, {
      qualify: (name) => this.db.dialect.tablePath(name),
      columnType: (type) => this.db.dialect.columnType(type),
    });
  }
}

function sameColumns(a: RelationalTargetShape, b: RelationalTargetShape): boolean {
  const left = columnNames(a).map((c) => `${c}:${a.columns[c]?.type}`);
  const right = columnNames(b).map((c) => `${c}:${b.columns[c]?.type}`);
  return left.length === right.length && left.every((column, i) => column === right[i]);
}
