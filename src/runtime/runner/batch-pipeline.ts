/**
 * The batch pipeline: how a batch read from the log reaches the view store.
 *
 * On a transactional store, batch N+1 is loaded and folded while batch N commits, and committed once N is
 * stored (the checkpoint from -> to stays a chain). If the store rejects N as poison, N is bisected
 * (poison-isolation.ts) and N+1 folded again from the stored state.
 *
 * Without transactions a batch's writes may be partly stored when a commit fails, so nothing is folded
 * ahead of what is stored: one batch at a time, with the stored positions (see target.port.ts).
 */
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { foldBatch, keyEvents, type KeyedEvent, type LookupState } from '../batch-fold';
import { fansOut, withFanOutKeys } from '../fan-out-keys';
import { copyLookupState, loadLookupState, withLookupWrites } from '../lookup-state';
import type { BatchCommitter } from './batch-commit';
import type { PoisonIsolation } from './poison-isolation';
import { FOLD_SLICE_MS, yieldToEventLoop, type RunnerContext } from './runner-context';
import type { RunnerStatus } from './runner-status';

export class BatchPipeline {
  /** The commit in flight and its events (bisected if the store rejects them). */
  private inflight: { readonly promise: Promise<void>; readonly events: readonly StoredEvent[] } | undefined;
  /**
   * The documents of the keys the last folded batch touched, as that batch left them (null: deleted).
   * The next batch reads these instead of the database, which may not have them yet; every other key is
   * untouched by the commit in flight, so the database has it right.
   */
  private cache: Map<DocumentKey, ViewDocument | null> | undefined;
  /** The same for lookup entries (plans with lookups): as the last folded batch left them. */
  private lookupCache: LookupState | undefined;
  /** The commit in flight failed and nobody looked yet. */
  private failed = false;
  /** Last position folded into the pipeline (at or past the checkpoint). */
  private foldedUpTo = 0n;
  /** Blocked keys as the last folded batch left them. */
  private foldBlocked = new Set<string>();

  constructor(
    private readonly context: RunnerContext,
    private readonly status: RunnerStatus,
    private readonly committer: BatchCommitter,
    private readonly poison: PoisonIsolation,
    /** Wakes the loop: a failed commit must be settled without waiting for the next event. */
    private readonly interrupt: () => void,
  ) {}

  /** The commit in flight failed: the loop settles it (retry or bisect) before reading on. */
  get commitFailed(): boolean {
    return this.failed;
  }

  async process(batch: readonly StoredEvent[]): Promise<void> {
    if (this.context.target.capabilities.transactional) {
      await this.pipelined(batch);
      return;
    }
    const events = batch.filter((event) => event.position > this.status.checkpoint);
    if (events.length > 0) await this.poison.applyEvents(events);
  }

  /** Waits for the commit in flight. A poison rejection is bisected here: then the pipeline is invalid. */
  async settle(): Promise<'ok' | 'invalidated'> {
    const inflight = this.inflight;
    this.failed = false;
    if (inflight === undefined) return 'ok';
    this.inflight = undefined;
    try {
      await inflight.promise;
      return 'ok';
    } catch (error) {
      this.reset();
      if (this.context.classify(error) !== 'poison') throw error;
      this.context.observeError('poison');
      await this.poison.applyEvents(inflight.events);
      this.reset();
      return 'invalidated';
    }
  }

  /** Lets the commit in flight finish (errors go to the caller), then forgets what was folded ahead. */
  async drain(): Promise<void> {
    await this.settle();
    this.reset();
  }

  /** Forgets what was folded ahead: the next batch starts from the stored state. */
  reset(): void {
    this.cache = undefined;
    this.lookupCache = undefined;
    this.foldedUpTo = this.status.checkpoint;
    this.foldBlocked = new Set(this.committer.blocked);
  }

  /** Waits for the commit in flight, ignoring how it ends, and forgets the pipeline (before a restart). */
  async abandon(): Promise<void> {
    const inflight = this.inflight;
    this.inflight = undefined;
    if (inflight !== undefined) await inflight.promise.catch(() => undefined);
    this.reset();
  }

  /**
   * Loads and folds this batch while the previous one commits, then commits it once the previous
   * commit succeeded. If the previous commit is rejected as poison, it is bisected and this batch folded
   * again from the stored state.
   */
  private async pipelined(batch: readonly StoredEvent[]): Promise<void> {
    const { plan, view, target } = this.context;
    const pending = batch.filter((event) => event.position > this.foldedUpTo);
    if (pending.length === 0) return;
    // Folding is synchronous: a slice takes at most FOLD_SLICE_MS, then the rest waits for the next turn
    // of the event loop, so hostile events cannot freeze the server however many share a batch.
    const lookups = await loadLookupState(plan, target, view, pending, this.lookupCache);
    let keyed = keyEvents(plan, pending, Date.now() + FOLD_SLICE_MS, lookups && copyLookupState(lookups));
    if (plan.fanOutsOf !== undefined) {
      // Fan-out keys are found in the store, which must hold the batch in flight first (the cache only
      // knows the keys that batch touched, not which documents match now).
      if (this.inflight !== undefined && fansOut(plan, keyed) && (await this.settle()) === 'invalidated') {
        await this.pipelined(batch);
        return;
      }
      keyed = await withFanOutKeys(plan, keyed, target.findKeys?.bind(target, view), target.kind);
    }
    const state = await this.loadThroughCache(keyed);
    const fold = foldBatch({
      plan,
      view,
      events: keyed,
      state,
      blocked: this.foldBlocked,
      validate: (document) => target.validate(view, document),
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
    // what was loaded, and what the events folded remembered (not those keyed but left for the next slice)
    if (lookups !== undefined) this.lookupCache = withLookupWrites(lookups, fold.lookups);
    this.foldBlocked = fold.blocked;
    const to = events[events.length - 1]!.position;
    this.foldedUpTo = to;
    const promise = this.committer.commit(
      { operations: fold.operations, park: fold.parked, lookups: fold.lookups },
      to,
      events,
      fold.blocked,
    );
    // A failed commit must not wait for the next event to be noticed (live, the log may be quiet):
    // flag it and wake the loop, which settles it (retry or bisect).
    promise.catch(() => {
      this.failed = true;
      this.interrupt();
    });
    this.inflight = { promise, events };
    if (events.length < pending.length) {
      await yieldToEventLoop();
      await this.pipelined(batch);
    }
  }

  private async loadThroughCache(keyed: readonly KeyedEvent[]): Promise<Map<DocumentKey, ViewDocument>> {
    const { target, view } = this.context;
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
    if (missing.length > 0 && target.capabilities.readsState) {
      for (const [key, entry] of await target.load(view, missing)) {
        if (entry.document !== null) state.set(key, entry.document);
      }
    }
    return state;
  }
}
