/**
 * One projection's place in the runtime: its definition, its target, the supervisor running it (if any)
 * and why it could not start. Without leases the runtime starts every slot once (and retries a failed
 * start in the background, as it always did). With leases (issue #15) a slot runs only while this node
 * holds the projection's lease: `run(lease)` starts a fresh supervisor fenced with the lease epoch,
 * `halt()` stops it and leaves the slot on standby. Runs and halts of a slot are queued one after the
 * other, so a node never has two supervisors for one projection.
 */
import type { Lease } from '../coordination/coordination.port';
import type { CompiledProjection } from '../core/plan';
import type { Target } from '../stores/target.port';
import { backoffDelay, sleep } from './backoff';
import { classifyError, errorMessage } from './error-classifier';
import type { ProjectionStatus } from './projection-status';
import type { ProjectionSupervisor, RunnableProjection } from './projection-supervisor';
import { CommitFenced } from './runner/batch-commit';
import { NoTargetForKindError } from './runtime.errors';
import type { RuntimeLogger } from './runtime.logger';
import type { RunnerOptions } from './runtime.options';
import type { StoreRole } from './store-watch';

/** Why the projection could not start (it retries in the background unless the cause is permanent). */
export interface StartError {
  readonly message: string;
  readonly permanent: boolean;
  readonly attempts: number;
  /** When the first failed attempt of this streak began. */
  readonly since: number;
  /** The store that failed. */
  readonly store: StoreRole;
  readonly storeKind: string;
}

/** What a slot runs under a lease: a projection's supervisor, or a segment's follower (segment-follower.ts). */
export interface SlotWork {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ProjectionStatus;
}

export interface SlotDependencies<W extends SlotWork = ProjectionSupervisor> {
  readonly definition: RunnableProjection;
  /** Absent when no target of the projection's kind is configured: it cannot run at all. */
  readonly target: Target | undefined;
  /** Makes a supervisor; with a lease, fenced with its epoch and reporting a fenced write. */
  readonly supervisor: (lease?: { readonly epoch: bigint; onFenced(fence: bigint): void }) => W;
  /** The lease resource and log name (the projection's; `name#k` for segment k > 0). */
  readonly name?: string;
  /** The lease was found lost while running (a fenced commit or swap, or a fenced start). */
  readonly onLeaseLost?: (epoch: bigint, reason: string) => void;
  readonly options: RunnerOptions;
  readonly logger: RuntimeLogger;
  readonly random?: () => number;
}

export class ProjectionSlot<W extends SlotWork = ProjectionSupervisor> {
  readonly name: string;
  supervisor: W | undefined;
  startError: StartError | undefined;
  /** The lease this slot runs under (with leases only). */
  lease: Lease | undefined;
  /** Counts runs: a background retry belongs to one run and ends when another run or a halt begins. */
  private run_ = 0;
  private cancel = deferred();
  private queue: Promise<void> = Promise.resolve();
  /** A halt is stopping the supervisor. */
  private halting = false;

  constructor(private readonly deps: SlotDependencies<W>) {
    const plan = deps.definition.plan;
    this.name = deps.name ?? plan.name;
    if (deps.target === undefined) {
      // This projection cannot run; the others do. Reported in its status, and in one warning per
      // missing kind (the runtime's warnAboutMissingTargets).
      this.startError = {
        message: new NoTargetForKindError(plan.name, plan.target.kind).message,
        permanent: true,
        attempts: 1,
        since: Date.now(),
        store: 'view-store',
        storeKind: plan.target.kind,
      };
    }
  }

  get plan(): CompiledProjection {
    return this.deps.definition.plan;
  }

  /** Whether it can run at all (a target of its kind is configured). */
  get runnable(): boolean {
    return this.deps.target !== undefined;
  }

  /** Whether a supervisor runs it now (started, or retrying its start). */
  get active(): boolean {
    return this.supervisor !== undefined;
  }

  /**
   * Starts the projection (with a lease: fenced with its epoch). Resolves once it started or recorded
   * why it could not; a failed start is retried in the background until the next run or halt.
   */
  run(lease?: Lease): Promise<void> {
    return this.enqueue(async () => {
      const target = this.deps.target;
      if (target === undefined) return;
      await this.stopSupervisor();
      this.lease = lease;
      this.startError = undefined;
      const run = this.run_;
      const supervisor =
        lease === undefined
          ? this.deps.supervisor()
          : this.deps.supervisor({
              epoch: lease.epoch,
              onFenced: (fence) =>
                this.deps.onLeaseLost?.(lease.epoch, `a newer holder (epoch ${fence}) fenced its writes`),
            });
      this.supervisor = supervisor;
      if (!(await this.tryStart(supervisor, target, lease)))
        void this.retryStart(run, supervisor, target, lease);
    });
  }

  /** Stops the projection's supervisor (lease lost or given up, or the runtime stops). */
  halt(): Promise<void> {
    return this.enqueue(async () => {
      this.halting = true;
      try {
        await this.stopSupervisor();
      } finally {
        this.halting = false;
      }
      this.lease = undefined;
      if (this.deps.target !== undefined) this.startError = undefined;
    });
  }

  status(now: number): ProjectionStatus {
    if (this.startError === undefined && this.supervisor !== undefined) return this.supervisor.status();
    const failure = this.startError;
    // Still retrying past the stall bound: a store is down, and status says which (issue #12 item 12).
    const stalled =
      failure !== undefined && !failure.permanent && now - failure.since >= this.deps.options.stallAfterMs;
    return {
      name: this.name,
      state:
        failure?.permanent === true ? 'failed' : stalled ? 'stalled' : this.halting ? 'stopped' : 'starting',
      live: null,
      rebuild: null,
      stall: stalled
        ? {
            store: failure.store,
            kind: failure.storeKind,
            since: new Date(failure.since),
            lastError: failure.message,
          }
        : null,
      notes:
        failure === undefined ? [] : [`Could not start (attempt ${failure.attempts}): ${failure.message}`],
    };
  }

  // Internals --------------------------------------------------------------------------------------

  private enqueue(step: () => Promise<void>): Promise<void> {
    // A new run or a halt ends the previous run's background retries at once.
    this.run_ += 1;
    const signal = this.cancel;
    this.cancel = deferred();
    signal.resolve();
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async stopSupervisor(): Promise<void> {
    const supervisor = this.supervisor;
    this.supervisor = undefined;
    await supervisor
      ?.stop()
      .catch((error: unknown) =>
        this.deps.logger.warn(`${this.name}: stopping its supervisor failed: ${errorMessage(error)}`),
      );
  }

  private async tryStart(supervisor: W, target: Target, lease: Lease | undefined): Promise<boolean> {
    const began = Date.now();
    try {
      await supervisor.start();
      this.startError = undefined;
      return true;
    } catch (error) {
      await supervisor.stop().catch(() => undefined);
      if (error instanceof CommitFenced && lease !== undefined) {
        // A newer holder fenced the generation before this node could: the lease is lost, not the start.
        this.deps.onLeaseLost?.(lease.epoch, `a newer holder (epoch ${error.fence}) fenced it at start`);
        return true;
      }
      const attempts = (this.startError?.attempts ?? 0) + 1;
      const kind = classifyError(error, (e) => target.classifyError(e));
      const permanent = kind !== 'transient' && attempts >= this.deps.options.maxUnknownAttempts;
      this.startError = {
        message: errorMessage(error),
        permanent,
        attempts,
        since: this.startError?.since ?? began,
        // A start reads and prepares the view store only (its runners read the log afterwards).
        store: 'view-store',
        storeKind: target.kind,
      };
      this.deps.logger.error(`${this.name}: could not start (attempt ${attempts}): ${errorMessage(error)}`);
      return false;
    }
  }

  private async retryStart(
    run: number,
    supervisor: W,
    target: Target,
    lease: Lease | undefined,
  ): Promise<void> {
    const cancelled = this.cancel.promise;
    while (this.run_ === run && this.startError !== undefined && !this.startError.permanent) {
      await sleep(
        backoffDelay(this.startError.attempts, this.deps.options.backoff, this.deps.random),
        cancelled,
      );
      if (this.run_ !== run) return;
      if (await this.tryStart(supervisor, target, lease)) return;
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
