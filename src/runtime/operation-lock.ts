/**
 * Serializes the operations that change one projection's generations (start, rebuild, pause, resume,
 * the rebuild swap): each runs alone, in arrival order, per projection. Issue #12: ten simultaneous
 * rebuild requests each passed the "already rebuilding?" check before any of them had prepared its
 * generation, and left hidden runners filling generations nobody would ever see.
 *
 * `ProjectionOperationLock` is the seam: this process's lock is `InProcessOperationLock`; a lock that also
 * holds across processes (a database advisory lock, a lease row) implements the same interface and is
 * given to the runtime instead.
 */

export interface ProjectionOperationLock {
  /** Runs `operation` once every operation queued before it on `projection` has settled. */
  run<T>(projection: string, operation: () => Promise<T>): Promise<T>;
}

export class InProcessOperationLock implements ProjectionOperationLock {
  /** The tail of each projection's queue; removed once the queue is empty. */
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(projection: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(projection) ?? Promise.resolve();
    // A failed operation does not block the ones behind it.
    const result = previous.catch(() => undefined).then(operation);
    const tail = result.catch(() => undefined);
    this.tails.set(projection, tail);
    void tail.then(() => {
      if (this.tails.get(projection) === tail) this.tails.delete(projection);
    });
    return result;
  }

  /** Projections with an operation running or queued (tests). */
  get busy(): string[] {
    return [...this.tails.keys()];
  }
}
