/**
 * Owns one projection's generations: decides at start what to run, builds new generations beside the
 * live one, and swaps them in.
 *
 *  - New projection: generation 1 is prepared and activated at once (readers see it fill up) and
 *    backfills from the start of the log.
 *  - Same fingerprint as the active generation: its runner resumes from its checkpoint.
 *  - Changed fingerprint (or a manual rebuild): a new generation is built from position 0 by the same
 *    kind of runner, beside the live one. The live generation keeps running with its OLD plan,
 *    recompiled from the definition stored in the registry. Once the new generation reaches the head
 *    (read again just before the swap, and re-checked by the target inside the swap transaction), it is
 *    activated, the old runner stops and the old generation is dropped.
 *  - Crash safety: every step is recorded in the target, so a restart resumes a rebuild from its own
 *    checkpoint, and finishes a swap whose drop did not happen (retired generations are dropped).
 */
import type { JsonValue } from '../core/json';
import type { CompiledProjection } from '../core/plan';
import type { EventLog } from '../eventstore/event-store.port';
import type { GenerationRecord, ParkedEvent, Target, ViewRef } from '../stores/target.port';
import { logFilterOf } from './source-filter';
import { sleep } from './backoff';
import { SEGMENT_POLL_MS } from './segment-follower';
import { segmentCount, segmentPlan, segmentsAtHead } from './segments';
import { SupervisorFence } from './generation-fence';
import { CommitFenced } from './runner/batch-commit';
import type { CatchUpBudget } from './runner/batch-sizes';
import { errorMessage } from './error-classifier';
import { ProjectionRunner, type ParkedResolution, type RunnerRole } from './projection-runner';
import type { ProjectionStatus, RunnerState } from './projection-status';
import { CheckpointTimeoutError, RunnerNotRunningError } from './runtime.errors';
import { InProcessOperationLock, type ProjectionOperationLock } from './operation-lock';
import type { RuntimeLogger } from './runtime.logger';
import type { RuntimeObserver } from './runtime.observer';
import type { RunnerOptions } from './runtime.options';

/**
 * A projection as the runtime runs it: its compiled plan, with the normalized definition model it was
 * compiled from (the DSL's `ProjectionDefinition`, as JSON) when there is one.
 */
export interface RunnableProjection {
  readonly plan: CompiledProjection;
  /** The normalized definition model; stored with each generation so a later process can recompile it. */
  readonly definition?: JsonValue | null;
}

/** Recompiles a stored definition model into a plan (the DSL's compile step), or undefined if it cannot. */
export type Recompile = (definition: JsonValue) => CompiledProjection | undefined;

export interface SupervisorDependencies {
  readonly store: EventLog;
  readonly target: Target;
  readonly definition: RunnableProjection;
  readonly recompile?: Recompile;
  readonly options: RunnerOptions;
  readonly logger: RuntimeLogger;
  readonly observer?: RuntimeObserver;
  readonly random?: () => number;
  /** Serializes this projection's generation-changing operations (default: within this process). */
  readonly lock?: ProjectionOperationLock;
  /**
   * This node's lease epoch on the projection (issue #15): every generation is fenced with it before it
   * runs (generation-fence.ts), and every commit and swap carries it. Absent: one process, no leases.
   */
  readonly fence?: bigint;
  /**
   * Called once when a commit or swap was refused because a newer lease holder fenced the generation:
   * the lease is lost. The caller stops this supervisor.
   */
  readonly onFenced?: (fence: bigint) => void;
  /** The process's budget of events in catch-up batches, shared by its runners (runner/batch-sizes.ts). */
  readonly catchUpBudget?: CatchUpBudget;
}

/** What a rebuild request did: started a new generation, or found one already building. */
export interface RebuildOutcome {
  readonly generation: number;
  readonly started: boolean;
}

export class ProjectionSupervisor {
  private live: ProjectionRunner | undefined;
  private rebuilding: ProjectionRunner | undefined;
  /** The active generation when no runner advances it (its old plan could not be recompiled). */
  private frozen: ViewRef | undefined;
  private readonly notes: string[] = [];
  /** The swap in flight, if any: stop() waits for it so a swap is never cut between its steps. */
  private swapping: Promise<void> | undefined;
  private paused = false;
  private stopped = false;
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();
  private readonly lock: ProjectionOperationLock;
  private readonly lease: SupervisorFence;

  constructor(private readonly deps: SupervisorDependencies) {
    this.lock = deps.lock ?? new InProcessOperationLock();
    this.lease = new SupervisorFence(
      deps.definition.plan.name,
      deps.target,
      deps.logger,
      deps.fence,
      deps.onFenced,
    );
  }

  get name(): string {
    return this.deps.definition.plan.name;
  }

  get plan(): CompiledProjection {
    return this.deps.definition.plan;
  }

  start(): Promise<void> {
    // A start after a failed one (the runtime retries) runs again; a stop() from here on wins.
    this.stopped = false;
    return this.lock.run(this.name, () => this.startUnlocked());
  }

  private async startUnlocked(): Promise<void> {
    const { target, definition } = this.deps;
    const plan = definition.plan;
    this.paused = (await target.readProjection(plan.name))?.paused === true;
    let generations = await target.listGenerations(plan.name);

    // A swap that crashed before its drop: finish it.
    for (const retired of generations.filter((g) => g.status === 'retired'))
      await target.drop(viewOf(retired));
    const active = generations.find((g) => g.status === 'active');
    const resumable = generations
      .filter((g) => g.status === 'building' && g.fingerprint === plan.fingerprint)
      .pop();
    for (const stale of generations.filter((g) => g.status === 'building' && g !== resumable)) {
      await target.drop(viewOf(stale));
    }
    generations = await target.listGenerations(plan.name);

    if (active === undefined) {
      // A new projection: readers get its view at once, filling up as it backfills from the start.
      const generation = resumable?.generation ?? nextGeneration(generations);
      const view = await this.prepare(generation);
      await this.lease.fence(view);
      const activated = await target.activate(view, this.lease.activateOptions());
      if (activated.kind === 'fenced') throw new CommitFenced(activated.fence);
      this.live = this.runner(plan, view, plan.fingerprint, 'live');
      this.deps.logger.info(
        `${plan.name}: new projection, backfilling generation ${generation} from the start`,
      );
      return;
    }

    await this.lease.fence(viewOf(active));
    if (resumable !== undefined) await this.lease.fence(viewOf(resumable));
    if (active.fingerprint === plan.fingerprint) {
      this.live = this.runner(plan, viewOf(active), active.fingerprint, 'live');
      if (resumable !== undefined) {
        this.rebuilding = this.runner(plan, viewOf(resumable), plan.fingerprint, 'rebuild');
        this.deps.logger.info(`${plan.name}: resuming the rebuild of generation ${resumable.generation}`);
      }
      return;
    }

    // The definition changed: rebuild beside the live view, which keeps serving with its old plan.
    this.startOldPlan(active);
    const generation = resumable?.generation ?? nextGeneration(generations);
    const view = await this.prepare(generation);
    await this.lease.fence(view);
    this.rebuilding = this.runner(plan, view, plan.fingerprint, 'rebuild');
    this.deps.logger.info(
      `${plan.name}: definition changed (${active.fingerprint.slice(0, 12)} -> ${plan.fingerprint.slice(0, 12)}); ` +
        `rebuilding generation ${generation} beside live generation ${active.generation}`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.swapping;
    await Promise.all([this.live?.stop(), this.rebuilding?.stop()]);
  }

  /**
   * Starts building a new generation from position 0 beside the live one. A rebuild already under way is
   * reported (started: false), never doubled: the check and the preparation run under the projection's
   * operation lock, so concurrent requests cannot all pass the check (issue #12).
   */
  rebuild(): Promise<RebuildOutcome> {
    return this.lock.run(this.name, async () => {
      if (this.stopped) throw new RunnerNotRunningError(this.name, 'stopped');
      if (this.rebuilding !== undefined) return { generation: this.rebuilding.generation, started: false };
      const generations = await this.deps.target.listGenerations(this.name);
      const view = await this.prepare(nextGeneration(generations));
      await this.lease.fence(view);
      this.rebuilding = this.runner(this.plan, view, this.plan.fingerprint, 'rebuild');
      this.deps.logger.info(`${this.name}: manual rebuild into generation ${view.generation}`);
      return { generation: view.generation, started: true };
    });
  }

  pause(): Promise<void> {
    return this.lock.run(this.name, async () => {
      await this.deps.target.setPaused(this.name, true);
      this.paused = true;
      // Answered once neither runner has a batch in flight: the checkpoints stay put from here on.
      await Promise.all([this.live?.pause(), this.rebuilding?.pause()]);
    });
  }

  resume(): Promise<void> {
    return this.lock.run(this.name, async () => {
      await this.deps.target.setPaused(this.name, false);
      this.paused = false;
      this.live?.resume();
      this.rebuilding?.resume();
    });
  }

  status(): ProjectionStatus {
    const live = this.live?.status() ?? null;
    const rebuild = this.rebuilding?.status() ?? null;
    return {
      name: this.name,
      state: overallState(live?.state, rebuild?.state, this.paused),
      live,
      rebuild,
      stall: live?.stall ?? rebuild?.stall ?? null,
      notes: [...this.notes],
    };
  }

  /** Resolves once the generation readers see has applied `position`. */
  waitForCheckpoint(position: bigint, timeoutMs: number): Promise<void> {
    if (this.live !== undefined && this.live.position >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new CheckpointTimeoutError(this.name, position, this.live?.position ?? 0n, timeoutMs));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  listParked(): Promise<ParkedEvent[]> {
    return this.liveRunner().listParked();
  }

  replay(position: bigint): Promise<ParkedResolution> {
    return this.liveRunner().replay(position);
  }

  discard(position: bigint): Promise<ParkedResolution> {
    return this.liveRunner().discard(position);
  }

  // Internals --------------------------------------------------------------------------------------

  private liveRunner(): ProjectionRunner {
    if (this.live === undefined)
      throw new RunnerNotRunningError(this.name, 'not advancing its live generation');
    return this.live;
  }

  private startOldPlan(active: GenerationRecord): void {
    const old = active.definition === null ? undefined : this.deps.recompile?.(active.definition);
    if (old !== undefined) {
      this.live = this.runner(old, viewOf(active), active.fingerprint, 'live');
      return;
    }
    this.frozen = viewOf(active);
    this.notes.push(
      `Live generation ${active.generation} keeps serving reads but does not advance during the rebuild: ` +
        'its definition could not be recompiled (no stored definition or no compiler).',
    );
  }

  private async prepare(generation: number): Promise<ViewRef> {
    const view: ViewRef = { projection: this.name, generation, shape: this.plan.target };
    await this.deps.target.prepare({
      ...view,
      fingerprint: this.plan.fingerprint,
      definition: this.deps.definition.definition ?? null,
      ...(segmentCount(this.plan) > 1 && { segments: segmentCount(this.plan) }),
    });
    return view;
  }

  private runner(
    plan: CompiledProjection,
    view: ViewRef,
    fingerprint: string,
    role: RunnerRole,
  ): ProjectionRunner {
    const runner = new ProjectionRunner({
      store: this.deps.store,
      target: this.deps.target,
      // Segmented: this supervisor runs segment 0 (segment-follower.ts runs the others).
      plan: segmentPlan(plan, { index: 0, count: segmentCount(plan) }),
      view,
      fingerprint,
      role,
      options: this.deps.options,
      logger: this.deps.logger,
      ...(this.deps.observer !== undefined ? { observer: this.deps.observer } : {}),
      paused: this.paused,
      ...(this.deps.random !== undefined ? { random: this.deps.random } : {}),
      ...(this.deps.catchUpBudget !== undefined && { catchUpBudget: this.deps.catchUpBudget }),
      ...(this.deps.fence !== undefined && {
        fence: this.deps.fence,
        onFenced: (fence: bigint) => this.lease.lost(fence),
      }),
    });
    runner.onProgress((progressed) => this.onProgress(progressed));
    runner.start();
    // stop() came while a start or rebuild was still preparing: it did not see this runner.
    if (this.stopped) void runner.stop();
    return runner;
  }

  private onProgress(runner: ProjectionRunner): void {
    if (runner === this.live) {
      for (const waiter of [...this.waiters]) if (runner.position >= waiter.position) waiter.resolve();
    }
    if (
      runner === this.rebuilding &&
      runner.caughtUp &&
      this.swapping === undefined &&
      !this.paused &&
      !this.stopped
    ) {
      this.swapping = this.lock
        .run(this.name, () => this.trySwap(runner))
        .finally(() => {
          this.swapping = undefined;
        });
    }
  }

  private async trySwap(rebuilt: ProjectionRunner): Promise<void> {
    // Queued behind another operation, the world may have changed meanwhile.
    if (this.stopped || this.paused || this.rebuilding !== rebuilt) return;
    try {
      const head = await this.deps.store.headPosition(logFilterOf(rebuilt.plan));
      if (rebuilt.position < head) return;
      if (!(await segmentsAtHead(this.deps.target, rebuilt.plan, rebuilt.view, head))) return;
      const result = await this.deps.target.activate(rebuilt.view, {
        minCheckpoint: head,
        ...this.lease.activateOptions(),
      });
      if (result.kind === 'fenced') {
        this.lease.lost(result.fence);
        return;
      }
      if (result.kind !== 'activated') return;
      const old = this.live;
      const oldView = old?.view ?? this.frozen;
      this.live = rebuilt;
      rebuilt.role = 'live';
      this.rebuilding = undefined;
      this.frozen = undefined;
      this.notes.length = 0;
      await old?.stop();
      if (oldView !== undefined && oldView.generation !== rebuilt.generation) {
        // The other segments' runners of the old generation stop at their next registry read.
        if (segmentCount(rebuilt.plan) > 1) await sleep(2 * SEGMENT_POLL_MS);
        await this.deps.target.drop(oldView);
      }
      this.deps.logger.info(
        `${this.name}: generation ${rebuilt.generation} reached the head (${head}) and is live` +
          (oldView !== undefined ? `; generation ${oldView.generation} dropped` : ''),
      );
      queueMicrotask(() => this.onProgress(rebuilt));
    } catch (error) {
      // The next progress report tries again; the live generation keeps serving meanwhile.
      this.deps.logger.warn(
        `${this.name}: swap to generation ${rebuilt.generation} failed, will retry: ${errorMessage(error)}`,
      );
    }
  }
}

function viewOf(record: GenerationRecord): ViewRef {
  return { projection: record.projection, generation: record.generation, shape: record.shape };
}

function nextGeneration(generations: readonly GenerationRecord[]): number {
  return generations.reduce((max, g) => Math.max(max, g.generation), 0) + 1;
}

function overallState(
  live: RunnerState | undefined,
  rebuild: RunnerState | undefined,
  paused: boolean,
): RunnerState {
  if (paused) return 'paused';
  const states = [live, rebuild].filter((s): s is RunnerState => s !== undefined);
  for (const state of ['failed', 'stalled', 'rebuilding', 'starting', 'catching-up'] as const) {
    if (states.includes(state)) return state;
  }
  return states.includes('live') ? 'live' : (states[0] ?? 'stopped');
}
