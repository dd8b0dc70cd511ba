/**
 * Thrown inside a `BookkeepingRecords.transaction` to roll it back and still return a typed result (a
 * checkpoint mismatch, an activation that is behind): outcomes are values, not exceptions, but the writes
 * made before the decision must not commit.
 */
export class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

/** Runs `work`; a Rollback it throws becomes its value (after the caller's transaction rolled back). */
export async function returningRollback<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
}
