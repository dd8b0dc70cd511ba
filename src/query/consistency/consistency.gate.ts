/**
 * Read-your-writes: a query carrying a token answers only once its view has processed the token's
 * position, waiting a bounded time, else NotYetConsistentError (503).
 *
 * "Processed `after`" means: every event at or below `after` THAT THIS PROJECTION READS has been applied.
 * The checkpoint alone cannot tell: a runner reads a filtered log (its event types and stream prefix), so
 * its checkpoint only ever lands on positions of its own events, and a token from a command whose events
 * the view does not read (or whose event is the last in the log) may lie beyond every checkpoint it will
 * ever reach. So when the checkpoint is below `after`, the gate asks the log, with the projection's own
 * filter, for the first event after the checkpoint: none at or below `after` means done; otherwise it
 * waits for the checkpoint to pass that event and asks again. That read is only trusted once the log's
 * visible head has reached `after` (PostgreSQL shows a prefix of the log; an event below `after` might
 * still be invisible to readers while an older transaction is in flight).
 *
 * A token the checkpoint already covers costs no I/O, so such reads keep working while the event store
 * is down; one that needs the log waits, and answers 503 if the store stays down.
 *
 * On a node that does not run the projection (an api node, issue #15), the checkpoint is the stored one:
 * the source's `readProgress` reads the view store's active generation and its checkpoint
 * (stored-checkpoints.ts), and waiting polls it.
 */
import type { LogFilter, EventLog } from '../../eventstore/event-store.port';
import type { ProjectionStatus } from '../../runtime/projection-status';
import type { ConsistencyToken } from './consistency-token';
import { NotYetConsistentError } from './consistency.errors';

/** The parts of the projection runtime the gate uses. */
export interface CheckpointSource {
  status(name: string): ProjectionStatus;
  waitForCheckpoint(name: string, position: bigint, timeoutMs: number): Promise<void>;
  /**
   * What readers of `name` see now, when not from `status` (a projection another node runs: the stored
   * checkpoint); undefined when nothing is applied yet.
   */
  readProgress?(name: string): Promise<ReadProgress | undefined>;
}

export interface ConsistencyGateOptions {
  /** The runtime once it runs (it starts in the background; it may not yet). */
  readonly runtime: () => Promise<CheckpointSource>;
  /** The log filter of a projection, undefined for a name that is no loaded projection. */
  readonly filterOf: (projection: string) => LogFilter | undefined;
  readonly store: Pick<EventLog, 'headPosition' | 'readAll'>;
  /** Upper bound of `?wait=` (PRISM_READ_WAIT_MAX_MS). */
  readonly maxWaitMs: number;
  /** How often to look again when there is nothing to wait on (the log not visible yet, a store error). */
  readonly pollMs?: number;
}

/** What the view had applied when the gate let a request through. */
export interface ReadProgress {
  readonly generation: number;
  readonly checkpoint: bigint;
}

const TIMED_OUT: unique symbol = Symbol('timed out');

export class ConsistencyGate {
  readonly maxWaitMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: ConsistencyGateOptions) {
    this.maxWaitMs = options.maxWaitMs;
    this.pollMs = options.pollMs ?? 50;
  }

  /**
   * Resolves once `view` has processed `token.after`; undefined for a name that is no loaded projection
   * (the query API answers that with its own 404).
   * @throws NotYetConsistentError when `token.waitMs` runs out first.
   */
  async wait(view: string, token: ConsistencyToken): Promise<ReadProgress | undefined> {
    const filter = this.options.filterOf(view);
    if (filter === undefined) return undefined;
    const started = Date.now();
    const deadline = started + token.waitMs;
    let runtime: CheckpointSource | undefined;
    let progress: ReadProgress | undefined;
    for (;;) {
      // The runtime starts in the background (its targets may be unreachable): until then, nothing counts.
      runtime ??= await beforeDeadline(this.options.runtime(), deadline).then(
        (found) => (found === TIMED_OUT ? undefined : found),
        () => undefined,
      );
      progress =
        runtime === undefined
          ? undefined
          : await beforeDeadline(progressOf(runtime, view), deadline).then(
              (found) => (found === TIMED_OUT ? undefined : found),
              () => undefined,
            );
      if (progress !== undefined && progress.checkpoint >= token.after) return progress;
      const next =
        progress === undefined
          ? 'unknown'
          : await beforeDeadline(this.nextToApply(filter, progress.checkpoint, token.after), deadline).catch(
              () => 'unknown' as const,
            );
      if (progress !== undefined && next === 'none') return progress;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      if (runtime !== undefined && typeof next === 'bigint') {
        // Resolves when the runner commits past `next`; a timeout or a stopped runner is looked at above.
        const waited = await runtime.waitForCheckpoint(view, next, remaining).then(
          () => true,
          () => false,
        );
        if (!waited && Date.now() < deadline) await delay(Math.min(this.pollMs, deadline - Date.now()));
      } else {
        await delay(Math.min(this.pollMs, remaining));
      }
    }
    throw new NotYetConsistentError(view, token.after, progress?.checkpoint ?? null, Date.now() - started, 1);
  }

  /**
   * The first event after `checkpoint` that the projection reads, if it is at or below `after`; 'none'
   * when there is none (everything it reads up to `after` is applied); 'unknown' while the log's visible
   * head is still below `after`.
   */
  private async nextToApply(
    filter: LogFilter,
    checkpoint: bigint,
    after: bigint,
  ): Promise<bigint | 'none' | 'unknown'> {
    // Head first: the visible prefix only grows, so the read below sees at least up to `after`.
    if ((await this.options.store.headPosition()) < after) return 'unknown';
    const [next] = await this.options.store.readAll({
      ...(checkpoint > 0n ? { after: checkpoint } : {}),
      maxCount: 1,
      filter,
    });
    return next === undefined || next.position > after ? 'none' : next.position;
  }
}

async function progressOf(runtime: CheckpointSource, view: string): Promise<ReadProgress | undefined> {
  if (runtime.readProgress !== undefined) return runtime.readProgress(view);
  try {
    const live = runtime.status(view).live;
    return live === null ? undefined : { generation: live.generation, checkpoint: live.checkpoint };
  } catch {
    // Not started in the runtime (yet): nothing applied that readers could rely on.
    return undefined;
  }
}

async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
