/**
 * A catch-up-then-live subscription built on nothing but "read a page of the log after position P".
 *
 * Catch-up and live are the same loop: read the next page after the last delivered position; when a page
 * comes back short the reader is at the head, so it waits for a change notification (or the poll interval)
 * and reads again. There is no switch-over moment, hence no gap and no duplicate at the switch, provided
 * the store never makes an event visible below a position it already returned (the PostgreSQL adapter's
 * transaction-id rule, SQLite's single writer).
 *
 * Back-pressure: at most `bufferSize` events are held ahead of the consumer; the producer reads no further
 * until the consumer takes some, so a slow consumer costs bounded memory.
 */
import type { ChangeNotifier } from './change-notifier';
import type { LogSubscription, StoredEvent } from './event-store.port';

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_BUFFER_SIZE = 1_000;
export const DEFAULT_POLL_INTERVAL_MS = 250;
const SETTLE_START_MS = 5;

export interface PollingSubscriptionOptions {
  /** Exclusive start position; absent means the start of the log. */
  readonly after?: bigint;
  readonly pageSize?: number;
  readonly bufferSize?: number;
  /** Longest wait for a change notification before reading again anyway. */
  readonly pollIntervalMs?: number;
  readonly notifier: ChangeNotifier;
  /** Up to `maxCount` matching events with a position greater than `after`, in position order. */
  readPage(after: bigint | undefined, maxCount: number): Promise<StoredEvent[]>;
  /** Runs once before the first read (e.g. starts a LISTEN connection so no notification is missed). */
  start?(): Promise<void>;
  /** Runs once when the subscription closes. */
  onClose?(): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * First in, first out, with a constant-time take. Array.shift() moves the rest of the array once V8 stops
 * trimming it in place (large buffers), which makes draining a big buffer quadratic.
 */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  pushAll(values: readonly T[]): void {
    for (const value of values) this.items.push(value);
  }

  /** Up to `max` values from the front, in order. */
  takeUpTo(max: number): T[] {
    const taken: T[] = [];
    while (taken.length < max && this.head < this.items.length) taken.push(this.take() as T);
    return taken;
  }

  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head];
    this.items[this.head++] = undefined; // let the consumer's copy be the only reference
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class PollingLogSubscription implements LogSubscription {
  private readonly queue = new Fifo<StoredEvent>();
  private readonly pageSize: number;
  private readonly bufferSize: number;
  private readonly pollIntervalMs: number;
  private readonly abort = new AbortController();
  private position: bigint | undefined;
  private closed = false;
  private failure: { readonly error: unknown } | undefined;
  private producer: Promise<void> | undefined;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(private readonly options: PollingSubscriptionOptions) {
    this.position = options.after;
    this.bufferSize = positive(options.bufferSize ?? DEFAULT_BUFFER_SIZE, 'bufferSize');
    this.pageSize = positive(options.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize');
    this.pollIntervalMs = positive(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 'pollIntervalMs');
  }

  /** Events read from the store and not yet taken by the consumer (never more than bufferSize). */
  get buffered(): number {
    return this.queue.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  takeReady(max: number): StoredEvent[] {
    if (this.closed) return [];
    const events = this.queue.takeUpTo(max);
    if (events.length > 0) this.wakeProducer?.();
    return events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.queue.clear();
    this.wakeConsumer?.();
    this.wakeProducer?.();
    await this.producer;
    this.options.onClose?.();
  }

  private async next(): Promise<IteratorResult<StoredEvent>> {
    this.producer ??= this.produce();
    for (;;) {
      if (this.closed) return DONE;
      const event = this.queue.take();
      if (event !== undefined) {
        this.wakeProducer?.();
        return { done: false, value: event };
      }
      if (this.failure !== undefined) {
        // Events buffered before the failure were delivered first; then the consumer sees the error once.
        const { error } = this.failure;
        await this.close();
        throw error;
      }
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = undefined;
    }
  }

  private async produce(): Promise<void> {
    // Refill only when a worthwhile page fits: topping up one event at a time would cost a query per event.
    const refillAt = Math.min(this.pageSize, Math.ceil(this.bufferSize / 2));
    /** Short waits after a notification found nothing new yet (see below); 0 when not settling. */
    let settleMs = 0;
    let notified = false;
    try {
      await this.options.start?.();
      while (!this.closed) {
        const room = this.bufferSize - this.queue.length;
        if (room < refillAt) {
          await new Promise<void>((resolve) => (this.wakeProducer = resolve));
          this.wakeProducer = undefined;
          continue;
        }
        const seen = this.options.notifier.version;
        const wanted = Math.min(this.pageSize, room);
        const page = await this.options.readPage(this.position, wanted);
        if (this.closed) return;
        const last = page.at(-1);
        if (last !== undefined) {
          this.queue.pushAll(page);
          this.position = last.position;
          this.wakeConsumer?.();
          settleMs = 0;
        } else if (notified || settleMs > 0) {
          // Something was appended but is not readable yet (in PostgreSQL: committed while an older
          // transaction is still open). Its visibility brings no notification of its own, so look again
          // soon, backing off to the poll interval, instead of waiting a whole interval.
          settleMs = Math.min(settleMs === 0 ? SETTLE_START_MS : settleMs * 2, this.pollIntervalMs);
        }
        if (page.length < wanted) {
          await this.options.notifier.waitForChange(seen, settleMs || this.pollIntervalMs, this.abort.signal);
          notified = this.options.notifier.version !== seen;
        } else {
          notified = false;
        }
      }
    } catch (error) {
      if (!this.closed) this.failure = { error };
    } finally {
      this.wakeConsumer?.();
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Subscription option ${name} must be a positive integer, got ${value}.`);
  }
  return value;
}
