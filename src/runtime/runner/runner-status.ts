/**
 * What a runner reports: where it is (checkpoint, head), how fast it moves, what it parked and held, its
 * last error, and why it is stalled if it is (issue #12 item 12). The other parts tell it what happened (a
 * commit, a head read, a failure); `report` (the runner's status()) and the progress log read it. Waits for
 * a checkpoint (tests, read-your-writes) are resolved here, as commits move it.
 */
import type { StoredEvent } from '../../eventstore/event-store.port';
import { CatchUpRate, type CatchUpMeasure } from '../catch-up-rate';
import { ProgressMeter } from '../progress-meter';
import type { GenerationStatus, RunnerError, RunnerState } from '../projection-status';
import { CheckpointTimeoutError } from '../runtime.errors';
import type { StoreStall } from '../store-watch';
import type { RunnerContext, RunnerRole } from './runner-context';

/** Where the runner's loop is: reading its start, running, stopped for good after errors, or stopped. */
export type RunnerLifecycle = 'starting' | 'running' | 'failed' | 'stopped';

/** What the loop and the runner know that status needs: the state is computed from these. */
export interface RunnerActivity {
  readonly lifecycle: RunnerLifecycle;
  readonly paused: boolean;
  readonly role: RunnerRole;
}

export class RunnerStatus {
  /** Last position stored: the generation's checkpoint as this runner last read or moved it. */
  checkpoint = 0n;
  /** Last position of the log the projection reads, as last read (or committed past). */
  head = 0n;
  /** Consecutive failed attempts (reset by the next successful commit). */
  attempts = 0;
  lastError: RunnerError | null = null;
  /** Whether the head was read from the log at least once (progress is unknown before). */
  private headKnown = false;
  private parked = 0;
  private held = 0;
  private lastEventTimestamp: number | undefined;
  private lastProgressAt = Date.now();
  private lastProgressLog = 0;
  private readonly meter = new ProgressMeter();
  private readonly catchUp: CatchUpRate;
  private readonly waiters: { position: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly context: RunnerContext,
    private readonly fingerprint: string,
    /** Called after every commit and head read (the supervisor watches rebuilds with it). */
    private readonly notify: () => void,
  ) {
    this.catchUp = new CatchUpRate(context.options.batchSize);
  }

  /** The loop starts: the first progress line comes one interval in, when there is a rate to report. */
  started(): void {
    this.lastProgressLog = Date.now();
  }

  /** The loop (re)starts from the stored checkpoint. */
  resumedFrom(checkpoint: bigint): void {
    this.checkpoint = checkpoint;
    this.meter.reset(checkpoint);
    this.catchUp.resumed(checkpoint, this.head);
  }

  /** The parked and held events as stored. */
  setParking(parked: number, held: number): void {
    this.parked = parked;
    this.held = held;
  }

  /** A batch up to `to` is stored, with `parked` newly parked and `held` newly held events. */
  committed(to: bigint, events: readonly StoredEvent[], parked: number, held: number): void {
    this.checkpoint = to;
    // Failures are counted until something is stored again.
    this.attempts = 0;
    this.lastError = null;
    this.parked += parked;
    this.held += held;
    if (to > this.head) this.head = to;
    this.meter.record(events.length, to);
    this.catchUp.committed(events.length, to, this.head);
    const timestamp = Date.parse(events[events.length - 1]!.metadata.timestamp);
    if (!Number.isNaN(timestamp)) this.lastEventTimestamp = timestamp;
    this.lastProgressAt = Date.now();
    for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
      const waiter = this.waiters[i]!;
      if (waiter.position <= to) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
    this.logProgress();
    this.notify();
  }

  /** The head of the log was read; caught up, a successful read counts as progress. */
  headRead(head: bigint): void {
    if (head > this.head) this.head = head;
    this.headKnown = true;
    this.catchUp.headRead(this.checkpoint, this.head);
    if (this.checkpoint >= this.head) this.lastProgressAt = Date.now();
    this.logProgress();
    this.notify();
  }

  /** Resolves once the checkpoint is at or past `position`: how tests and read-your-writes wait. */
  waitForCheckpoint(position: bigint, timeoutMs: number): Promise<void> {
    if (this.checkpoint >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new CheckpointTimeoutError(this.context.view.projection, position, this.checkpoint, timeoutMs),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  report(activity: RunnerActivity, now = Date.now()): GenerationStatus {
    const behind = this.behind();
    const eta = this.meter.etaSeconds(this.checkpoint, this.head);
    const stall = this.stall(now, behind);
    const running = activity.lifecycle === 'starting' || activity.lifecycle === 'running';
    return {
      generation: this.context.view.generation,
      fingerprint: this.fingerprint,
      state: runnerState(activity, behind, stall),
      checkpoint: this.checkpoint,
      head: this.head,
      behind,
      lagSeconds:
        behind === 0n
          ? 0
          : this.lastEventTimestamp === undefined
            ? null
            : Math.max(0, (now - this.lastEventTimestamp) / 1000),
      eventsPerSecond: Math.round(this.meter.eventsPerSecond()),
      eventsApplied: this.meter.totalEvents,
      catchUp: catchUpJson(this.catchUp.measure()),
      progress: this.progress(),
      etaSeconds: eta === undefined ? null : Math.round(eta),
      parked: this.parked,
      held: this.held,
      lastError: this.lastError,
      stall: running && !activity.paused ? (stall ?? null) : null,
    };
  }

  private behind(): bigint {
    return this.head > this.checkpoint ? this.head - this.checkpoint : 0n;
  }

  /** Fraction of the way to the head; until the head was read once, 0/0 means "not known yet", not "done". */
  private progress(): number {
    if (!this.headKnown) return 0;
    return this.head === 0n ? 1 : Math.min(1, Number(this.checkpoint) / Number(this.head));
  }

  /**
   * Why the runner has made no progress for the stall bound, if it has not: a store failing or not
   * answering, or (nothing failing, yet nothing arriving while behind) a subscription that delivers nothing.
   */
  private stall(now: number, behind: bigint): StoreStall | undefined {
    const afterMs = this.context.options.stallAfterMs;
    const watch = this.context.watch;
    // Caught up, a successful head read counts as progress; so a store in trouble stalls only a runner
    // that has not moved for the whole bound.
    if (now - this.lastProgressAt < afterMs) return undefined;
    // No progress for the bound: a store in trouble that long, else any store in trouble now (a call
    // waiting since the last event arrived), explains it.
    const trouble = watch.stall(afterMs, now) ?? watch.stall(0, now);
    if (trouble !== undefined) return trouble;
    if (behind === 0n) return undefined;
    return {
      store: 'event-store',
      kind: watch.kindOf('event-store'),
      since: new Date(this.lastProgressAt),
      lastError: `no events received for ${Math.round((now - this.lastProgressAt) / 1000)} s while ${behind} positions behind`,
    };
  }

  private logProgress(): void {
    const now = Date.now();
    const { options, logger } = this.context;
    if (now - this.lastProgressLog < options.progressLogMs) return;
    // Only worth a line while really behind (a catch-up or rebuild), not for the last live batch.
    if (this.head - this.checkpoint <= BigInt(options.batchSize)) return;
    this.lastProgressLog = now;
    const eta = this.meter.etaSeconds(this.checkpoint, this.head);
    logger.info(
      `${this.context.label()}: ${this.checkpoint}/${this.head} (${(this.progress() * 100).toFixed(1)}%), ` +
        `${Math.round(this.meter.eventsPerSecond())} events/s, ETA ${eta === undefined ? 'unknown' : `${Math.round(eta)}s`}`,
    );
  }
}

function catchUpJson(measure: CatchUpMeasure | undefined): CatchUpMeasure | null {
  if (measure === undefined) return null;
  return {
    eventsPerSecond: Math.round(measure.eventsPerSecond),
    events: measure.events,
    seconds: Math.round(measure.seconds * 10) / 10,
  };
}

function runnerState(activity: RunnerActivity, behind: bigint, stall: StoreStall | undefined): RunnerState {
  if (activity.lifecycle === 'failed') return 'failed';
  if (activity.lifecycle === 'stopped') return 'stopped';
  if (activity.paused) return 'paused';
  if (stall !== undefined) return 'stalled';
  if (activity.lifecycle === 'starting') return 'starting';
  if (activity.role === 'rebuild') return 'rebuilding';
  return behind > 0n ? 'catching-up' : 'live';
}
