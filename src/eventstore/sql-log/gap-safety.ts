/**
 * The horizon: the highest position below which no row can still appear. Readers of the table log see
 * only rows at or below it, so a checkpoint never moves past a position a slower writer will commit later.
 * Why a plain `position > checkpoint` reader loses events, and what each mode asks of the writers and
 * costs in latency: README.md in this folder ("Gap safety").
 *
 * A horizon only ever grows. Refreshes must not overlap (writer-locks compares the lock table of one
 * refresh with the next): the adapter runs one at a time.
 */
import type { SqlLogPool } from './sql-log-catalog';
import type { SqlLogQueries } from './sql-log-queries';

export interface Horizon {
  /** Reads the database and returns the current horizon (0n while nothing is safe yet). */
  refresh(db: SqlLogPool): Promise<bigint>;
}

function headOf(value: string | null | undefined): bigint {
  return value === null || value === undefined ? 0n : BigInt(value);
}

/** commit-ordered: the writer guarantees rows become visible in position order, so the head is safe. */
export class CommitOrderedHorizon implements Horizon {
  constructor(private readonly queries: SqlLogQueries) {}

  async refresh(db: SqlLogPool): Promise<bigint> {
    const { text, values } = this.queries.head();
    const result = await db.query<{ head: string | null }>(text, values);
    return headOf(result.rows[0]?.head);
  }
}

/**
 * writer-locks, in two phases. One statement reads the head H (from its snapshot) and then, from the lock
 * table, the transactions W writing to the table at that moment. A row below H that is not visible yet
 * was given its position before H's was, by a transaction that held its write lock from before drawing
 * the position until it ends: so it is in W, or has ended and is visible to any later snapshot. Once
 * every transaction of W has ended (none of them holds the lock any more), H is safe.
 */
export class WriterLocksHorizon implements Horizon {
  private safe = 0n;
  private pending: { readonly head: bigint; readonly writers: ReadonlySet<string> } | undefined;

  constructor(private readonly queries: SqlLogQueries) {}

  async refresh(db: SqlLogPool): Promise<bigint> {
    const { text, values } = this.queries.headAndWriters();
    const result = await db.query<{ head: string | null; writers: string[] }>(text, values);
    const row = result.rows[0];
    return this.advance(headOf(row?.head), new Set(row?.writers ?? []));
  }

  /** One refresh's observation: the head and the transactions writing right after it was read. */
  advance(head: bigint, writers: ReadonlySet<string>): bigint {
    const pending = this.pending;
    if (pending !== undefined && ![...pending.writers].some((writer) => writers.has(writer))) {
      if (pending.head > this.safe) this.safe = pending.head;
      this.pending = undefined;
    }
    if (this.pending === undefined && head > this.safe) {
      if (writers.size === 0) this.safe = head;
      else this.pending = { head, writers };
    }
    return this.safe;
  }

  /** The transactions the next step waits for (for tests and diagnostics). */
  get waitingFor(): readonly string[] {
    return [...(this.pending?.writers ?? [])];
  }
}

/**
 * delay: a head becomes safe `delayMs` after a refresh first saw it (the time taken after the read came
 * back, so never early). Safe when no writer takes longer than the delay from drawing a position to commit.
 */
export class DelayHorizon implements Horizon {
  private safe = 0n;
  /** Heads not yet safe, oldest first, each with when it was first seen. */
  private readonly seen: { readonly at: number; readonly head: bigint }[] = [];

  constructor(
    private readonly queries: SqlLogQueries,
    private readonly delayMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async refresh(db: SqlLogPool): Promise<bigint> {
    const { text, values } = this.queries.head();
    const result = await db.query<{ head: string | null }>(text, values);
    return this.advance(headOf(result.rows[0]?.head), this.now());
  }

  advance(head: bigint, at: number): bigint {
    const newest = this.seen.at(-1)?.head ?? this.safe;
    if (head > newest) this.seen.push({ at, head });
    while (this.seen.length > 0 && this.seen[0]!.at + this.delayMs <= this.now()) {
      this.safe = this.seen.shift()!.head;
    }
    return this.safe;
  }
}
