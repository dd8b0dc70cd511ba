/**
 * What every part of one runner shares: the generation it drives, its two stores (called through the
 * runner's StoreWatch, so status can say which store is in trouble), how its errors are read, and how it
 * names itself in logs. ProjectionRunner builds it once and hands it to each part.
 */
import type { CompiledProjection } from '../../core/plan';
import type { EventLog, LogFilter } from '../../eventstore/event-store.port';
import type { Target, ViewRef } from '../../stores/target.port';
import { classifyError, type ErrorClass } from '../error-classifier';
import { logFilterOf } from '../source-filter';
import type { RuntimeLogger } from '../runtime.logger';
import type { RuntimeObserver } from '../runtime.observer';
import type { RunnerOptions } from '../runtime.options';
import { StoreWatch } from '../store-watch';
import type { CatchUpBudget } from './batch-sizes';

export type RunnerRole = 'live' | 'rebuild';

export interface RunnerDependencies {
  readonly store: EventLog;
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
  /**
   * The lease epoch of this node on the projection (issue #15): carried by every commit, so the target
   * refuses them once a newer holder raised the generation's fence. Absent: one process, no leases.
   */
  readonly fence?: bigint;
  /** Called once when a commit was fenced: the runner has stopped, the lease is lost. */
  readonly onFenced?: (fence: bigint) => void;
  /** The process's budget of events in catch-up batches (batch-sizes.ts); absent: no limit but the store's. */
  readonly catchUpBudget?: CatchUpBudget;
}

export interface RunnerContext {
  readonly plan: CompiledProjection;
  readonly view: ViewRef;
  readonly options: RunnerOptions;
  readonly logger: RuntimeLogger;
  readonly observer: RuntimeObserver | undefined;
  /** Which store is in trouble and since when (issue #12 item 12). */
  readonly watch: StoreWatch;
  /** The view store, called through `watch`. */
  readonly target: Target;
  /** The event store, called through `watch`. */
  readonly store: EventLog;
  /** The part of the log the projection reads. */
  readonly filter: LogFilter;
  /** The lease epoch every commit carries (see RunnerDependencies.fence). */
  readonly fence: bigint | undefined;
  /** Tells the owner that a commit was fenced (the runner stops). */
  readonly onFenced: ((fence: bigint) => void) | undefined;
  readonly catchUpBudget: CatchUpBudget | undefined;
  /** "name gN (rebuild)"; read on every line, since a rebuild that is swapped in becomes the live runner. */
  label(): string;
  /** The class of a failure, with the view store's own reading of its errors. */
  classify(error: unknown): ErrorClass;
  /** Counts a failed read, load or commit for the metrics. */
  observeError(kind: ErrorClass): void;
}

export function runnerContext(deps: RunnerDependencies, role: () => RunnerRole): RunnerContext {
  const watch = new StoreWatch({ 'event-store': deps.store.kind, 'view-store': deps.view.shape.kind });
  const { view } = deps;
  return {
    plan: deps.plan,
    view,
    options: deps.options,
    logger: deps.logger,
    observer: deps.observer,
    watch,
    target: watch.watch('view-store', deps.target),
    store: watch.watch('event-store', deps.store),
    filter: logFilterOf(deps.plan),
    fence: deps.fence,
    onFenced: deps.onFenced,
    catchUpBudget: deps.catchUpBudget,
    label: () =>
      `${view.projection}${view.segment ? `#${view.segment}` : ''} g${view.generation}${role() === 'rebuild' ? ' (rebuild)' : ''}`,
    classify: (error) => classifyError(error, (cause) => deps.target.classifyError(cause)),
    observeError: (kind) =>
      deps.observer?.storeError({ projection: view.projection, generation: view.generation, kind }),
  };
}

/**
 * Longest one synchronous fold may run before the runner commits what it folded and yields the event
 * loop (issue #12 item 1). A normal batch of 2,000 events folds in about 10 ms, so this cuts only batches
 * of unusually expensive events (each bounded by the DSL's cost budget).
 */
export const FOLD_SLICE_MS = 100;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
