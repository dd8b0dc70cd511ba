import {
  BookkeepingSchemaTooNewError,
  migrateBookkeeping,
  MigrationListError,
  type Migration,
  type SchemaVersionStore,
} from './schema-migrations';

function store(recorded?: number): SchemaVersionStore & { version: number | undefined; locked: number } {
  const state = {
    version: recorded,
    locked: 0,
    description: 'the test store',
    async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
      state.locked += 1;
      return work();
    },
    readVersion: () => Promise.resolve(state.version),
    writeVersion: (version: number) => {
      state.version = Math.max(state.version ?? 0, version);
      return Promise.resolve();
    },
  };
  return state;
}

function migrations(count: number, log: string[]): Migration[] {
  return Array.from({ length: count }, (_, i) => ({
    version: i + 1,
    description: `step ${i + 1}`,
    up: () => Promise.resolve(void log.push(`up ${i + 1}`)),
  }));
}

describe('bookkeeping schema migrations', () => {
  it('applies every migration to a store without a recorded version, recording each', async () => {
    const log: string[] = [];
    const target = store();
    expect(await migrateBookkeeping(target, migrations(3, log))).toEqual([1, 2, 3]);
    expect(log).toEqual(['up 1', 'up 2', 'up 3']);
    expect(target.version).toBe(3);
    expect(target.locked).toBe(1);
  });

  it('applies only the missing ones, and nothing when the store is current', async () => {
    const log: string[] = [];
    expect(await migrateBookkeeping(store(1), migrations(3, log))).toEqual([2, 3]);
    expect(await migrateBookkeeping(store(3), migrations(3, log))).toEqual([]);
    expect(log).toEqual(['up 2', 'up 3']);
  });

  it('refuses a store written by a newer Prism, saying what to do, and touches nothing', async () => {
    const log: string[] = [];
    const newer = migrateBookkeeping(store(4), migrations(2, log));
    await expect(newer).rejects.toThrow(BookkeepingSchemaTooNewError);
    await expect(newer).rejects.toThrow(
      "Prism's bookkeeping in the test store has schema version 4, written by a newer Prism; this Prism knows versions up to 2",
    );
    expect(log).toEqual([]);
  });

  it('keeps the version of the last migration that succeeded when one fails', async () => {
    const target = store();
    const failing: Migration[] = [
      ...migrations(1, []),
      { version: 2, description: 'breaks', up: () => Promise.reject(new Error('disk full')) },
    ];
    await expect(migrateBookkeeping(target, failing)).rejects.toThrow('disk full');
    expect(target.version).toBe(1);
  });

  it('rejects a migration list that is not numbered 1, 2, 3, ...', async () => {
    const list = migrations(2, []).reverse();
    await expect(migrateBookkeeping(store(), list)).rejects.toThrow(MigrationListError);
  });
});
