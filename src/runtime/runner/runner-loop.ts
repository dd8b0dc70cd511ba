/**
 * The runner's loop: read the generation's checkpoint, subscribe to the log after it (catch up, then
 * follow live), cut the stream into batches and hand each to the pipeline; between batches, run the
 * queued admin requests and honour a pause. A timer reads the head of the log for progress and the swap.
 *
 * Failures: transient errors back off (exponential, full jitter) and resume from the stored checkpoint;
 * other errors are retried a few times, then the runner is `failed` (other projections keep going). A
 * checkpoint moved by someone else is resumed from; a generation that is gone fails the runner at once.
 */
import type { LogSubscription } from '../../eventstore/event-store.port';
import { backoffDelay, sleep } from '../backoff';
import { BatchReader } from '../batch-reader';
import { BatchSizes } from './batch-sizes';
import { errorMessage, type ErrorClass } from '../error-classifier';
import { GenerationGoneError, RunnerNotRunningError, SubscriptionEndedError } from '../runtime.errors';
import type { AdminRequestQueue } from './admin-request-queue';
import { CheckpointMoved, CommitFenced } from './batch-commit';
import type { BatchPipeline } from './batch-pipeline';
import type { ParkedEvents } from './parked-events';
import type { RunnerContext } from './runner-context';
import type { RunnerLifecycle, RunnerStatus } from './runner-status';

export interface LoopParts {
  readonly status: RunnerStatus;
  readonly pipeline: BatchPipeline;
  readonly parked: ParkedEvents;
  readonly requests: AdminRequestQueue;
}

export class RunnerLoop {
  lifecycle: RunnerLifecycle = 'starting';
  paused: boolean;
  private stopping = false;
  private wake = deferred();
  /** Pauses waiting for the loop to have nothing in flight (see pause()). */
  private quiet: Deferred | undefined;
  private running: Promise<void> | undefined;
  private headTimer: NodeJS.Timeout | undefined;
  private headPolling = false;
  private readonly random: () => number;

  constructor(
    private readonly context: RunnerContext,
    private readonly parts: LoopParts,
    options: { readonly paused: boolean; readonly random: () => number },
  ) {
    this.paused = options.paused;
    this.random = options.random;
  }

  get isRunning(): boolean {
    return this.lifecycle === 'starting' || this.lifecycle === 'running';
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.lifecycle = 'starting';
    this.parts.status.started();
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    if (this.headTimer === undefined) {
      this.headTimer = setInterval(() => void this.pollHead(), this.context.options.headPollMs);
      this.headTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.interrupt();
    if (this.headTimer !== undefined) clearInterval(this.headTimer);
    this.headTimer = undefined;
    await this.running;
    if (this.lifecycle !== 'failed') this.lifecycle = 'stopped';
  }

  /**
   * Stops applying events. Resolves once no batch of this runner is in flight: the commit the pause found
   * under way has landed or failed, so the checkpoint stays put from then on (an operator who reads it
   * after a pause sees where it stopped). A store too slow to finish that commit within
   * `pauseSettleMs` does not hold the pause longer.
   */
  async pause(): Promise<void> {
    this.paused = true;
    this.quiet ??= deferred();
    const quiet = this.quiet.promise;
    if (this.running === undefined) this.settleQuiet();
    this.interrupt();
    await sleep(this.context.options.pauseSettleMs, quiet);
  }

  resume(): void {
    this.settleQuiet();
    this.paused = false;
    if (this.lifecycle === 'failed' || this.lifecycle === 'stopped') {
      this.parts.status.lastError = null;
      this.start();
    }
    this.interrupt();
  }

  /** Answers the pauses waiting for the loop to have nothing in flight. */
  private settleQuiet(): void {
    const quiet = this.quiet;
    this.quiet = undefined;
    quiet?.resolve();
  }

  /** Wakes the loop from a read, a pause or a backoff. */
  interrupt(): void {
    const current = this.wake;
    this.wake = deferred();
    current.resolve();
  }

  private async run(): Promise<void> {
    const { status, pipeline, requests } = this.parts;
    const { options, store } = this.context;
    status.attempts = 0;
    while (!this.stopping) {
      let subscription: LogSubscription | undefined;
      let sizes: BatchSizes | undefined;
      try {
        await this.initialize();
        this.lifecycle = 'running';
        subscription = store.subscribeToAll({
          ...(status.checkpoint > 0n ? { after: status.checkpoint } : {}),
          filter: this.context.filter,
          bufferSize: options.bufferSize,
        });
        const reader = new BatchReader(
          subscription[Symbol.asyncIterator](),
          subscription.takeReady?.bind(subscription),
        );
        sizes = new BatchSizes(
          options,
          this.context.target.capabilities.catchUpBatchSize,
          this.context.catchUpBudget,
        );
        while (!this.stopping) {
          // Taken before running requests: a request enqueued from here on resolves this very promise,
          // so it is never left waiting behind a read.
          const wake = this.wake.promise;
          if (requests.pending) {
            // Requests see (and change) the stored state: let the pipeline settle first, forget it after.
            await pipeline.drain();
            await requests.runAll();
            pipeline.reset();
          }
          if (this.paused) {
            await pipeline.drain();
            this.settleQuiet();
            await wake;
            continue;
          }
          const read = await reader.next(sizes.size, sizes.latencyMs, wake);
          sizes.observe(read.kind === 'interrupted' ? 0 : read.events.length);
          if (read.kind === 'interrupted') {
            if (pipeline.commitFailed) await pipeline.settle();
            continue;
          }
          if (read.events.length > 0) await pipeline.process(read.events);
          if (read.kind === 'ended') throw new SubscriptionEndedError(this.context.view.projection);
        }
      } catch (error) {
        if (this.stopping) break;
        const next = this.recover(error);
        if (next === 'stop') break;
        if (next !== 'resume') {
          await pipeline.abandon();
          if (this.paused) this.settleQuiet();
          await subscription?.close().catch(() => undefined);
          subscription = undefined;
          await sleep(next.backoffMs, this.wake.promise);
        }
      } finally {
        // A commit still in flight finishes (or fails) before anything restarts from the checkpoint.
        sizes?.close();
        await pipeline.abandon();
        if (this.paused) this.settleQuiet();
        await subscription?.close().catch(() => undefined);
      }
    }
    this.settleQuiet();
    // Requests queued while the loop could not run them fail rather than hang.
    requests.rejectAll(() => new RunnerNotRunningError(this.context.view.projection, this.lifecycle));
  }

  /**
   * What to do after a failed pass of the loop: resume from the stored checkpoint at once, back off and
   * retry, or stop (the runner failed).
   */
  private recover(error: unknown): 'resume' | 'stop' | { readonly backoffMs: number } {
    const { context } = this;
    const { status } = this.parts;
    const { projection, generation } = context.view;
    if (error instanceof CommitFenced) {
      // Another node holds the lease now (issue #15): this runner stops, it did not fail.
      this.lifecycle = 'stopped';
      context.logger.warn(
        `${context.label()}: commit refused: a newer lease holder (epoch ${error.fence}) fenced this ` +
          `generation (this node's epoch: ${String(context.fence)}); stopping`,
      );
      context.onFenced?.(error.fence);
      return 'stop';
    }
    if (error instanceof CheckpointMoved) {
      if (error.actual === undefined) {
        this.fail(new GenerationGoneError(projection, generation), 'unknown', 1);
        return 'stop';
      }
      context.logger.warn(
        `${context.label()}: checkpoint was moved to ${error.actual} by someone else; resuming from there`,
      );
      return 'resume';
    }
    if (error instanceof GenerationGoneError) {
      this.fail(error, 'unknown', 1);
      return 'stop';
    }
    status.attempts += 1;
    const attempts = status.attempts;
    const kind = context.classify(error);
    context.observeError(kind);
    // An error no store call raised (the subscription ended, a read failed) is the log's.
    const store = context.watch.failed(error, 'event-store');
    status.lastError = { message: errorMessage(error), kind, attempts, at: new Date(), store };
    if (kind !== 'transient' && attempts >= context.options.maxUnknownAttempts) {
      this.fail(error, kind, attempts);
      return 'stop';
    }
    const backoffMs = backoffDelay(attempts, context.options.backoff, this.random);
    context.logger.warn(
      `${context.label()}: ${kind} error (attempt ${attempts}), retrying in ${backoffMs} ms: ${errorMessage(error)}`,
    );
    return { backoffMs };
  }

  private fail(error: unknown, kind: ErrorClass, attempts: number): void {
    this.lifecycle = 'failed';
    const store = this.context.watch.failed(error, 'view-store');
    this.parts.status.lastError = { message: errorMessage(error), kind, attempts, at: new Date(), store };
    this.context.logger.error(
      `${this.context.label()}: failed after ${attempts} attempt(s), other projections keep running: ${errorMessage(error)}`,
    );
  }

  private async initialize(): Promise<void> {
    const { target, view } = this.context;
    const checkpoint = await target.readCheckpoint(view);
    if (checkpoint === undefined) throw new GenerationGoneError(view.projection, view.generation);
    this.parts.status.resumedFrom(checkpoint);
    await this.parts.parked.refresh(true);
    this.parts.pipeline.reset();
    await this.pollHead();
  }

  private async pollHead(): Promise<void> {
    // A hung event store must not pile up one head read per interval; the read waiting is the stall.
    if (this.headPolling) return;
    this.headPolling = true;
    try {
      this.parts.status.headRead(await this.context.store.headPosition(this.context.filter));
    } catch (error) {
      // The head stays where it was; a caught-up runner must not look live while the log is unreachable
      // (issue #12: with the event store cut, projections showed live and 0 behind), so the outage is
      // recorded.
      if (!this.stopping) this.context.watch.failed(error, 'event-store');
    } finally {
      this.headPolling = false;
    }
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
