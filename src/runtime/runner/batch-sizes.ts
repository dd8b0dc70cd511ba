/**
 * How many events the runner asks its reader for next, and how long the batch may wait to fill.
 *
 * Live, a batch holds at most `batchSize` events and closes `maxBatchLatencyMs` after its first event.
 * A store whose commits cost much more per event when small (`capabilities.catchUpBatchSize`: Neo4j,
 * issue #17) gets larger batches while the projection catches up, that is once a read filled a whole
 * `batchSize` batch (the events were waiting), until a read comes back short of `batchSize` (the runner
 * reached the head). The latency bound grows in proportion, so that a catch-up batch is not cut short
 * while the subscription fetches its next page of the log.
 *
 * Larger batches keep more events alive: measured on a server catching up ten projections at once, four
 * of them on Neo4j, 10,000-event batches each cost 10 s more garbage collection than 2,000-event ones
 * and won nothing, while one graph catching up alone was live about 17% sooner (21 s instead of 25-26 s
 * on 20,000 orders, bench/whole-start.ts --only purchase_graph). So the runners of one process
 * share a budget of events in larger batches (CatchUpBudget): one runner catching up gets all of it,
 * several split it, and none goes below `batchSize`.
 */
import type { RunnerOptions } from '../runtime.options';

/** The process's budget of events in catch-up batches larger than `batchSize`, split among the runners using it. */
export class CatchUpBudget {
  private readonly users = new Set<object>();

  constructor(readonly events: number) {}

  enter(user: object): void {
    this.users.add(user);
  }

  leave(user: object): void {
    this.users.delete(user);
  }

  /** Events per batch for each runner using the budget now. */
  get share(): number {
    return Math.floor(this.events / Math.max(1, this.users.size));
  }
}

export class BatchSizes {
  private readonly catchUpSize: number;
  private catchingUp = false;

  constructor(
    private readonly options: Pick<RunnerOptions, 'batchSize' | 'maxBatchLatencyMs'>,
    catchUpBatchSize: number | undefined,
    /** Absent: a runner on its own (tests, tools) takes the store's whole catch-up size. */
    private readonly budget?: CatchUpBudget,
  ) {
    this.catchUpSize = Math.max(options.batchSize, catchUpBatchSize ?? 0);
  }

  get size(): number {
    if (!this.catchingUp) return this.options.batchSize;
    const share = this.budget?.share ?? this.catchUpSize;
    return Math.max(this.options.batchSize, Math.min(this.catchUpSize, share));
  }

  get latencyMs(): number {
    const { batchSize, maxBatchLatencyMs } = this.options;
    return Math.ceil((maxBatchLatencyMs * this.size) / batchSize);
  }

  /** Called with the number of events of each read (0 when it was interrupted). */
  observe(events: number): void {
    if (events === 0) return; // an interrupted read says nothing about the backlog
    this.catchingUp = events >= this.options.batchSize && this.catchUpSize > this.options.batchSize;
    if (this.catchingUp) this.budget?.enter(this);
    else this.budget?.leave(this);
  }

  /** The runner stopped reading (stopped, or resubscribing): its share goes back to the others. */
  close(): void {
    this.catchingUp = false;
    this.budget?.leave(this);
  }
}
