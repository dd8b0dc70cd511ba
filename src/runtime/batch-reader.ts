/**
 * Cuts a catch-up-then-live event stream into batches bounded by size and by latency: a batch closes
 * when it holds `maxSize` events or when its first event has waited `maxLatencyMs`, whichever comes
 * first. During catch-up events are already buffered, so batches fill to `maxSize` at once; live, a
 * lone event is committed within `maxLatencyMs`.
 *
 * Events the subscription already holds are taken in bulk (`takeReady`) when it offers that: a catch-up
 * of a million events would otherwise pay a `next()` promise, a result object and a `Promise.race` per
 * event (a fifth of the server's allocations in a whole start, measured for issue #17). `next()` is only
 * awaited when nothing is ready.
 */
import type { StoredEvent } from '../eventstore/event-store.port';

export type BatchReadResult =
  | { readonly kind: 'batch'; readonly events: StoredEvent[] }
  /** `interrupt` fired before any event arrived (a command, a pause, a stop). */
  | { readonly kind: 'interrupted' }
  /** The underlying stream ended (subscriptions should not; the runner resubscribes). */
  | { readonly kind: 'ended'; readonly events: StoredEvent[] };

/** Takes up to `max` events that are ready now, in the order `next()` would give them (LogSubscription.takeReady). */
export type TakeReady = (max: number) => StoredEvent[];

const TIMEOUT: unique symbol = Symbol('timeout');
const INTERRUPTED: unique symbol = Symbol('interrupted');

export class BatchReader {
  /** A `next()` already asked for and not consumed yet: an iterator must never be asked twice. */
  private pending: Promise<IteratorResult<StoredEvent>> | undefined;

  constructor(
    private readonly iterator: AsyncIterator<StoredEvent>,
    private readonly takeReady?: TakeReady,
  ) {}

  async next(maxSize: number, maxLatencyMs: number, interrupt: Promise<unknown>): Promise<BatchReadResult> {
    const events = this.ready(maxSize);
    if (events.length === 0) {
      const first = await Promise.race([this.pull(), interrupt.then((): typeof INTERRUPTED => INTERRUPTED)]);
      if (first === INTERRUPTED) return { kind: 'interrupted' };
      this.pending = undefined;
      if (first.done === true) return { kind: 'ended', events: [] };
      events.push(first.value);
    }
    if (events.length >= maxSize) return { kind: 'batch', events };

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), maxLatencyMs);
    });
    try {
      while (events.length < maxSize) {
        const ready = this.ready(maxSize - events.length);
        if (ready.length > 0) {
          for (const event of ready) events.push(event);
          continue;
        }
        const result = await Promise.race([this.pull(), deadline]);
        if (result === TIMEOUT) break;
        this.pending = undefined;
        if (result.done === true) return { kind: 'ended', events };
        events.push(result.value);
      }
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'batch', events };
  }

  /** What the subscription holds now; never while a `next()` is pending (its event comes first). */
  private ready(max: number): StoredEvent[] {
    return this.pending === undefined && this.takeReady !== undefined ? this.takeReady(max) : [];
  }

  private pull(): Promise<IteratorResult<StoredEvent>> {
    this.pending ??= this.iterator.next();
    return this.pending;
  }
}
