/**
 * One runner drives one generation of one projection: read the log from the generation's checkpoint
 * (catch up, then follow live), cut it into batches, fold each batch through the compiled plan, and
 * commit the result with the checkpoint compare-and-set from -> to in ONE target commit.
 *
 * This is the runner's public face; its parts, one job each, are in ./runner/:
 *  - runner-loop.ts: the loop, its retries and backoff, pause and resume, the head poll;
 *  - batch-pipeline.ts: a batch's way to the store (pipelined load/fold/commit on transactional stores);
 *  - batch-commit.ts: the one commit with the checkpoint compare-and-set, and what moves once it is stored;
 *  - poison-isolation.ts: bisect a batch the store rejects and park the failing event;
 *  - parked-events.ts: held keys, and replay/discard releasing the events held behind a parked one;
 *  - admin-request-queue.ts: operator requests run between batches, on the loop, in arrival order;
 *  - runner-status.ts: what status() and the progress log report, and the waits for a checkpoint.
 */
import type { CompiledProjection } from '../core/plan';
import type { ParkedEvent, ViewRef } from '../stores/target.port';
import type { GenerationStatus } from './projection-status';
import { AdminRequestQueue } from './runner/admin-request-queue';
import { BatchCommitter } from './runner/batch-commit';
import { BatchPipeline } from './runner/batch-pipeline';
import { ParkedEvents, type ParkedResolution } from './runner/parked-events';
import { PoisonIsolation } from './runner/poison-isolation';
import { runnerContext, type RunnerDependencies, type RunnerRole } from './runner/runner-context';
import { RunnerLoop } from './runner/runner-loop';
import { RunnerStatus } from './runner/runner-status';

export type { ParkedResolution } from './runner/parked-events';
export type { RunnerDependencies, RunnerRole } from './runner/runner-context';

export class ProjectionRunner {
  readonly view: ViewRef;
  readonly plan: CompiledProjection;
  /** A rebuild's runner becomes the live one when its generation is swapped in. */
  role: RunnerRole;

  private readonly progress: RunnerStatus;
  private readonly parked: ParkedEvents;
  private readonly requests: AdminRequestQueue;
  private readonly loop: RunnerLoop;
  private readonly listeners = new Set<(runner: ProjectionRunner) => void>();

  constructor(deps: RunnerDependencies) {
    this.view = deps.view;
    this.plan = deps.plan;
    this.role = deps.role;
    const context = runnerContext(deps, () => this.role);
    const status = new RunnerStatus(context, deps.fingerprint, () => this.notify());
    const committer = new BatchCommitter(context, status);
    const poison = new PoisonIsolation(context, committer);
    const pipeline = new BatchPipeline(context, status, committer, poison, () => this.loop.interrupt());
    this.progress = status;
    this.parked = new ParkedEvents(context, status, committer, poison);
    this.requests = new AdminRequestQueue(() => this.loop);
    this.loop = new RunnerLoop(
      context,
      { status, pipeline, parked: this.parked, requests: this.requests },
      { paused: deps.paused === true, random: deps.random ?? Math.random },
    );
  }

  get name(): string {
    return this.view.projection;
  }

  get generation(): number {
    return this.view.generation;
  }

  get position(): bigint {
    return this.progress.checkpoint;
  }

  get headPosition(): bigint {
    return this.progress.head;
  }

  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  /** Caught up: at or past the head last read (the supervisor re-reads the head before a swap). */
  get caughtUp(): boolean {
    return this.loop.lifecycle === 'running' && this.progress.checkpoint >= this.progress.head;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Resolves once no batch is in flight (runner-loop.ts). */
  pause(): Promise<void> {
    return this.loop.pause();
  }

  resume(): void {
    this.loop.resume();
  }

  /** Called after every commit and head poll (the supervisor watches rebuilds with it). */
  onProgress(listener: (runner: ProjectionRunner) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the checkpoint is at or past `position`: how tests and read-your-writes wait. */
  waitForCheckpoint(position: bigint, timeoutMs: number): Promise<void> {
    return this.progress.waitForCheckpoint(position, timeoutMs);
  }

  status(now = Date.now()): GenerationStatus {
    return this.progress.report(
      { lifecycle: this.loop.lifecycle, paused: this.loop.paused, role: this.role },
      now,
    );
  }

  // Parked events ----------------------------------------------------------------------------------

  listParked(): Promise<ParkedEvent[]> {
    return this.parked.list();
  }

  /** Re-applies a parked event; on success the events held behind it are released in log order. */
  replay(position: bigint): Promise<ParkedResolution> {
    return this.requests.enqueue(() => this.parked.resolve(position, 'replay'));
  }

  /** Drops a parked event for good and releases the events held behind it in log order. */
  discard(position: bigint): Promise<ParkedResolution> {
    return this.requests.enqueue(() => this.parked.resolve(position, 'discard'));
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this);
  }
}
