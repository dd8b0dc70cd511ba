/**
 * Throughput over a sliding window, for status and progress logs: events per second, positions per
 * second (positions need not be dense, so the ETA divides the remaining position distance by the
 * position rate), and the ETA to a head position.
 */
interface Sample {
  readonly at: number;
  readonly events: number;
  readonly position: bigint;
}

export class ProgressMeter {
  private readonly samples: Sample[] = [];
  private events = 0;

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts measuring from a known position (the checkpoint a runner resumes from). */
  reset(position: bigint): void {
    this.samples.length = 0;
    this.samples.push({ at: this.now(), events: this.events, position });
  }

  record(events: number, position: bigint): void {
    this.events += events;
    const at = this.now();
    this.samples.push({ at, events: this.events, position });
    // Keep one sample older than the window so the rate always spans the whole window.
    while (this.samples.length > 2 && this.samples[1]!.at < at - this.windowMs) this.samples.shift();
  }

  get totalEvents(): number {
    return this.events;
  }

  eventsPerSecond(): number {
    return this.rate((sample) => sample.events);
  }

  positionsPerSecond(): number {
    return this.rate((sample) => Number(sample.position));
  }

  /** Seconds until `head` at the current rate; 0 when there; undefined when no rate is known yet. */
  etaSeconds(checkpoint: bigint, head: bigint): number | undefined {
    if (checkpoint >= head) return 0;
    const rate = this.positionsPerSecond();
    return rate > 0 ? Number(head - checkpoint) / rate : undefined;
  }

  private rate(value: (sample: Sample) => number): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || first === last) return 0;
    const at = Math.max(this.now(), last.at);
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? (value(last) - value(first)) / seconds : 0;
  }
}
