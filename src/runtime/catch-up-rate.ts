/**
 * The rate a runner reached while catching up (issue #17): events applied over the time spent applying
 * them, counting only the batches that started while the runner was more than a batch behind the head, so
 * neither the idle wait for new events once live nor the small batches of a quiet log dilute it. `prism plan` estimates
 * a rebuild from it, and it outlives the catch-up: a projection that went live minutes ago still says what
 * it could do, where the sliding window of the ProgressMeter only says how fast events arrive now.
 */
export interface CatchUpMeasure {
  readonly eventsPerSecond: number;
  /** Events and seconds the rate was measured over. */
  readonly events: number;
  readonly seconds: number;
}

/** Below this much measured time the figure is mostly start-up noise (first reads, pool warm-up). */
const MIN_MEASURED_MS = 1_000;

export class CatchUpRate {
  private events = 0;
  private ms = 0;
  /** When catch-up work on the next batch started (the runner was more than a batch behind), if it did. */
  private behindSince: number | undefined;

  constructor(
    /** Positions behind the head above which a batch counts as catch-up work: the runner's batch size. */
    private readonly minBehind: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The runner (re)starts at `checkpoint` with the log's head known to be `head`. */
  resumed(checkpoint: bigint, head: bigint): void {
    this.behindSince = this.farBehind(checkpoint, head) ? this.now() : undefined;
  }

  /** The head was read: a runner at rest that finds itself behind starts catch-up work now. */
  headRead(checkpoint: bigint, head: bigint): void {
    if (!this.farBehind(checkpoint, head)) this.behindSince = undefined;
    else this.behindSince ??= this.now();
  }

  /** A batch of `events` was committed up to `checkpoint`; `head` is the head as known now. */
  committed(events: number, checkpoint: bigint, head: bigint): void {
    const at = this.now();
    if (this.behindSince !== undefined) {
      this.events += events;
      this.ms += at - this.behindSince;
    }
    this.behindSince = this.farBehind(checkpoint, head) ? at : undefined;
  }

  /** The rate measured so far, or undefined when too little was measured to say. */
  measure(): CatchUpMeasure | undefined {
    if (this.ms < MIN_MEASURED_MS || this.events === 0) return undefined;
    const seconds = this.ms / 1000;
    return { eventsPerSecond: this.events / seconds, events: this.events, seconds };
  }

  private farBehind(checkpoint: bigint, head: bigint): boolean {
    return head - checkpoint > BigInt(this.minBehind);
  }
}
