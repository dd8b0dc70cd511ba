/**
 * One runner drives one generation of one projection: read the log from the generation's checkpoint
 * (catch up, then follow live), cut it into batches, fold each batch through the compiled plan, and
 * commit the result with the checkpoint compare-and-set from -> to in ONE target commit.
 *
 * Failure handling:
 *  - transient errors: back off (exponential, full jitter) and resume from the stored checkpoint;
 *  - poison: events the plan cannot apply are parked inside the fold; a batch the store rejects as a
 *    whole (a constraint or data error) is bisected until the failing event is found and parked;
 *  - unknown errors: retried a few times, then the runner is `failed` (other projections keep going).
 *
 * Admin operations that touch parked events (replay, discard) run between batches, on the runner's own
 * loop, so they never race a batch over the same keys.
 */
import type { CompiledProjection, DocumentKey, ViewDocument, ViewOperation } from '../core/plan';
import type { EventStore, LogFilter, LogSubscription, StoredEvent } from '../eventstore/event-store.port';
import type { LoadedDocument, ParkedEvent, ParkingResolution, Target, ViewRef } from '../stores/target.port';
import { backoffDelay, sleep } from './backoff';
import { foldBatch, keyEvents, parkedRecord, type FoldResult, type KeyedEvent } from './batch-fold';
import { BatchReader } from './batch-reader';
import { classifyError, errorMessage, type ErrorClass } from './error-classifier';
import { filterOf } from './log-filter';
import { ProgressMeter } from './progress-meter';
import type { GenerationStatus, RunnerError, RunnerState } from './projection-status';
import {
  CheckpointTimeoutError,
  GenerationGoneError,
  ParkedEventNotFoundError,
  RunnerNotRunningError,
  SubscriptionEndedError,
} from './runtime.errors';
import type { RuntimeLogger } from './runtime.logger';
import type { RuntimeObserver } from './runtime.observer';
import type { RunnerOptions } from './runtime.options';
import { StoreWatch, type StoreStall } from './store-watch';

export type RunnerRole = 'live' | 'rebuild';

export interface RunnerDependencies {
  readonly store: EventStore;
  readonly target: Target;
  readonly plan: CompiledProjection;
  readonly view: ViewRef;
  readonly fingerprint: string;
  readonly role: RunnerRole;
  readonly options: RunnerOptions;
  readonly logger: RuntimeLogger;
  readonly observer?: RuntimeObserver;
  readonly paused?: boolean;
  readonly random?: () => number;
}

export type ParkedResolution =
  | { readonly kind: 'replayed'; readonly released: number }
  | { readonly kind: 'discarded'; readonly released: number }
  | { readonly kind: 'still-parked'; readonly reason: string };

/** The commit found the checkpoint elsewhere: another runner moved it, or this one restarted stale. */
class CheckpointMoved extends Error {
  constructor(readonly actual: bigint | undefined) {
    super(`checkpoint moved to ${String(actual)}`);
  }
}

interface Command {
  run(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Longest one synchronous fold may run before the runner commits what it folded and yields the event
 * loop (issue #12 item 1). A normal batch of 2,000 events folds in about 10 ms, so this cuts only batches
 * of unusually expensive events (each bounded by the DSL's cost budget).
 */
const FOLD_SLICE_MS = 100;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ProjectionRunner {
  readonly view: ViewRef;
  readonly plan: CompiledProjection;
  role: RunnerRole;

  private checkpoint = 0n;
  private head = 0n;
  /** Which store is in trouble and since when (issue #12 item 12); the runner calls its stores through it. */
  private readonly watch: StoreWatch;
  private readonly target: Target;
  private readonly store: EventStore;
  /** The target's own reading of its errors, for classifyError. */
  private readonly classifyStoreError = (error: unknown) => this.deps.target.classifyError(error);
  /** Whether the head was read from the log at least once (progress is unknown before). */
  private headKnown = false;
  private blocked = new Set<string>();
  private parkedCount = 0;
  private heldCount = 0;
  private lastEventTimestamp: number | undefined;
  private lastProgressAt = Date.now();
  private lastError: RunnerError | null = null;
  /** Consecutive failed attempts (reset by the next successful commit). */
  private attempts = 0;
  private state: 'starting' | 'running' | 'failed' | 'stopped' = 'starting';
  private paused: boolean;
  private stopping = false;
  private wake = deferred();
  private readonly commands: Command[] = [];
  private readonly waiters: { position: bigint; resolve: () => void }[] = [];
  private readonly listeners = new Set<(runner: ProjectionRunner) => void>();
  private readonly meter = new ProgressMeter();
  private loop: Promise<void> | undefined;
  private headTimer: NodeJS.Timeout | undefined;
  private lastProgressLog = 0;
  private headPolling = false;
  private readonly filter: LogFilter;
  private readonly random: () => number;

  // Pipelining (transactional targets): batch N+1 is loaded and folded while batch N commits.
  /** The commit in flight and its events (bisected if the store rejects them). */
  private inflight: { readonly promise: Promise<void>; readonly events: readonly StoredEvent[] } | undefined;
  /**
   * The documents of the keys the last folded batch touched, as that batch left them (null: deleted).
   * The next batch reads these instead of the database, which may not have them yet; every other key is
   * untouched by the commit in flight, so the database has it right.
   */
  private cache: Map<DocumentKey, ViewDocument | null> | undefined;
  /** The commit in flight failed and nobody looked yet. */
  private commitFailed = false;
  /** Last position folded into the pipeline (at or past the checkpoint). */
  private foldedUpTo = 0n;
  /** Blocked keys as the last folded batch left them. */
  private foldBlocked = new Set<string>();

  constructor(private readonly deps: RunnerDependencies) {
    this.view = deps.view;
    this.plan = deps.plan;
    this.role = deps.role;
    this.paused = deps.paused === true;
    this.random = deps.random ?? Math.random;
    this.filter = filterOf(deps.plan);
    this.watch = new StoreWatch({ 'event-store': deps.store.kind, 'view-store': deps.view.shape.kind });
    this.target = this.watch.watch('view-store', deps.target);
    this.store = this.watch.watch('event-store', deps.store);
  }

  get name(): string {
    return this.view.projection;
  }

  get generation(): number {
    return this.view.generation;
  }

  get position(): bigint {
    return this.checkpoint;
  }

  get headPosition(): bigint {
    return this.head;
  }

  get isRunning(): boolean {
    return this.state === 'starting' || this.state === 'running';
  }

  /** Caught up: at or past the head last read (the supervisor re-reads the head before a swap). */
  get caughtUp(): boolean {
    return this.state === 'running' && this.checkpoint >= this.head;
  }

  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.state = 'starting';
    // The first progress line comes one interval in, when there is a rate to report.
    this.lastProgressLog = Date.now();
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
    if (this.headTimer === undefined) {
      this.headTimer = setInterval(() => void this.pollHead(), this.deps.options.headPollMs);
      this.headTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.interrupt();
    if (this.headTimer !== undefined) clearInterval(this.headTimer);
    this.headTimer = undefined;
    await this.loop;
    if (this.state !== 'failed') this.state = 'stopped';
  }

  pause(): void {
    this.paused = true;
    this.interrupt();
  }

  resume(): void {
    this.paused = false;
    if (this.state === 'failed' || this.state === 'stopped') {
      this.lastError = null;
      this.start();
    }
    this.interrupt();
  }

  /** Called after every commit and head poll (the supervisor watches rebuilds with it). */
  onProgress(listener: (runner: ProjectionRunner) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
        reject(new CheckpointTimeoutError(this.name, position, this.checkpoint, timeoutMs));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  status(now = Date.now()): GenerationStatus {
    const behind = this.head > this.checkpoint ? this.head - this.checkpoint : 0n;
    const eta = this.meter.etaSeconds(this.checkpoint, this.head);
    const stall = this.stall(now, behind);
    return {
      generation: this.generation,
      fingerprint: this.deps.fingerprint,
      state: this.runnerState(behind, stall),
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
      // Until the head was read once, 0/0 means "not known yet", not "done".
      progress: !this.headKnown
        ? 0
        : this.head === 0n
          ? 1
          : Math.min(1, Number(this.checkpoint) / Number(this.head)),
      etaSeconds: eta === undefined ? null : Math.round(eta),
      parked: this.parkedCount,
      held: this.heldCount,
      lastError: this.lastError,
      stall: this.isRunning && !this.paused ? (stall ?? null) : null,
    };
  }

  // Parked events ----------------------------------------------------------------------------------

  listParked(): Promise<ParkedEvent[]> {
    return this.target.listParked(this.view);
  }

  /** Re-applies a parked event; on success the events held behind it are released in log order. */
  replay(position: bigint): Promise<ParkedResolution> {
    return this.enqueue(() => this.resolveParked(position, 'replay'));
  }

  /** Drops a parked event for good and releases the events held behind it in log order. */
  discard(position: bigint): Promise<ParkedResolution> {
    return this.enqueue(() => this.resolveParked(position, 'discard'));
  }

  // The loop ---------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    this.attempts = 0;
    while (!this.stopping) {
      let subscription: LogSubscription | undefined;
      try {
        await this.initialize();
        this.state = 'running';
        subscription = this.store.subscribeToAll({
          ...(this.checkpoint > 0n ? { after: this.checkpoint } : {}),
          filter: this.filter,
          bufferSize: this.deps.options.bufferSize,
        });
        const reader = new BatchReader(subscription[Symbol.asyncIterator]());
        while (!this.stopping) {
          // Taken before running commands: a command enqueued from here on resolves this very promise,
          // so it is never left waiting behind a read.
          const wake = this.wake.promise;
          if (this.commands.length > 0) {
            // Commands see (and change) the stored state: let the pipeline settle first, forget it after.
            await this.drain();
            await this.runCommands();
            this.resetPipeline();
          }
          if (this.paused) {
            await this.drain();
            await wake;
            continue;
          }
          const read = await reader.next(
            this.deps.options.batchSize,
            this.deps.options.maxBatchLatencyMs,
            wake,
          );
          if (read.kind === 'interrupted') {
            if (this.commitFailed) await this.settle();
            continue;
          }
          if (read.events.length > 0) await this.process(read.events);
          if (read.kind === 'ended') throw new SubscriptionEndedError(this.name);
        }
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof CheckpointMoved) {
          if (error.actual === undefined) {
            this.fail(new GenerationGoneError(this.name, this.generation), 'unknown', 1);
            break;
          }
          this.deps.logger.warn(
            `${this.label()}: checkpoint was moved to ${error.actual} by someone else; resuming from there`,
          );
          continue;
        }
        if (error instanceof GenerationGoneError) {
          this.fail(error, 'unknown', 1);
          break;
        }
        this.attempts += 1;
        const attempts = this.attempts;
        const kind = classifyError(error, this.classifyStoreError);
        this.observeError(kind);
        // An error no store call raised (the subscription ended, a read failed) is the log's.
        const store = this.watch.failed(error, 'event-store');
        this.lastError = { message: errorMessage(error), kind, attempts, at: new Date(), store };
        if (kind !== 'transient' && attempts >= this.deps.options.maxUnknownAttempts) {
          this.fail(error, kind, attempts);
          break;
        }
        const delay = backoffDelay(attempts, this.deps.options.backoff, this.random);
        this.deps.logger.warn(
          `${this.label()}: ${kind} error (attempt ${attempts}), retrying in ${delay} ms: ${errorMessage(error)}`,
        );
        await this.abandonPipeline();
        await subscription?.close().catch(() => undefined);
        subscription = undefined;
        await sleep(delay, this.wake.promise);
      } finally {
        // A commit still in flight finishes (or fails) before anything restarts from the checkpoint.
        await this.abandonPipeline();
        await subscription?.close().catch(() => undefined);
      }
    }
    // Commands queued while the loop could not run them fail rather than hang.
    for (const command of this.commands.splice(0))
      command.reject(new RunnerNotRunningError(this.name, this.state));
  }

  private fail(error: unknown, kind: ErrorClass, attempts: number): void {
    this.state = 'failed';
    const store = this.watch.failed(error, 'view-store');
    this.lastError = { message: errorMessage(error), kind, attempts, at: new Date(), store };
    this.deps.logger.error(
      `${this.label()}: failed after ${attempts} attempt(s), other projections keep running: ${errorMessage(error)}`,
    );
  }

  private async initialize(): Promise<void> {
    const checkpoint = await this.target.readCheckpoint(this.view);
    if (checkpoint === undefined) throw new GenerationGoneError(this.name, this.generation);
    this.checkpoint = checkpoint;
    this.meter.reset(checkpoint);
    await this.refreshParking(true);
    this.resetPipeline();
    await this.pollHead();
  }

  /**
   * Reloads the parked/held records. After a crash in the middle of a release, a held event may wait
   * behind nothing: those are released now, in log order.
   */
  private async refreshParking(releaseOrphans: boolean): Promise<void> {
    const records = await this.target.listParked(this.view);
    this.setParking(records);
    if (releaseOrphans && records.some((record) => record.status === 'held')) {
      await this.releaseHeld();
    }
  }

  private setParking(records: readonly ParkedEvent[]): void {
    this.parkedCount = records.filter((record) => record.status === 'parked').length;
    this.heldCount = records.length - this.parkedCount;
    this.blocked =
      this.plan.onPoison === 'sequenced'
        ? new Set(records.flatMap((record) => record.keys))
        : new Set<string>();
  }

  private async pollHead(): Promise<void> {
    // A hung event store must not pile up one head read per interval; the read waiting is the stall.
    if (this.headPolling) return;
    this.headPolling = true;
    try {
      const head = await this.store.headPosition(this.filter);
      if (head > this.head) this.head = head;
      this.headKnown = true;
      if (this.checkpoint >= this.head) this.lastProgressAt = Date.now();
      this.logProgress();
      this.notify();
    } catch (error) {
      // The head stays where it was; a caught-up runner must not look live while the log is unreachable
      // (issue #12: PostgreSQL cut, projections showed live and 0 behind), so the outage is recorded.
      if (!this.stopping) this.watch.failed(error, 'event-store');
    } finally {
      this.headPolling = false;
    }
  }

  private interrupt(): void {
    const current = this.wake;
    this.wake = deferred();
    current.resolve();
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    if (!this.isRunning) {
      // No loop to race with: run it here.
      return run();
    }
    return new Promise<T>((resolve, reject) => {
      this.commands.push({ run, resolve: resolve, reject });
      this.interrupt();
    });
  }

  private async runCommands(): Promise<void> {
    while (this.commands.length > 0) {
      const command = this.commands.shift()!;
      try {
        command.resolve(await command.run());
      } catch (error) {
        command.reject(error);
      }
    }
  }

  // Batches ----------------------------------------------------------------------------------------

  private async process(batch: readonly StoredEvent[]): Promise<void> {
    if (this.target.capabilities.transactional) {
      await this.pipelined(batch);
      return;
    }
    // Without transactions a batch's writes may be partly stored when a commit fails, so nothing is
    // folded ahead of what is stored: one batch at a time, with the stored positions (see target.port.ts).
    const events = batch.filter((event) => event.position > this.checkpoint);
    if (events.length > 0) await this.applyEvents(events);
  }

  /**
   * Loads and folds this batch while the previous one commits, then commits it once the previous
   * commit succeeded (checkpoint from -> to stays a chain). If the previous commit is rejected as
   * poison, it is bisected and this batch folded again from the stored state.
   */
  private async pipelined(batch: readonly StoredEvent[]): Promise<void> {
    const pending = batch.filter((event) => event.position > this.foldedUpTo);
    if (pending.length === 0) return;
    // Folding is synchronous: a slice takes at most FOLD_SLICE_MS, then the rest waits for the next turn
    // of the event loop, so hostile events cannot freeze the server however many share a batch.
    let keyed = keyEvents(this.plan, pending, Date.now() + FOLD_SLICE_MS);
    const state = await this.loadThroughCache(keyed);
    const fold = foldBatch({
      plan: this.plan,
      view: this.view,
      events: keyed,
      state,
      blocked: this.foldBlocked,
      validate: (document) => this.target.validate(this.view, document),
      now: new Date(),
      deadline: Date.now() + FOLD_SLICE_MS,
    });
    if (fold.consumed < keyed.length) keyed = keyed.slice(0, fold.consumed);
    const events = keyed.length < pending.length ? pending.slice(0, keyed.length) : pending;
    if ((await this.settle()) === 'invalidated') {
      await this.pipelined(batch);
      return;
    }
    const cache = new Map<DocumentKey, ViewDocument | null>();
    for (const entry of keyed) for (const key of entry.keys ?? []) cache.set(key, state.get(key) ?? null);
    for (const operation of fold.operations) {
      if (operation.kind === 'put' || operation.kind === 'delete')
        cache.set(operation.key, state.get(operation.key) ?? null);
    }
    this.cache = cache;
    this.foldBlocked = fold.blocked;
    const to = events[events.length - 1]!.position;
    this.foldedUpTo = to;
    const promise = this.commit({ operations: fold.operations, park: fold.parked }, to, events, fold.blocked);
    // A failed commit must not wait for the next event to be noticed (live, the log may be quiet):
    // flag it and wake the loop, which settles it (retry or bisect).
    promise.catch(() => {
      this.commitFailed = true;
      this.interrupt();
    });
    this.inflight = { promise, events };
    if (events.length < pending.length) {
      await yieldToEventLoop();
      await this.pipelined(batch);
    }
  }

  private async loadThroughCache(keyed: readonly KeyedEvent[]): Promise<Map<DocumentKey, ViewDocument>> {
    const state = new Map<DocumentKey, ViewDocument>();
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const entry of keyed) {
      for (const key of entry.keys ?? []) {
        if (seen.has(key)) continue;
        seen.add(key);
        const cached = this.cache?.get(key);
        if (cached === undefined) missing.push(key);
        else if (cached !== null) state.set(key, cached);
      }
    }
    if (missing.length > 0 && this.target.capabilities.readsState) {
      for (const [key, entry] of await this.target.load(this.view, missing)) {
        if (entry.document !== null) state.set(key, entry.document);
      }
    }
    return state;
  }

  /** Waits for the commit in flight. A poison rejection is bisected here: then the pipeline is invalid. */
  private async settle(): Promise<'ok' | 'invalidated'> {
    const inflight = this.inflight;
    this.commitFailed = false;
    if (inflight === undefined) return 'ok';
    this.inflight = undefined;
    try {
      await inflight.promise;
      return 'ok';
    } catch (error) {
      this.resetPipeline();
      if (classifyError(error, this.classifyStoreError) !== 'poison') throw error;
      this.observeError('poison');
      await this.applyEvents(inflight.events);
      this.resetPipeline();
      return 'invalidated';
    }
  }

  private async drain(): Promise<void> {
    await this.settle();
    this.resetPipeline();
  }

  /** Forgets what was folded ahead: the next batch starts from the stored state. */
  private resetPipeline(): void {
    this.cache = undefined;
    this.foldedUpTo = this.checkpoint;
    this.foldBlocked = new Set(this.blocked);
  }

  private async abandonPipeline(): Promise<void> {
    const inflight = this.inflight;
    this.inflight = undefined;
    if (inflight !== undefined) await inflight.promise.catch(() => undefined);
    this.resetPipeline();
  }

  /** Applies events in one commit; when the store rejects the batch as poison, bisects it. */
  private async applyEvents(events: readonly StoredEvent[]): Promise<void> {
    for (let rest = events; rest.length > 0;) {
      rest = rest.slice(await this.applySlice(rest));
      if (rest.length > 0) await yieldToEventLoop();
    }
  }

  /** Folds and commits a prefix of `events` (see FOLD_SLICE_MS); returns how many it took care of. */
  private async applySlice(events: readonly StoredEvent[]): Promise<number> {
    try {
      return await this.foldAndCommit(events);
    } catch (error) {
      // Nothing of `events` was committed: the failed commit was the first one for them.
      if (classifyError(error, this.classifyStoreError) !== 'poison') throw error;
      this.observeError('poison');
      if (events.length === 1) {
        await this.parkAlone(events[0]!, errorMessage(error));
        return 1;
      }
      const middle = Math.ceil(events.length / 2);
      await this.applyEvents(events.slice(0, middle));
      await this.applyEvents(events.slice(middle));
      return events.length;
    }
  }

  private async foldAndCommit(all: readonly StoredEvent[]): Promise<number> {
    const keyed = keyEvents(this.plan, all, Date.now() + FOLD_SLICE_MS);
    const fold = await this.loadAndFold(keyed, this.blocked, FOLD_SLICE_MS);
    const events = fold.consumed < all.length ? all.slice(0, fold.consumed) : all;
    const to = events[events.length - 1]!.position;
    await this.commit({ operations: fold.operations, park: fold.parked }, to, events, fold.blocked);
    return events.length;
  }

  /** Loads the current documents of the events' keys and folds the events over them. */
  private async loadAndFold(
    keyed: readonly KeyedEvent[],
    blocked: ReadonlySet<string>,
    sliceMs?: number,
  ): Promise<FoldResult> {
    const { state, appliedUpTo } = await this.loadState(keyed);
    return foldBatch({
      ...(sliceMs !== undefined && { deadline: Date.now() + sliceMs }),
      plan: this.plan,
      view: this.view,
      events: keyed,
      state,
      appliedUpTo,
      blocked,
      validate: (document) => this.target.validate(this.view, document),
      now: new Date(),
    });
  }

  private async loadState(
    keyed: readonly KeyedEvent[],
  ): Promise<{ state: Map<DocumentKey, ViewDocument>; appliedUpTo: Map<DocumentKey, bigint> | undefined }> {
    const state = new Map<DocumentKey, ViewDocument>();
    // Graph views do not read state: their operations are merges.
    if (!this.target.capabilities.readsState) return { state, appliedUpTo: undefined };
    const keys = new Set<string>();
    for (const entry of keyed) if (entry.keys !== undefined) for (const key of entry.keys) keys.add(key);
    const loaded: ReadonlyMap<DocumentKey, LoadedDocument> =
      keys.size === 0 ? new Map() : await this.target.load(this.view, [...keys]);
    let appliedUpTo: Map<DocumentKey, bigint> | undefined;
    for (const [key, entry] of loaded) {
      if (entry.document !== null) state.set(key, entry.document);
      if (entry.position !== undefined) (appliedUpTo ??= new Map()).set(key, entry.position);
    }
    return { state, appliedUpTo };
  }

  /** A single event the store rejected: park it alone and move the checkpoint past it. */
  private async parkAlone(event: StoredEvent, reason: string): Promise<void> {
    const [keyed] = keyEvents(this.plan, [event]);
    const keys = keyed?.keys ?? [];
    const record = parkedRecord(this.view, event, keys, reason, 'parked', new Date());
    const blocked = new Set(this.blocked);
    if (this.plan.onPoison === 'sequenced') for (const key of keys) blocked.add(key);
    await this.commit({ operations: [], park: [record] }, event.position, [event], blocked);
  }

  /** Commits a batch; only once it is stored does the runner's own state (checkpoint, blocked keys) move. */
  private async commit(
    batch: { operations: ViewOperation[]; park: ParkedEvent[] },
    to: bigint,
    events: readonly StoredEvent[],
    blocked: Set<string>,
  ): Promise<void> {
    const started = performance.now();
    const result = await this.target.commit(this.view, {
      operations: batch.operations,
      park: batch.park,
      checkpoint: { from: this.checkpoint, to },
    });
    if (result.kind === 'checkpoint-mismatch') throw new CheckpointMoved(result.actual);
    this.deps.observer?.batchCommitted({
      projection: this.name,
      generation: this.generation,
      events: events.length,
      seconds: (performance.now() - started) / 1000,
      committed: events,
    });
    this.checkpoint = to;
    this.blocked = blocked;
    // Failures are counted until something is stored again.
    this.attempts = 0;
    this.lastError = null;
    for (const parked of batch.park) {
      if (parked.status === 'parked') {
        this.parkedCount += 1;
        // The correlation id leads from this line back to the command (and request) that wrote the event.
        const correlationId = parked.event.metadata.correlationId;
        this.deps.logger.warn(
          `${this.label()}: parked ${parked.eventType} at ${parked.position}` +
            `${correlationId !== undefined ? ` (correlation ${correlationId})` : ''}: ${parked.reason}`,
          {
            projection: this.name,
            generation: this.generation,
            position: parked.position,
            eventType: parked.eventType,
            ...(correlationId !== undefined ? { correlationId } : {}),
          },
        );
      } else {
        this.heldCount += 1;
      }
    }
    if (to > this.head) this.head = to;
    this.meter.record(events.length, to);
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

  // Replay, discard, release ------------------------------------------------------------------------

  private async resolveParked(position: bigint, mode: 'replay' | 'discard'): Promise<ParkedResolution> {
    const records = await this.target.listParked(this.view);
    const record = records.find(
      (candidate) => candidate.position === position && candidate.status === 'parked',
    );
    if (record === undefined) throw new ParkedEventNotFoundError(this.name, position);
    // Recorded with the release, at this checkpoint, so `verify` can redo it (issue #12).
    const resolution = (action: ParkingResolution['action']): ParkingResolution => ({
      position: record.position,
      action,
      checkpoint: this.checkpoint,
      resolvedAt: new Date(),
    });
    if (mode === 'replay') {
      const outcome = await this.applyReleased(record, resolution('replayed'));
      if (outcome !== undefined) {
        await this.refreshParking(false);
        return { kind: 'still-parked', reason: outcome };
      }
    } else {
      await this.commitAdmin({
        operations: [],
        release: [record.position],
        resolve: [resolution('discarded')],
      });
    }
    const released = await this.releaseHeld();
    const correlationId = record.event.metadata.correlationId;
    this.deps.logger.info(
      `${this.label()}: ${mode}ed the event at ${position}; released ${released} held event(s)`,
      {
        projection: this.name,
        generation: this.generation,
        position,
        eventType: record.eventType,
        ...(correlationId !== undefined ? { correlationId } : {}),
      },
    );
    return { kind: mode === 'replay' ? 'replayed' : 'discarded', released };
  }

  /**
   * Releases held events, in log order, whose keys no longer wait behind a parked event. One that
   * fails is parked in turn, and the events behind it stay held. Returns how many were applied.
   */
  private async releaseHeld(): Promise<number> {
    const records = await this.target.listParked(this.view);
    const stillBlocked = new Set(records.filter((r) => r.status === 'parked').flatMap((r) => r.keys));
    let released = 0;
    for (const record of records) {
      if (record.status !== 'held') continue;
      if (record.keys.some((key) => stillBlocked.has(key))) {
        for (const key of record.keys) stillBlocked.add(key);
        continue;
      }
      const failure = await this.applyReleased(record);
      if (failure === undefined) released += 1;
      else for (const key of record.keys) stillBlocked.add(key);
    }
    await this.refreshParking(false);
    return released;
  }

  /**
   * Applies one parked or held event on its own, at the current checkpoint (which does not move: the
   * event is behind it). Returns why it failed (then it is recorded as parked), or undefined.
   */
  private async applyReleased(
    record: ParkedEvent,
    resolution?: ParkingResolution,
  ): Promise<string | undefined> {
    const keyed = keyEvents(this.plan, [record.event]);
    let reason: string | undefined;
    try {
      const fold = await this.loadAndFold(keyed, new Set());
      const failed = fold.parked[0];
      if (failed === undefined) {
        await this.commitAdmin({
          operations: fold.operations,
          release: [record.position],
          ...(resolution !== undefined && { resolve: [resolution] }),
        });
        return undefined;
      }
      reason = failed.reason;
    } catch (error) {
      if (classifyError(error, this.classifyStoreError) !== 'poison') throw error;
      reason = errorMessage(error);
    }
    await this.commitAdmin({
      operations: [],
      park: [{ ...record, reason, status: 'parked', parkedAt: new Date() }],
    });
    return reason;
  }

  private async commitAdmin(batch: {
    operations: ViewOperation[];
    park?: ParkedEvent[];
    release?: bigint[];
    resolve?: ParkingResolution[];
  }): Promise<void> {
    const result = await this.target.commit(this.view, {
      ...batch,
      checkpoint: { from: this.checkpoint, to: this.checkpoint },
    });
    if (result.kind === 'checkpoint-mismatch') throw new CheckpointMoved(result.actual);
  }

  // Reporting --------------------------------------------------------------------------------------

  private runnerState(behind: bigint, stall: StoreStall | undefined): RunnerState {
    if (this.state === 'failed') return 'failed';
    if (this.state === 'stopped') return 'stopped';
    if (this.paused) return 'paused';
    if (stall !== undefined) return 'stalled';
    if (this.state === 'starting') return 'starting';
    if (this.role === 'rebuild') return 'rebuilding';
    return behind > 0n ? 'catching-up' : 'live';
  }

  /**
   * Why the runner has made no progress for the stall bound, if it has not: a store failing or not
   * answering, or (nothing failing, yet nothing arriving while behind) a subscription that delivers nothing.
   */
  private stall(now: number, behind: bigint): StoreStall | undefined {
    const afterMs = this.deps.options.stallAfterMs;
    // Caught up, a successful head read counts as progress; so a store in trouble stalls only a runner
    // that has not moved for the whole bound.
    if (now - this.lastProgressAt < afterMs) return undefined;
    // No progress for the bound: a store in trouble that long, else any store in trouble now (a call
    // waiting since the last event arrived), explains it.
    const trouble = this.watch.stall(afterMs, now) ?? this.watch.stall(0, now);
    if (trouble !== undefined) return trouble;
    if (behind === 0n) return undefined;
    return {
      store: 'event-store',
      kind: this.watch.kindOf('event-store'),
      since: new Date(this.lastProgressAt),
      lastError: `no events received for ${Math.round((now - this.lastProgressAt) / 1000)} s while ${behind} positions behind`,
    };
  }

  private logProgress(): void {
    const now = Date.now();
    if (now - this.lastProgressLog < this.deps.options.progressLogMs) return;
    // Only worth a line while really behind (a catch-up or rebuild), not for the last live batch.
    if (this.head - this.checkpoint <= BigInt(this.deps.options.batchSize)) return;
    this.lastProgressLog = now;
    const status = this.status(now);
    const eta = status.etaSeconds === null ? 'unknown' : `${status.etaSeconds}s`;
    this.deps.logger.info(
      `${this.label()}: ${status.checkpoint}/${status.head} (${(status.progress * 100).toFixed(1)}%), ` +
        `${status.eventsPerSecond} events/s, ETA ${eta}`,
    );
  }

  private observeError(kind: ErrorClass): void {
    this.deps.observer?.storeError({ projection: this.name, generation: this.generation, kind });
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this);
  }

  private label(): string {
    return `${this.name} g${this.generation}${this.role === 'rebuild' ? ' (rebuild)' : ''}`;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
