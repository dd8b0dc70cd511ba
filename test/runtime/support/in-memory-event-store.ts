/**
 * A minimal in-process EventStore for runtime tests that are about the runtime, not about a log:
 * global positions 1, 2, 3…, catch-up-then-live subscriptions, filters. The real adapters are proven by
 * the event store contract suite; the runtime's crash and benchmark runs use the PostgreSQL store.
 */
import { randomUUID } from 'node:crypto';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from '../../../src/eventstore/event-store.port';

export class InMemoryEventStore implements EventStore {
  readonly kind = 'memory';
  readonly events: StoredEvent[] = [];
  private readonly wakers = new Set<() => void>();

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    _expected: ExpectedRevision,
  ): Promise<AppendResult> {
    let revision = this.events.filter((e) => e.streamId === streamId).length - 1;
    for (const event of events) {
      revision += 1;
      this.events.push({
        id: event.id ?? randomUUID(),
        streamId,
        revision,
        position: BigInt(this.events.length + 1),
        type: event.type,
        data: event.data,
        metadata: { timestamp: new Date().toISOString(), schemaVersion: 1, ...event.metadata },
      });
    }
    for (const wake of [...this.wakers]) wake();
    return { streamId, revision, position: BigInt(this.events.length) };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return this.events.filter((e) => e.streamId === streamId);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.read(options.after ?? 0n, options.maxCount, options.filter, this.events.length);
  }

  private read(after: bigint, maxCount: number, filter: LogFilter | undefined, end: number): StoredEvent[] {
    const page: StoredEvent[] = [];
    for (let i = Number(after); i < end && page.length < maxCount; i += 1) {
      const event = this.events[i]!;
      if (matches(event, filter)) page.push(event);
    }
    return page;
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    const state = { cursor: options.after ?? 0n, closed: false, wake: undefined as (() => void) | undefined };
    return {
      close: async () => {
        state.closed = true;
        state.wake?.();
      },
      [Symbol.asyncIterator]: () => this.follow(state, options.filter),
    };
  }

  private async *follow(
    state: { cursor: bigint; closed: boolean; wake: (() => void) | undefined },
    filter: LogFilter | undefined,
  ): AsyncGenerator<StoredEvent> {
    while (!state.closed) {
      // Synchronous from reading to moving the cursor, so no append can slip in between.
      const end = this.events.length;
      const page = this.read(state.cursor, 500, filter, end);
      if (page.length === 0) {
        // Nothing matched up to the end: skip past it, then wait for an append.
        if (BigInt(end) > state.cursor) state.cursor = BigInt(end);
        await new Promise<void>((resolve) => {
          state.wake = resolve;
          this.wakers.add(resolve);
        });
        if (state.wake) this.wakers.delete(state.wake);
        continue;
      }
      for (const event of page) {
        if (state.closed) return;
        state.cursor = event.position;
        yield event;
      }
    }
  }

  async headPosition(filter?: LogFilter): Promise<bigint> {
    for (let i = this.events.length - 1; i >= 0; i -= 1) {
      if (matches(this.events[i]!, filter)) return this.events[i]!.position;
    }
    return 0n;
  }

  async close(): Promise<void> {
    for (const wake of [...this.wakers]) wake();
  }
}

function matches(event: StoredEvent, filter: LogFilter | undefined): boolean {
  if (
    filter?.eventTypes !== undefined &&
    filter.eventTypes.length > 0 &&
    !filter.eventTypes.includes(event.type)
  )
    return false;
  if (filter?.streamPrefix !== undefined && !event.streamId.startsWith(filter.streamPrefix)) return false;
  return true;
}
