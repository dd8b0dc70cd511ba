/**
 * The last minutes of every projection's lag and rate, sampled in the server so the console's sparklines
 * have a history as soon as the page opens (Prometheus keeps the long history: /metrics).
 */

export interface StatusSample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Events behind the head (the live generation's, or the rebuild's while one runs). */
  readonly behind: number;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
}

export interface SampledStatus {
  readonly name: string;
  readonly behind: string;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
}

/** A bounded ring of samples per projection; projections that disappear are forgotten. */
export class StatusHistory {
  private readonly samples = new Map<string, StatusSample[]>();

  constructor(private readonly capacity: number) {}

  record(at: number, statuses: readonly SampledStatus[]): void {
    const seen = new Set<string>();
    for (const status of statuses) {
      seen.add(status.name);
      const list = this.samples.get(status.name) ?? [];
      list.push({
        at,
        behind: Number(status.behind),
        lagSeconds: status.lagSeconds,
        eventsPerSecond: status.eventsPerSecond,
      });
      if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
      this.samples.set(status.name, list);
    }
    for (const name of [...this.samples.keys()]) if (!seen.has(name)) this.samples.delete(name);
  }

  of(name: string): readonly StatusSample[] {
    return this.samples.get(name) ?? [];
  }
}
