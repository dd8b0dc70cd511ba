/**
 * Poison isolation: events the plan cannot apply are parked inside the fold (batch-fold.ts); a batch the
 * store rejects as a whole (a constraint or data error) is bisected here until the failing event is found,
 * and that one is parked alone, so every other event of the batch is stored and the checkpoint moves past
 * it. With sequenced parking its keys are blocked: later events for them are held behind it.
 *
 * This is also the runner's path that folds from the stored state alone, one commit at a time (stores
 * without transactions; what a pipelined commit rejected; releases of parked events).
 */
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { LoadedDocument } from '../../stores/target.port';
import { foldBatch, keyEvents, parkedRecord, type FoldResult, type KeyedEvent } from '../batch-fold';
import { withFanOutKeys } from '../fan-out-keys';
import { loadLookupState } from '../lookup-state';
import { errorMessage } from '../error-classifier';
import type { BatchCommitter } from './batch-commit';
import { FOLD_SLICE_MS, yieldToEventLoop, type RunnerContext } from './runner-context';

export class PoisonIsolation {
  constructor(
    private readonly context: RunnerContext,
    private readonly committer: BatchCommitter,
  ) {}

  /** Applies events in one commit; when the store rejects the batch as poison, bisects it. */
  async applyEvents(events: readonly StoredEvent[]): Promise<void> {
    for (let rest = events; rest.length > 0;) {
      rest = rest.slice(await this.applySlice(rest));
      if (rest.length > 0) await yieldToEventLoop();
    }
  }

  /**
   * Keys of the events (a prefix, with a deadline), their lookup entries loaded first when the plan has
   * lookups, the stored keys their fan-outs select added when it has updateAll.
   */
  async keyed(events: readonly StoredEvent[], deadline?: number): Promise<KeyedEvent[]> {
    const { plan, target, view } = this.context;
    const lookups = await loadLookupState(plan, target, view, events);
    const keyed = keyEvents(plan, events, deadline, lookups);
    if (plan.fanOutsOf === undefined) return keyed;
    return withFanOutKeys(plan, keyed, target.findKeys?.bind(target, view), target.kind);
  }

  /** Loads the current documents of the events' keys and folds the events over them. */
  async loadAndFold(
    keyed: readonly KeyedEvent[],
    blocked: ReadonlySet<string>,
    sliceMs?: number,
  ): Promise<FoldResult> {
    const { plan, view, target } = this.context;
    const { state, appliedUpTo } = await this.loadState(keyed);
    return foldBatch({
      ...(sliceMs !== undefined && { deadline: Date.now() + sliceMs }),
      plan,
      view,
      events: keyed,
      state,
      appliedUpTo,
      blocked,
      validate: (document) => target.validate(view, document),
      now: new Date(),
    });
  }

  /** Folds and commits a prefix of `events` (see FOLD_SLICE_MS); returns how many it took care of. */
  private async applySlice(events: readonly StoredEvent[]): Promise<number> {
    try {
      return await this.foldAndCommit(events);
    } catch (error) {
      // Nothing of `events` was committed: the failed commit was the first one for them.
      if (this.context.classify(error) !== 'poison') throw error;
      this.context.observeError('poison');
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
    const keyed = await this.keyed(all, Date.now() + FOLD_SLICE_MS);
    const fold = await this.loadAndFold(keyed, this.committer.blocked, FOLD_SLICE_MS);
    const events = fold.consumed < all.length ? all.slice(0, fold.consumed) : all;
    const to = events[events.length - 1]!.position;
    await this.committer.commit(
      { operations: fold.operations, park: fold.parked, lookups: fold.lookups },
      to,
      events,
      fold.blocked,
    );
    return events.length;
  }

  private async loadState(
    keyed: readonly KeyedEvent[],
  ): Promise<{ state: Map<DocumentKey, ViewDocument>; appliedUpTo: Map<DocumentKey, bigint> | undefined }> {
    const { target, view } = this.context;
    const state = new Map<DocumentKey, ViewDocument>();
    // Plans that do not read state (merges into a graph) need nothing loaded.
    if (!target.capabilities.readsState) return { state, appliedUpTo: undefined };
    const keys = new Set<string>();
    for (const entry of keyed) if (entry.keys !== undefined) for (const key of entry.keys) keys.add(key);
    const loaded: ReadonlyMap<DocumentKey, LoadedDocument> =
      keys.size === 0 ? new Map() : await target.load(view, [...keys]);
    let appliedUpTo: Map<DocumentKey, bigint> | undefined;
    for (const [key, entry] of loaded) {
      if (entry.document !== null) state.set(key, entry.document);
      if (entry.position !== undefined) (appliedUpTo ??= new Map()).set(key, entry.position);
    }
    return { state, appliedUpTo };
  }

  /** A single event the store rejected: park it alone and move the checkpoint past it. */
  private async parkAlone(event: StoredEvent, reason: string): Promise<void> {
    const { plan, view } = this.context;
    const [keyed] = await this.keyed([event]);
    const keys = keyed?.keys ?? [];
    const record = parkedRecord(view, event, keys, reason, 'parked', new Date());
    const blocked = new Set(this.committer.blocked);
    if (plan.onPoison === 'sequenced') for (const key of keys) blocked.add(key);
    // its remembered lookup entries are facts of the event alone, kept as when the fold parks an event
    const lookups =
      keyed?.keysError === undefined && keyed?.remembered !== undefined ? [...keyed.remembered] : undefined;
    await this.committer.commit(
      { operations: [], park: [record], lookups },
      event.position,
      [event],
      blocked,
    );
  }
}
