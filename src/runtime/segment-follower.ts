/**
 * Runs segment k > 0 of a segmented projection (issue #15, see segments.ts). Segment 0's supervisor
 * (ProjectionSupervisor) owns the projection's generations: it prepares them (with a checkpoint per
 * segment), builds and swaps them, pauses and drops them. A follower only runs its own segment of what is
 * there, each generation from its own checkpoint, under its own lease and fence:
 *
 *  - the active generation's segment, with the active generation's plan (its stored definition,
 *    recompiled, while a changed definition is rebuilt; a segment the old plan did not have stays idle);
 *  - the segment of a generation being built for this plan (a rebuild), beside it.
 *
 * It learns what segment 0 did by reading the registry every `pollMs`: a new active or building
 * generation, or a pause, restarts its runners from their stored checkpoints. Segment 0 swaps a rebuild
 * in only once every segment's stored checkpoint reached the head, so a follower never has to tell it.
 */
import type { CompiledProjection } from '../core/plan';
import type { GenerationRecord, ViewRef } from '../stores/target.port';
import { errorMessage } from './error-classifier';
import { SupervisorFence } from './generation-fence';
import { ProjectionRunner, type ParkedResolution, type RunnerRole } from './projection-runner';
import type { GenerationStatus, ProjectionStatus, RunnerState } from './projection-status';
import type { SupervisorDependencies } from './projection-supervisor';
import { CheckpointTimeoutError, RunnerNotRunningError } from './runtime.errors';
import { segmentCount, segmentPlan, segmentView, type SegmentOf } from './segments';

/** How often a follower reads the registry for what segment 0 changed (default). */
export const SEGMENT_POLL_MS = 500;

export interface FollowerDependencies extends Omit<SupervisorDependencies, 'lock'> {
  readonly segment: SegmentOf;
  readonly pollMs?: number;
}

/** The generations a follower runs, as read from the registry; a change restarts its runners. */
interface Situation {
  readonly key: string;
  readonly paused: boolean;
  readonly active: GenerationRecord | undefined;
  readonly building: GenerationRecord | undefined;
}

export class SegmentFollower {
  private live: ProjectionRunner | undefined;
  private rebuilding: ProjectionRunner | undefined;
  private running: Situation | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private readonly notes: string[] = [];
  private readonly lease: SupervisorFence;
  /**
   * The active generation has no segment of this number (it was built with fewer segments, e.g. after a
   * rebuild that lowered `segments` was swapped in): nothing is applied here, nothing to wait for.
   */
  private outOfRange = false;

  constructor(private readonly deps: FollowerDependencies) {
    this.lease = new SupervisorFence(this.name, deps.target, deps.logger, deps.fence, deps.onFenced);
  }

  /** `name#k`, as its lease and its log lines name it. */
  get name(): string {
    return `${this.deps.definition.plan.name}#${this.deps.segment.index}`;
  }

  get segment(): number {
    return this.deps.segment.index;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.load(await this.situation());
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.check(), this.deps.pollMs ?? SEGMENT_POLL_MS);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.restarting;
    await this.stopRunners();
  }

  status(): ProjectionStatus {
    const live = this.live?.status() ?? null;
    const rebuild = this.rebuilding?.status() ?? null;
    return {
      name: this.deps.definition.plan.name,
      state: stateOf(live, rebuild, this.running?.paused === true),
      live,
      rebuild,
      stall: live?.stall ?? rebuild?.stall ?? null,
      notes: [...this.notes],
    };
  }

  /** Resolves once this segment's live runner applied `position` (read-your-writes, with the others). */
  async waitForCheckpoint(position: bigint, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.live;
      const remaining = deadline - Date.now();
      if (this.outOfRange || (live !== undefined && live.position >= position)) return;
      if (remaining <= 0)
        throw new CheckpointTimeoutError(this.name, position, live?.position ?? 0n, timeoutMs);
      // The runner may be replaced by a restart meanwhile: wait on it a little at a time.
      await (live ?? { waitForCheckpoint: sleepFor })
        .waitForCheckpoint(position, Math.min(remaining, 250))
        .catch(() => undefined);
    }
  }

  /** Re-applies a parked event of this segment (see ProjectionRunner.replay). */
  replay(position: bigint): Promise<ParkedResolution> {
    return this.liveRunner().replay(position);
  }

  /** Drops a parked event of this segment for good (see ProjectionRunner.discard). */
  discard(position: bigint): Promise<ParkedResolution> {
    return this.liveRunner().discard(position);
  }

  // Internals --------------------------------------------------------------------------------------

  private liveRunner(): ProjectionRunner {
    if (this.live === undefined)
      throw new RunnerNotRunningError(this.name, 'not advancing its live generation');
    return this.live;
  }

  private async situation(): Promise<Situation> {
    const { target, definition } = this.deps;
    const name = definition.plan.name;
    const [record, generations] = await Promise.all([
      target.readProjection(name),
      target.listGenerations(name),
    ]);
    const active = generations.find((g) => g.status === 'active');
    const building = generations
      .filter((g) => g.status === 'building' && g.fingerprint === definition.plan.fingerprint)
      .pop();
    const paused = record?.paused === true;
    const key = `${active?.generation}:${active?.fingerprint}|${building?.generation}|${paused}`;
    return { key, paused, active, building };
  }

  private async check(): Promise<void> {
    if (this.stopped || this.restarting !== undefined) return;
    let now: Situation;
    try {
      now = await this.situation();
    } catch {
      return; // the runners report the store's trouble; the next poll looks again
    }
    const failed = [this.live, this.rebuilding].some((r) => r?.status().state === 'failed');
    if (this.stopped || (now.key === this.running?.key && !failed)) return;
    this.restarting = (async () => {
      await this.stopRunners();
      if (!this.stopped) await this.load(now);
    })()
      .catch((error: unknown) => {
        this.running = undefined; // try again at the next poll
        this.deps.logger.warn(`${this.name}: could not follow segment 0's change: ${errorMessage(error)}`);
      })
      .finally(() => {
        this.restarting = undefined;
      });
  }

  private async load(situation: Situation): Promise<void> {
    const { plan } = this.deps.definition;
    const index = this.deps.segment.index;
    this.notes.length = 0;
    this.outOfRange = false;
    const { active, building } = situation;
    if (active !== undefined) {
      const livePlan =
        active.fingerprint === plan.fingerprint
          ? plan
          : active.definition === null
            ? undefined
            : this.deps.recompile?.(active.definition);
      if (livePlan === undefined) {
        this.notes.push(
          `Segment ${index} of live generation ${active.generation} does not advance during the rebuild: ` +
            'its definition could not be recompiled.',
        );
      } else if (index < segmentCount(livePlan)) {
        const view = segmentView(viewOf(active), index);
        await this.lease.fence(view);
        this.live = this.runner(livePlan, view, active.fingerprint, 'live', situation.paused);
      } else {
        this.outOfRange = true;
      }
    }
    // Only a segment the new plan has is built (a follower kept for the live view's extra segments is not).
    if (building !== undefined && building.generation !== active?.generation && index < segmentCount(plan)) {
      const view = segmentView(viewOf(building), index);
      await this.lease.fence(view);
      this.rebuilding = this.runner(plan, view, plan.fingerprint, 'rebuild', situation.paused);
    }
    this.running = situation;
  }

  private async stopRunners(): Promise<void> {
    const runners = [this.live, this.rebuilding].filter((r): r is ProjectionRunner => r !== undefined);
    this.live = undefined;
    this.rebuilding = undefined;
    await Promise.all(runners.map((runner) => runner.stop()));
  }

  private runner(
    plan: CompiledProjection,
    view: ViewRef,
    fingerprint: string,
    role: RunnerRole,
    paused: boolean,
  ): ProjectionRunner {
    const runner = new ProjectionRunner({
      store: this.deps.store,
      target: this.deps.target,
      plan: segmentPlan(plan, { index: this.deps.segment.index, count: segmentCount(plan) }),
      view,
      fingerprint,
      role,
      options: this.deps.options,
      logger: this.deps.logger,
      ...(this.deps.observer !== undefined ? { observer: this.deps.observer } : {}),
      paused,
      ...(this.deps.random !== undefined ? { random: this.deps.random } : {}),
      ...(this.deps.catchUpBudget !== undefined && { catchUpBudget: this.deps.catchUpBudget }),
      ...(this.deps.fence !== undefined && {
        fence: this.deps.fence,
        onFenced: (fence: bigint) => this.lease.lost(fence),
      }),
    });
    runner.start();
    if (this.stopped) void runner.stop();
    return runner;
  }
}

function viewOf(record: GenerationRecord): ViewRef {
  return { projection: record.projection, generation: record.generation, shape: record.shape };
}

function sleepFor(_position: bigint, ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stateOf(
  live: GenerationStatus | null,
  rebuild: GenerationStatus | null,
  paused: boolean,
): RunnerState {
  if (paused) return 'paused';
  const states = [live?.state, rebuild?.state].filter((s): s is RunnerState => s !== undefined);
  for (const state of ['failed', 'stalled', 'rebuilding', 'starting', 'catching-up'] as const)
    if (states.includes(state)) return state;
  return states.includes('live') ? 'live' : (states[0] ?? 'standby');
}
