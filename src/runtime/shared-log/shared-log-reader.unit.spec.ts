import { createEventStore } from '../../eventstore/event-store.factory';
import type {
  EventStore,
  LogFilter,
  LogSubscription,
  StoredEvent,
  SubscribeOptions,
} from '../../eventstore/event-store.port';
import { interceptedLog } from '../../../test/support/intercepted-log';
import { SharedLogReader } from './shared-log-reader';

const TYPES = ['OrderPlaced', 'ItemAdded', 'OrderShipped', 'CustomerRegistered'] as const;

/** `count` events cycling through TYPES, on streams s-0..s-9. */
async function fill(store: EventStore, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i += 1) {
    await store.append(`s-${i % 10}`, [{ type: TYPES[i % TYPES.length]!, data: { i } }], 'any');
  }
}

/** What the log's own subscription would deliver: every matching event after `after`. */
async function expected(store: EventStore, filter: LogFilter, after?: bigint): Promise<bigint[]> {
  const events = await store.readAll({ ...(after !== undefined && { after }), maxCount: 1_000_000, filter });
  return events.map((event) => event.position);
}

/** Takes `count` events from a subscription. */
async function take(iterator: AsyncIterator<StoredEvent>, count: number): Promise<bigint[]> {
  const positions: bigint[] = [];
  while (positions.length < count) {
    const result = await iterator.next();
    if (result.done === true) throw new Error(`ended after ${positions.length} events`);
    positions.push(result.value.position);
  }
  return positions;
}

describe('SharedLogReader', () => {
  let store: EventStore;
  let reader: SharedLogReader;

  beforeEach(async () => {
    store = await createEventStore({ kind: 'embedded', file: ':memory:' });
  });

  afterEach(async () => {
    await reader?.close();
    await store.close();
  });

  it('reads the log once for subscribers with different filters, each getting exactly its events', async () => {
    await fill(store, 400);
    const filters: LogFilter[] = [
      { eventTypes: ['OrderPlaced', 'ItemAdded'] },
      { eventTypes: ['OrderShipped'] },
      { eventTypes: ['ItemAdded'], streamPrefix: 's-1' },
      {},
    ];
    reader = new SharedLogReader(store, { window: 1000 });
    for (const filter of filters) reader.declare(filter);
    const subscriptions = filters.map((filter) => reader.subscribeToAll({ filter }));
    const got = await Promise.all(
      filters.map(async (filter, i) =>
        take(subscriptions[i]![Symbol.asyncIterator](), (await expected(store, filter)).length),
      ),
    );
    for (const [i, filter] of filters.entries()) expect(got[i]).toEqual(await expected(store, filter));
    expect(reader.stats).toMatchObject({ eventsRead: 400, attached: 4, detaches: 0, opens: 1 });

    // Live: appended after the catch-up, delivered to each once.
    await fill(store, 8, 400);
    const live = await Promise.all(
      filters.map(async (filter, i) =>
        take(
          subscriptions[i]![Symbol.asyncIterator](),
          (await expected(store, filter, got[i]!.at(-1))).length,
        ),
      ),
    );
    for (const [i, filter] of filters.entries())
      expect(live[i]).toEqual(await expected(store, filter, got[i]!.at(-1)));
    expect(reader.stats.eventsRead).toBe(408);
    for (const subscription of subscriptions) await subscription.close();
    expect(reader.stats).toMatchObject({ attached: 0, subscribers: 0 });
  });

  it('hands an attached subscriber the window in bulk (takeReady), in the order next() gives, with nothing repeated', async () => {
    await fill(store, 400);
    reader = new SharedLogReader(store, { window: 1000 });
    const filter: LogFilter = { eventTypes: ['OrderPlaced', 'ItemAdded'] };
    reader.declare(filter);
    const subscription = reader.subscribeToAll({ filter });
    const iterator = subscription[Symbol.asyncIterator]();
    const all = await expected(store, filter);
    // The first next() attaches it; once the reader has read the log into the window, the rest is ready.
    const got = await take(iterator, 1);
    while (reader.stats.eventsRead < all.length) await new Promise((resolve) => setTimeout(resolve, 5));
    let inBulk = 0;
    while (got.length < all.length) {
      const ready = subscription.takeReady!(30);
      expect(ready.length).toBeLessThanOrEqual(30);
      inBulk += ready.length;
      got.push(...ready.map((event) => event.position));
      if (ready.length === 0) got.push(...(await take(iterator, 1)));
    }
    expect(got).toEqual(all);
    expect(inBulk).toBe(all.length - 1);
    // Live: the next event comes through next() once appended, not again through takeReady.
    expect(subscription.takeReady!(30)).toEqual([]);
    await fill(store, 4, 400);
    const more = await expected(store, filter, all.at(-1));
    expect(await take(iterator, more.length)).toEqual(more);
    await subscription.close();
    expect(subscription.takeReady!(30)).toEqual([]);
  });

  it('detaches a subscriber that does not keep up; the others reach the head, and it catches up exactly', async () => {
    await fill(store, 600);
    reader = new SharedLogReader(store, { window: 50 });
    const filter: LogFilter = { eventTypes: ['OrderPlaced', 'ItemAdded'] };
    reader.declare(filter);
    const fast = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
    const slow = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
    const all = await expected(store, filter);
    // Both attach at the start (their first next() calls come before the reader's first read).
    const [one, other] = await Promise.all([take(fast, 1), take(slow, 1)]);
    expect(reader.stats.attached).toBe(2);
    // The slow one takes 10 events, then stops (a paused or slow runner).
    expect([...other, ...(await take(slow, 9))]).toEqual(all.slice(0, 10));
    expect([...one, ...(await take(fast, all.length - 1))]).toEqual(all);
    expect(reader.stats.detaches).toBeGreaterThanOrEqual(1);
    // It resumes: on its own reads, with nothing missing or repeated, and attaches again near the head.
    expect(await take(slow, all.length - 10)).toEqual(all.slice(10));
    await fill(store, 8, 600);
    const more = await expected(store, filter, all.at(-1));
    expect(await take(fast, more.length)).toEqual(more);
    expect(await take(slow, more.length)).toEqual(more);
    expect(reader.stats.attached).toBe(2);
  });

  it.each([
    ['at once', 0],
    // a's grace ends 50 ms before b's. Judged then, a alone looked like the smaller group behind: a CI run
    // under load attached them a millisecond apart and let both go, one after the other.
    ['50 ms apart', 50],
  ])(
    'lets the one running ahead read on its own when most subscribers are behind (attached %s)',
    async (_, apartMs) => {
      await fill(store, 600);
      reader = new SharedLogReader(store, { window: 50 });
      const filter: LogFilter = { eventTypes: ['OrderPlaced', 'ItemAdded'] };
      reader.declare(filter);
      const [a, b, ahead] = [0, 1, 2].map(() => reader.subscribeToAll({ filter })[Symbol.asyncIterator]());
      const all = await expected(store, filter);
      const firstA = await take(a!, 1);
      if (apartMs > 0) await new Promise((resolve) => setTimeout(resolve, apartMs));
      const [firstB, firstAhead] = await Promise.all([take(b!, 1), take(ahead!, 1)]);
      expect(reader.stats.attached).toBe(3);
      const gotA = [...firstA, ...(await take(a!, 9))];
      const gotB = [...firstB, ...(await take(b!, 9))];
      expect([...firstAhead, ...(await take(ahead!, all.length - 1))]).toEqual(all);
      // The two behind keep sharing; only the one ahead was let go.
      expect(reader.stats).toMatchObject({ detaches: 1, attached: 2 });
      expect([...gotA, ...(await take(a!, all.length - 10))]).toEqual(all);
      expect([...gotB, ...(await take(b!, all.length - 10))]).toEqual(all);
    },
  );

  it('serves a subscriber that starts far behind (a rebuild from 0) from its own reads until it reaches the window', async () => {
    await fill(store, 300);
    reader = new SharedLogReader(store, { window: 40 });
    const filter: LogFilter = { eventTypes: ['ItemAdded'] };
    reader.declare(filter);
    const head = await store.headPosition();
    const live = reader.subscribeToAll({ filter, after: head - 20n })[Symbol.asyncIterator]();
    const tail = await expected(store, filter, head - 20n);
    expect(await take(live, tail.length)).toEqual(tail);
    const rebuild = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
    const all = await expected(store, filter);
    expect(await take(rebuild, all.length)).toEqual(all);
    expect(reader.stats).toMatchObject({ attached: 2, eventsRead: tail.length });
  });

  it('widens what it reads for a subscriber with a type nobody declared, without a gap', async () => {
    await fill(store, 200);
    reader = new SharedLogReader(store, { window: 1000 });
    reader.declare({ eventTypes: ['OrderPlaced'] });
    const first = reader.subscribeToAll({ filter: { eventTypes: ['OrderPlaced'] } })[Symbol.asyncIterator]();
    const placed = await expected(store, { eventTypes: ['OrderPlaced'] });
    expect(await take(first, 20)).toEqual(placed.slice(0, 20));
    const filter: LogFilter = { eventTypes: ['OrderShipped', 'OrderPlaced'] };
    const second = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
    const wanted = await expected(store, filter);
    expect(await take(second, wanted.length)).toEqual(wanted);
    expect(await take(first, placed.length - 20)).toEqual(placed.slice(20));
    await fill(store, 8, 200);
    const more = await expected(store, filter, wanted.at(-1));
    expect(await take(second, more.length)).toEqual(more);
    expect(reader.stats.opens).toBeGreaterThanOrEqual(2);
  });

  it("gives the log's error to the attached subscribers, which resubscribe and go on", async () => {
    await fill(store, 100);
    let failNext = false;
    const failing = interceptedLog(store, (options?: SubscribeOptions): LogSubscription => {
      const inner = store.subscribeToAll(options);
      const iterator = inner[Symbol.asyncIterator]();
      return {
        close: () => inner.close(),
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const result = await iterator.next();
            if (failNext) throw new Error('log unreachable');
            return result;
          },
        }),
      };
    });
    reader = new SharedLogReader(failing, { window: 1000 });
    const filter: LogFilter = { eventTypes: ['ItemAdded'] };
    reader.declare(filter);
    const first = reader.subscribeToAll({ filter });
    const all = await expected(store, filter);
    const got = await take(first[Symbol.asyncIterator](), all.length);
    failNext = true;
    await fill(store, 8, 100);
    await expect(first[Symbol.asyncIterator]().next()).rejects.toThrow('log unreachable');
    failNext = false;
    const again = reader.subscribeToAll({ filter, after: got.at(-1)! })[Symbol.asyncIterator]();
    const more = await expected(store, filter, got.at(-1));
    expect(await take(again, more.length)).toEqual(more);
  });

  describe('start hold', () => {
    const filter: LogFilter = { eventTypes: ['OrderPlaced', 'ItemAdded'] };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    /** Waits until the reader has read `count` events (it stops there while it holds a full window). */
    async function readerReached(count: number): Promise<void> {
      for (let i = 0; i < 500 && reader.stats.eventsRead < count; i += 1) await sleep(5);
    }
    /** `events` in the log, a reader with a window of 50 holding its start for `runners`; every matching event. */
    async function heldReader(events: number, runners: number, startHoldMs?: number): Promise<bigint[]> {
      await fill(store, events);
      reader = new SharedLogReader(store, { window: 50, ...(startHoldMs !== undefined && { startHoldMs }) });
      reader.declare(filter);
      reader.holdStart(runners);
      return expected(store, filter);
    }

    it('keeps the first window for a runner that subscribes late at start, which then shares the reads', async () => {
      const all = await heldReader(600, 2);
      const early = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
      const earlyGot = take(early, all.length);
      await readerReached(50);
      await sleep(50);
      // Held: the early runner took the window's 50 events and waits; nothing was evicted or read past.
      expect(reader.stats.eventsRead).toBe(50);
      const late = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
      const lateFirst = await take(late, 1);
      // It found its cursor (the log's start) in the window: served by the shared read from its first event.
      expect(reader.stats).toMatchObject({ attached: 2, attaches: 2, detaches: 0 });
      expect([...lateFirst, ...(await take(late, all.length - 1))]).toEqual(all);
      expect(await earlyGot).toEqual(all);
    });

    it('ends when the runtime releases it, though an expected runner never subscribed', async () => {
      const all = await heldReader(300, 3);
      const only = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
      const got = take(only, all.length);
      await readerReached(50);
      reader.releaseStart();
      expect(await got).toEqual(all);
      expect(reader.stats).toMatchObject({ eventsRead: all.length, detaches: 0 });
    });

    it('ends by itself after startHoldMs', async () => {
      const all = await heldReader(300, 2, 100);
      const only = reader.subscribeToAll({ filter })[Symbol.asyncIterator]();
      expect(await take(only, all.length)).toEqual(all);
    });
  });
});
