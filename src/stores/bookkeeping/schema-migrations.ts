/**
 * Prism's own bookkeeping carries a schema version, recorded in each store beside the records, so a newer
 * Prism upgrades data written by an older one in place, and an older Prism refuses data it cannot read.
 *
 * A store lists its migrations (version 1 creates the layout Prism wrote before versions were recorded,
 * create-if-absent, so data written then needs nothing but the version record) and implements
 * `SchemaVersionStore`. `migrateBookkeeping` runs at every `Target.initialize`: it reads the recorded
 * version (none: 0), refuses a version newer than the code knows, and applies the missing migrations in
 * order, recording each. See README.md in this folder for how a later issue adds a migration.
 */

/** One forward step of a store's bookkeeping layout. */
export interface Migration {
  /** 1, 2, 3, ...: a store's migrations are numbered without gaps. */
  readonly version: number;
  /** What the step changes, for logs and the README. */
  readonly description: string;
  /**
   * Applies the step. Must be idempotent (create-if-absent, update-where-not-yet): stores without a lock
   * let two initializers run it at once, and a crash may leave it applied but not recorded.
   */
  up(): Promise<void>;
}

export interface SchemaVersionStore {
  /** Where the bookkeeping lives, for messages, e.g. `PostgreSQL schema "public"`. */
  readonly description: string;
  /**
   * Runs `work` holding the store's migration lock where it has one (PostgreSQL: an advisory lock), so
   * concurrent initializers migrate one after the other; stores without one run it as is.
   */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  /** The recorded version; undefined when none was recorded yet (new data, or written before versions). */
  readVersion(): Promise<number | undefined>;
  /** Records `version` unless a higher one is recorded already (never moves the version back). */
  writeVersion(version: number): Promise<void>;
}

/** The bookkeeping was written by a newer Prism than this one: refusing it keeps that data intact. */
export class BookkeepingSchemaTooNewError extends Error {
  override readonly name = 'BookkeepingSchemaTooNewError';
  constructor(
    readonly where: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `Prism's bookkeeping in ${where} has schema version ${found}, written by a newer Prism; this Prism ` +
        `knows versions up to ${known} and will not touch it. Run the newer Prism (or a later version of ` +
        'this one), or point this one at another schema, index prefix or label prefix.',
    );
  }
}

/** A store's migration list is not 1, 2, 3, ... (a programming error, caught by the unit tests). */
export class MigrationListError extends Error {
  override readonly name = 'MigrationListError';
}

/** The newest version a migration list reaches. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);
}

/**
 * Brings the store's bookkeeping to the newest version `migrations` know; returns the versions applied.
 * Idempotent; refuses (BookkeepingSchemaTooNewError) when the recorded version is newer.
 */
export async function migrateBookkeeping(
  store: SchemaVersionStore,
  migrations: readonly Migration[],
): Promise<number[]> {
  checkedList(migrations);
  const known = latestVersion(migrations);
  return store.withMigrationLock(async () => {
    const found = (await store.readVersion()) ?? 0;
    if (found > known) throw new BookkeepingSchemaTooNewError(store.description, found, known);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      await migration.up();
      await store.writeVersion(migration.version);
      applied.push(migration.version);
    }
    return applied;
  });
}

function checkedList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationListError(
        `Bookkeeping migration "${migration.description}" has version ${migration.version} at place ${index + 1}; ` +
          'number the migrations 1, 2, 3, ... in order.',
      );
    }
  });
}
