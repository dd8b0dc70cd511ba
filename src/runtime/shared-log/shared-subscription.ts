/**
 * One runner's subscription through the shared reader (shared-log-reader.ts). It delivers exactly what
 * the log's own `subscribeToAll(after, filter)` would (every matching event after its start, once, in
 * order) from one of two sources, switching between them at its cursor (the last position it delivered):
 *
 *  - attached: the shared window, scanned from its own index (events of other filters are skipped);
 *  - own: a subscription of its own on the log, after its cursor, as every runner had before issue #17.
 *    A new subscription starts here; so does one the reader detached (it fell out of the window, or the
 *    reader was reset). Each event it delivers asks the reader to attach it again: granted once its
 *    cursor is inside the window (see SharedLogReader.tryAttach).
 *
 * Switching drops what the source being left had buffered beyond the cursor: the other source has it.
 */
import type { EventLog, LogFilter, LogSubscription, StoredEvent } from '../../eventstore/event-store.port';
import { matchesFilter, normalizeFilter, type NormalizedFilter } from '../../eventstore/log-filter';

/** Before every position of the log: a subscription that starts at the beginning. */
export const LOG_START = -1n;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** What a subscription asks of the reader that owns the window. */
export interface SharedWindow {
  /** Attaches `member` if its cursor lies in the window; true when it is attached now. */
  tryAttach(member: SharedSubscription): boolean;
  /** The next event of the window for an attached member, or undefined at the end of the window. */
  take(member: SharedSubscription): StoredEvent | undefined;
  /** Resolves when the window grows, the member is detached or failed, or the reader resets. */
  changed(member: SharedSubscription): Promise<void>;
  /** The member is closed: forget it. */
  leave(member: SharedSubscription): void;
}

export class SharedSubscription implements LogSubscription {
  /** Last position delivered (LOG_START before the first). */
  cursor: bigint;
  /** Absolute index in the window of the next event to look at, while attached. */
  index = 0;
  mode: 'own' | 'attached' | 'closed' = 'own';
  /** Set when it was let go for running ahead of the others: the reader's position then. */
  leftAhead: bigint | undefined;
  /** When it last attached (epoch ms): a member just attached is not judged a laggard yet. */
  attachedAt = 0;
  /** It asked for its first event (the reader's start hold counts the runners that did). */
  arrived = false;
  readonly filter: NormalizedFilter;
  private own:
    | {
        readonly subscription: LogSubscription;
        readonly iterator: AsyncIterator<StoredEvent>;
      }
    | undefined;
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly window: SharedWindow,
    private readonly log: EventLog,
    readonly rawFilter: LogFilter,
    after: bigint | undefined,
    private readonly bufferSize: number | undefined,
  ) {
    this.cursor = after ?? LOG_START;
    this.filter = normalizeFilter(rawFilter);
  }

  matches(event: StoredEvent): boolean {
    return event.position > this.cursor && matchesFilter(event, this.filter);
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

  /** While attached, the window's next events for this filter; reading on its own, none (next() does). */
  takeReady(max: number): StoredEvent[] {
    const events: StoredEvent[] = [];
    while (events.length < max && this.mode === 'attached' && this.failure === undefined) {
      const event = this.takeFromWindow();
      if (event === undefined) break;
      events.push(event);
    }
    return events;
  }

  /** The window's next event for this filter (attached only), moving the cursor past it. */
  private takeFromWindow(): StoredEvent | undefined {
    const event = this.window.take(this);
    if (event !== undefined) this.cursor = event.position;
    return event;
  }

  async close(): Promise<void> {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.window.leave(this);
    await this.closeOwn();
  }

  /** Called by the reader: from now on read on its own, after the cursor (`ahead`: see leftAhead). */
  detach(ahead?: bigint): void {
    if (this.mode === 'attached') this.mode = 'own';
    this.leftAhead = ahead;
  }

  /** Called by the reader when its read failed while this was attached: the consumer sees the error once. */
  fail(error: unknown): void {
    if (this.mode !== 'attached') return;
    this.failure = { error };
    this.mode = 'own';
  }

  private async next(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      if (this.mode === 'closed') return DONE;
      if (this.failure !== undefined) {
        const { error } = this.failure;
        await this.close();
        throw error;
      }
      if (this.mode === 'attached') {
        const event = this.takeFromWindow();
        if (event !== undefined) return { done: false, value: event };
        await this.window.changed(this);
        continue;
      }
      if (this.window.tryAttach(this)) {
        await this.closeOwn();
        continue;
      }
      this.own ??= this.openOwn();
      const result = await this.own.iterator.next();
      if (this.mode !== 'own') continue; // closed meanwhile
      if (result.done === true) {
        // The log's subscriptions do not end; if one does, so does this one (the runner resubscribes).
        await this.close();
        return DONE;
      }
      if (result.value.position <= this.cursor) continue;
      this.cursor = result.value.position;
      // Attach now if the window has what follows: the own subscription's read-ahead is then wasted, but
      // one reading of the log serves this runner from here on.
      // Not awaited: closing waits for the own subscription's read in flight, which this event need not.
      if (this.window.tryAttach(this)) void this.closeOwn();
      return { done: false, value: result.value };
    }
  }

  private openOwn(): { subscription: LogSubscription; iterator: AsyncIterator<StoredEvent> } {
    const subscription = this.log.subscribeToAll({
      ...(this.cursor !== LOG_START && { after: this.cursor }),
      filter: this.rawFilter,
      ...(this.bufferSize !== undefined && { bufferSize: this.bufferSize }),
    });
    return { subscription, iterator: subscription[Symbol.asyncIterator]() };
  }

  private async closeOwn(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await own?.subscription.close().catch(() => undefined);
  }
}
