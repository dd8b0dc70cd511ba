/**
 * The EventStore contract: what "works" means for an event log. Every adapter (PostgreSQL, embedded
 * SQLite, KurrentDB) runs this same suite from its own spec file:
 *
 *   eventStoreContract('PostgreSQL event store', async () => createPostgresEventStore({ url, schema }));
 *
 * The factory returns a fresh store per test. Tests do not assume the log is empty: each test writes to
 * streams under its own random prefix and reads the global log after the head position it saw first, so
 * the suite also runs against a shared server (KurrentDB) that already holds events.
 */
import { randomUUID } from 'node:crypto';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
} from '../../src/eventstore/event-store.errors';
import type {
  EventStore,
  EventToAppend,
  LogFilter,
  LogSubscription,
  StoredEvent,
} from '../../src/eventstore/event-store.port';

export interface EventStoreContractOptions {
  /** `describe.skip` to list the suite as skipped. */
  readonly describe?: jest.Describe;
  /**
   * Whether event ids are unique across the whole log, so reusing one in another stream is rejected
   * (PostgreSQL, SQLite). KurrentDB only deduplicates retries of the same append.
   */
  readonly uniqueIdsAcrossLog?: boolean;
  /**
   * A read-only log (a table another tool writes, src/eventstore/sql-log): `append` is the test's own
   * writer putting rows straight into the table, so the cases about append semantics (expected revisions,
   * idempotent retries, concurrent conflicts) are listed as skipped and only the read side is checked.
   */
  readonly readSideOnly?: boolean;
}

/** Longest wait for a subscription to deliver what a test expects; a guard against hangs, not a timing check. */
const DELIVERY_GUARD_MS = 20_000;

export function eventStoreContract(
  name: string,
  createStore: () => Promise<EventStore>,
  options: EventStoreContractOptions = {},
): void {
  const describeSuite = options.describe ?? describe;
  const describeAppends = options.readSideOnly === true ? describe.skip : describe;

  describeSuite(name, () => {
    let store: EventStore;
    /** This test's stream prefix. */
    let ns: string;
    /** Head of the log before the test wrote anything. */
    let start: bigint;
    /** Position of the last event this test appended: the read-your-writes token of its reads. */
    let written: bigint;
    const subscriptions: LogSubscription[] = [];

    beforeEach(async () => {
      store = trackingAppends(await createStore(), (position) => {
        if (position > written) written = position;
      });
      ns = `c${randomUUID().slice(0, 8)}-`;
      start = await store.headPosition();
      written = start;
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      await store.close();
    });

    function subscribe(after: bigint | undefined, filter?: LogFilter, bufferSize?: number): LogSubscription {
      const subscription = store.subscribeToAll({
        ...(after !== undefined && { after }),
        ...(filter && { filter }),
        ...(bufferSize !== undefined && { bufferSize }),
      });
      subscriptions.push(subscription);
      return subscription;
    }

    /**
     * Waits until readers see everything this test appended. An append's position is its read-your-writes
     * token: a log may show a committed event to readers a little later (PostgreSQL does while an older
     * transaction on the server is still open), never out of order.
     */
    async function settle(): Promise<void> {
      await waitFor(
        async () => (await store.headPosition()) >= written,
        `position ${written} to become visible`,
      );
    }

    /** The global log after `start`, once this test's appends are visible. */
    async function readLog(filter: LogFilter): Promise<StoredEvent[]> {
      await settle();
      return readAllPages(store, start, filter);
    }

    /** This test's part of the global log. */
    async function readMine(filter: LogFilter = {}): Promise<StoredEvent[]> {
      return readLog({ streamPrefix: ns, ...filter });
    }

    describe('append and read back', () => {
      it('stores every field and fills metadata defaults, passing correlation, causation and user through', async () => {
        const givenId = randomUUID();
        const before = Date.now();
        const result = await store.append(
          `${ns}order-1`,
          [
            {
              id: givenId,
              type: 'OrderPlaced',
              data: { orderId: '1', lines: [{ sku: 'a', qty: 2 }], total: 12.5, gift: false, note: null },
              metadata: { correlationId: 'corr-1', causationId: 'cmd-1', userId: 'user-1' },
            },
            { type: 'OrderConfirmed', data: { orderId: '1' }, metadata: { schemaVersion: 3 } },
          ],
          'no_stream',
        );
        const events = await store.readStream(`${ns}order-1`);

        expect(events).toHaveLength(2);
        const [placed, confirmed] = events as [StoredEvent, StoredEvent];
        expect(placed).toMatchObject({
          id: givenId,
          streamId: `${ns}order-1`,
          revision: 0,
          type: 'OrderPlaced',
          data: { orderId: '1', lines: [{ sku: 'a', qty: 2 }], total: 12.5, gift: false, note: null },
          metadata: { correlationId: 'corr-1', causationId: 'cmd-1', userId: 'user-1', schemaVersion: 1 },
        });
        expect(confirmed.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(confirmed).toMatchObject({
          revision: 1,
          type: 'OrderConfirmed',
          metadata: { schemaVersion: 3 },
        });
        expect(confirmed.metadata).not.toHaveProperty('correlationId');
        for (const event of events) {
          expect(typeof event.position).toBe('bigint');
          expect(new Date(event.metadata.timestamp).toISOString()).toBe(event.metadata.timestamp);
          expect(Date.parse(event.metadata.timestamp)).toBeGreaterThanOrEqual(before - 1_000);
          expect(Date.parse(event.metadata.timestamp)).toBeLessThanOrEqual(Date.now() + 1_000);
        }
        expect(placed.position).toBeGreaterThan(start);
        expect(confirmed.position).toBeGreaterThan(placed.position);
        expect(result).toEqual({ streamId: `${ns}order-1`, revision: 1, position: confirmed.position });

        expect(await readMine()).toEqual(events);
        expect(await store.headPosition()).toBe(confirmed.position);
      });

      it('keeps a timestamp the writer set', async () => {
        await store.append(
          `${ns}import`,
          [{ type: 'Imported', data: {}, metadata: { timestamp: '2020-02-29T12:00:00.000Z' } }],
          'any',
        );
        const [event] = await store.readStream(`${ns}import`);
        expect(event?.metadata.timestamp).toBe('2020-02-29T12:00:00.000Z');
      });

      it('reads a stream from a revision, at most maxCount events, and a missing stream as empty', async () => {
        await store.append(`${ns}s`, numbered('Counted', 0, 6), 'no_stream');
        const middle = await store.readStream(`${ns}s`, { fromRevision: 2, maxCount: 3 });
        expect(middle.map((event) => event.revision)).toEqual([2, 3, 4]);
        expect(middle.map((event) => event.data.n)).toEqual([2, 3, 4]);
        expect(await store.readStream(`${ns}s`, { fromRevision: 6 })).toEqual([]);
        expect(await store.readStream(`${ns}missing`)).toEqual([]);
      });
    });

    describeAppends('expected revision', () => {
      it("'no_stream' creates a new stream and conflicts on an existing one", async () => {
        await expect(store.append(`${ns}a`, [event('Created')], 'no_stream')).resolves.toMatchObject({
          revision: 0,
        });
        const conflict = await store
          .append(`${ns}a`, [event('Created')], 'no_stream')
          .catch((error: unknown) => error);
        expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
        expect(conflict).toMatchObject({ streamId: `${ns}a`, expected: 'no_stream', actual: 0 });
      });

      it('an exact revision appends; a stale or future one conflicts and names the actual revision', async () => {
        await store.append(`${ns}a`, numbered('Step', 0, 3), 'no_stream');
        await expect(store.append(`${ns}a`, [event('Step')], 2)).resolves.toMatchObject({ revision: 3 });

        const stale = await store.append(`${ns}a`, [event('Step')], 2).catch((error: unknown) => error);
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ expected: 2, actual: 3 });
        expect((stale as Error).message).toContain('revision 3');

        await expect(store.append(`${ns}a`, [event('Step')], 9)).rejects.toMatchObject({
          expected: 9,
          actual: 3,
        });
        const onMissing = await store
          .append(`${ns}missing`, [event('Step')], 0)
          .catch((error: unknown) => error);
        expect(onMissing).toBeInstanceOf(WrongExpectedRevisionError);
        expect(onMissing).toMatchObject({ expected: 0, actual: 'no_stream' });
        expect(await store.readStream(`${ns}a`)).toHaveLength(4);
        expect(await store.readStream(`${ns}missing`)).toEqual([]);
      });

      it("'stream_exists' conflicts on a missing stream and appends to an existing one", async () => {
        const missing = await store
          .append(`${ns}a`, [event('X')], 'stream_exists')
          .catch((error: unknown) => error);
        expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
        expect(missing).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
        await store.append(`${ns}a`, [event('X')], 'no_stream');
        await expect(
          store.append(`${ns}a`, [event('X'), event('Y')], 'stream_exists'),
        ).resolves.toMatchObject({
          revision: 2,
        });
      });

      it("'any' appends to new and existing streams", async () => {
        await expect(store.append(`${ns}a`, [event('X')], 'any')).resolves.toMatchObject({ revision: 0 });
        await expect(store.append(`${ns}a`, [event('X'), event('X')], 'any')).resolves.toMatchObject({
          revision: 2,
        });
      });

      it('a conflicting multi-event append writes none of its events', async () => {
        await store.append(`${ns}a`, [event('First')], 'no_stream');
        await settle();
        const head = await store.headPosition();
        await expect(
          store.append(`${ns}a`, [event('Lost'), event('Lost'), event('Lost')], 'no_stream'),
        ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append(`${ns}a`, [event('Lost'), event('Lost')], 5)).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );

        expect((await store.readStream(`${ns}a`)).map((e) => e.type)).toEqual(['First']);
        expect((await readMine()).map((e) => e.type)).toEqual(['First']);
        expect(await store.headPosition({ streamPrefix: ns })).toBeLessThanOrEqual(head);
        // The stream still takes the next append at the revision it really is at.
        await expect(store.append(`${ns}a`, [event('Second')], 0)).resolves.toMatchObject({ revision: 1 });
      });

      it('retrying an append with the same event ids returns the first result and writes nothing more', async () => {
        const events = [event('Paid', { id: randomUUID() }), event('Shipped', { id: randomUUID() })];
        const first = await store.append(`${ns}a`, events, 'no_stream');
        const retry = await store.append(`${ns}a`, events, 'no_stream');
        expect(retry).toEqual(first);
        expect((await store.readStream(`${ns}a`)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      });

      if (options.uniqueIdsAcrossLog !== false) {
        it('an append reusing an id of another event fails as a whole and writes nothing', async () => {
          const taken = randomUUID();
          await store.append(`${ns}a`, [event('Taken', { id: taken })], 'no_stream');
          const failure = await store
            .append(`${ns}b`, [event('Fresh'), event('Fresh'), event('Clash', { id: taken })], 'any')
            .catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(Error);
          expect((failure as Error).message).toContain(taken);
          expect(failure).not.toBeInstanceOf(EventStoreUnavailableError);
          expect(await store.readStream(`${ns}b`)).toEqual([]);
          expect((await readMine()).map((e) => e.type)).toEqual(['Taken']);
        });
      }
    });

    describe('ordering and paging', () => {
      it('keeps revision order per stream and strictly increasing positions across the log', async () => {
        const plan: [string, number][] = [
          ['a', 3],
          ['b', 2],
          ['a', 1],
          ['c', 4],
          ['b', 3],
        ];
        for (const [stream, count] of plan) {
          await store.append(`${ns}${stream}`, numbered(`In-${stream}`, 0, count), 'any');
        }
        const log = await readMine();
        expect(log).toHaveLength(13);
        expectStrictlyIncreasing(log);
        expect(log.map((e) => `${e.streamId.slice(ns.length)}${e.revision}`)).toEqual([
          'a0',
          'a1',
          'a2',
          'b0',
          'b1',
          'a3',
          'c0',
          'c1',
          'c2',
          'c3',
          'b2',
          'b3',
          'b4',
        ]);
        for (const stream of ['a', 'b', 'c']) {
          const events = await store.readStream(`${ns}${stream}`);
          expect(events.map((e) => e.revision)).toEqual(events.map((_, index) => index));
          expect(events).toEqual(log.filter((e) => e.streamId === `${ns}${stream}`));
        }
      });

      it('pages through the log with an exclusive `after` and maxCount', async () => {
        await store.append(`${ns}a`, numbered('Paged', 0, 13), 'no_stream');
        await store.append(`${ns}b`, numbered('Paged', 13, 12), 'no_stream');
        const all = await readMine();
        expect(all.map((e) => e.data.n)).toEqual(range(0, 25));

        const pages: StoredEvent[][] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 10, filter: { streamPrefix: ns } });
          if (page.length === 0) break;
          pages.push(page);
          after = page.at(-1)!.position;
        }
        expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
        expect(pages.flat()).toEqual(all);

        const fifth = all[4]!;
        expect(
          await store.readAll({ after: fifth.position, maxCount: 1, filter: { streamPrefix: ns } }),
        ).toEqual([all[5]]);
        // A position between two events (positions need not be dense) also works as a start.
        const onePast = await store.readAll({
          after: all.at(-1)!.position,
          maxCount: 5,
          filter: { streamPrefix: ns },
        });
        expect(onePast).toEqual([]);
      });
    });

    describe('filters', () => {
      async function seed(): Promise<void> {
        await store.append(`${ns}order-1`, [event('OrderPlaced'), event('OrderShipped')], 'no_stream');
        await store.append(
          `${ns}customer-1`,
          [event('CustomerRegistered'), event('OrderPlaced')],
          'no_stream',
        );
        await store.append(`${ns}orderly-1`, [event('OrderPlacedV2'), event('OrderPlaced')], 'no_stream');
        await store.append(`${ns}order-2`, [event('OrderPlacedV2'), event('OrderCancelled')], 'no_stream');
      }

      it('selects by exact event types and by stream prefix in readAll and headPosition', async () => {
        await seed();
        const all = await readMine();
        const byType = await readMine({ eventTypes: ['OrderPlaced', 'OrderCancelled'] });
        expect(byType.map((e) => `${e.streamId.slice(ns.length)}:${e.type}`)).toEqual([
          'order-1:OrderPlaced',
          'customer-1:OrderPlaced',
          'orderly-1:OrderPlaced',
          'order-2:OrderCancelled',
        ]);
        const byPrefix = await readLog({ streamPrefix: `${ns}order-` });
        expect(byPrefix.map((e) => `${e.streamId.slice(ns.length)}:${e.type}`)).toEqual([
          'order-1:OrderPlaced',
          'order-1:OrderShipped',
          'order-2:OrderPlacedV2',
          'order-2:OrderCancelled',
        ]);
        const both = await readLog({
          streamPrefix: `${ns}order-`,
          eventTypes: ['OrderPlacedV2'],
        });
        expect(both.map((e) => e.streamId.slice(ns.length))).toEqual(['order-2']);
        expect(await readMine({ eventTypes: [] })).toEqual(all);

        const last = (events: StoredEvent[]): bigint => events.at(-1)!.position;
        expect(await store.headPosition({ streamPrefix: ns })).toBe(last(all));
        expect(await store.headPosition({ streamPrefix: `${ns}customer-` })).toBe(
          last(all.filter((e) => e.streamId === `${ns}customer-1`)),
        );
        expect(await store.headPosition({ streamPrefix: ns, eventTypes: ['OrderShipped'] })).toBe(
          all.find((e) => e.type === 'OrderShipped')!.position,
        );
        expect(await store.headPosition({ streamPrefix: `${ns}nothing-` })).toBe(0n);
        expect(await store.headPosition({ eventTypes: [`${ns}NoSuchType`] })).toBe(0n);
      });

      it('delivers only matching events to a filtered subscription, caught up and live', async () => {
        await seed();
        const subscription = subscribe(start, {
          streamPrefix: `${ns}order-`,
          eventTypes: ['OrderPlaced', 'OrderLive'],
        });
        const iterator = subscription[Symbol.asyncIterator]();
        const caughtUp = await take(iterator, 1);
        expect(caughtUp.map((e) => e.streamId.slice(ns.length))).toEqual(['order-1']);

        await store.append(`${ns}customer-1`, [event('OrderLive')], 'any');
        await store.append(
          `${ns}order-2`,
          [event('OrderShipped'), event('OrderLive', { data: { n: 1 } })],
          'any',
        );
        const live = await take(iterator, 1);
        expect(live.map((e) => [e.streamId.slice(ns.length), e.type, e.data])).toEqual([
          ['order-2', 'OrderLive', { n: 1 }],
        ]);
      });
    });

    describe('subscriptions', () => {
      it('catches up, then goes live with no gap and no duplicate while appends race the catch-up', async () => {
        const written: string[] = [];
        const appendBatch = async (stream: string, count: number): Promise<void> => {
          const events = Array.from({ length: count }, () => event('Raced', { id: randomUUID() }));
          await store.append(`${ns}${stream}`, events, 'any');
          written.push(...events.map((e) => e.id!));
        };
        for (let batch = 0; batch < 20; batch++) await appendBatch(`s${batch % 4}`, 100);

        const subscription = subscribe(start, { streamPrefix: ns }, 64);
        const iterator = subscription[Symbol.asyncIterator]();
        const received: StoredEvent[] = await take(iterator, 10);
        // Appends racing the catch-up: issued while the subscription is still far behind the head.
        const racing = (async () => {
          for (let batch = 0; batch < 10; batch++) await appendBatch(`s${batch % 3}`, 50);
        })();
        received.push(...(await take(iterator, 2_490)));
        await racing;
        received.push(...(await take(iterator, 2_500 - received.length)));

        // Live: one more append arrives next; a duplicate or a late straggler would arrive instead.
        await appendBatch('live', 1);
        received.push(...(await take(iterator, 1)));
        expect(received).toHaveLength(2_501);
        expectStrictlyIncreasing(received);
        expect(received.map((e) => e.id)).toEqual(written);
      });

      it('hands buffered events over in bulk where it offers takeReady, in the order next() gives', async () => {
        await store.append(`${ns}a`, numbered('Bulk', 0, 300), 'no_stream');
        await settle();
        const subscription = subscribe(start, { streamPrefix: ns }, 64);
        const iterator = subscription[Symbol.asyncIterator]();
        const received: StoredEvent[] = [];
        let inBulk = 0;
        while (received.length < 300) {
          const ready = subscription.takeReady?.(50) ?? [];
          expect(ready.length).toBeLessThanOrEqual(50);
          inBulk += ready.length;
          received.push(...ready);
          if (ready.length === 0) received.push(...(await take(iterator, 1)));
        }
        expect(received.map((e) => e.data.n)).toEqual(Array.from({ length: 300 }, (_, n) => n));
        // A store that offers it hands over most events in bulk (each next() makes the buffer fill ahead).
        expect(inBulk > 150).toBe(subscription.takeReady !== undefined);
        await store.append(`${ns}a`, numbered('Bulk', 300, 1), 299);
        expect((await take(iterator, 1)).map((e) => e.data.n)).toEqual([300]);
      });

      it('starts after a middle position, exclusive', async () => {
        await store.append(`${ns}a`, numbered('Mid', 0, 10), 'no_stream');
        const log = await readMine();
        const iterator = subscribe(log[4]!.position, { streamPrefix: ns })[Symbol.asyncIterator]();
        expect((await take(iterator, 5)).map((e) => e.data.n)).toEqual([5, 6, 7, 8, 9]);
        await store.append(`${ns}a`, numbered('Mid', 10, 1), 9);
        expect((await take(iterator, 1)).map((e) => e.data.n)).toEqual([10]);
      });

      it('ends iteration when closed, also while waiting for live events', async () => {
        await store.append(`${ns}a`, [event('One')], 'no_stream');
        const subscription = subscribe(start, { streamPrefix: ns });
        const received: StoredEvent[] = [];
        const consumer = (async () => {
          for await (const e of subscription) received.push(e);
        })();
        await waitUntil(() => received.length === 1, 'the first event');
        await subscription.close();
        await withGuard(consumer, 'iteration to end after close');
        expect(received.map((e) => e.type)).toEqual(['One']);
        await subscription.close();

        // Breaking out of for-await closes the subscription too.
        const second = subscribe(start, { streamPrefix: ns });
        for await (const e of second) {
          expect(e.type).toBe('One');
          break;
        }
        await expect(second[Symbol.asyncIterator]().next()).resolves.toMatchObject({ done: true });
      });
    });

    describe('payloads', () => {
      it('round-trips a 1 MiB JSON string', async () => {
        const big = 'x'.repeat(1024 * 1024 - 7) + 'ünicode';
        await store.append(`${ns}big`, [event('Big', { data: { big, after: 1 } })], 'no_stream');
        const [read] = await store.readStream(`${ns}big`);
        expect(read?.data.big).toBe(big);
        expect(read?.data.after).toBe(1);
        const [fromLog] = await readMine();
        expect(fromLog?.data.big).toBe(big);
      });

      it('round-trips unicode in stream ids, event types and data, and filters on it', async () => {
        const stream = `${ns}订单-🚀-café-e\u0301-שלום`;
        const type = 'Bestellung✓-注文-😀';
        const data = {
          emoji: '👩🏽‍💻🏳️‍🌈',
          cjk: '漢字かなカナ한국어',
          combining: 'e\u0301 n\u0303 a\u030A',
          rtl: 'مرحبا بالعالم',
          keys: { 'ключ-🔑': 'значение', 鍵: ['値', '😀'] },
        };
        await store.append(stream, [{ type, data }, event('Plain')], 'no_stream');
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.streamId, e.type])).toEqual([
          [stream, type],
          [stream, 'Plain'],
        ]);
        expect(events[0]?.data).toEqual(data);
        expect(await readLog({ streamPrefix: `${ns}订单-🚀`, eventTypes: [type] })).toEqual([events[0]]);
        expect(await readLog({ streamPrefix: `${ns}订单-🚁` })).toEqual([]);
        expect(await store.headPosition({ eventTypes: [type], streamPrefix: ns })).toBe(events[0]!.position);
      });

      it('reads a 10,000-event stream back in order', async () => {
        for (let from = 0; from < 10_000; from += 1_000) {
          await store.append(`${ns}long`, numbered('Tick', from, 1_000), from === 0 ? 'no_stream' : from - 1);
        }
        const events = await store.readStream(`${ns}long`);
        expect(events).toHaveLength(10_000);
        expect(events.every((e, index) => e.revision === index && e.data.n === index)).toBe(true);
        expectStrictlyIncreasing(events);
        expect((await store.readStream(`${ns}long`, { fromRevision: 9_995 })).map((e) => e.revision)).toEqual(
          [9_995, 9_996, 9_997, 9_998, 9_999],
        );
      });
    });

    describeAppends('concurrency', () => {
      it('20 writers x 500 events: every event exactly once in log order, gap-free revisions per stream', async () => {
        const WRITERS = 20;
        const OWN_APPENDS = 98;
        const OWN_BATCH = 5;
        const SHARED_APPENDS = 10;
        const SHARED_STREAMS = 3;
        const written = new Set<string>();
        let conflicts = 0;

        async function writer(w: number): Promise<void> {
          const ownRevisions = new Map<string, number>();
          const sharedKnown = new Map<string, number | 'no_stream'>();
          // Own streams: 98 batches of 5 with exact expected revisions; shared streams: 10 single events
          // with the last known revision, retried with the actual revision a conflict reports.
          const plan = [
            ...Array<'own'>(OWN_APPENDS).fill('own'),
            ...Array<'shared'>(SHARED_APPENDS).fill('shared'),
          ];
          shuffle(plan, w);
          let own = 0;
          let sharedCount = 0;
          for (const kind of plan) {
            if (kind === 'own') {
              const stream = `${ns}w${w}-s${own % 5}`;
              own++;
              const expected = ownRevisions.get(stream);
              const events = Array.from({ length: OWN_BATCH }, () => event('Own', { id: randomUUID() }));
              const result = await store.append(stream, events, expected ?? 'no_stream');
              ownRevisions.set(stream, result.revision);
              for (const e of events) written.add(e.id!);
            } else {
              const stream = `${ns}shared-${(w + sharedCount) % SHARED_STREAMS}`;
              sharedCount++;
              const e = event('Shared', { id: randomUUID(), data: { writer: w } });
              for (;;) {
                const known = sharedKnown.get(stream) ?? 'no_stream';
                try {
                  const result = await store.append(stream, [e], known);
                  sharedKnown.set(stream, result.revision);
                  break;
                } catch (error) {
                  if (!(error instanceof WrongExpectedRevisionError)) throw error;
                  conflicts++;
                  sharedKnown.set(stream, error.actual);
                }
              }
              written.add(e.id!);
            }
          }
        }

        await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
        const log = await readMine();
        expect(written.size).toBe(WRITERS * (OWN_APPENDS * OWN_BATCH + SHARED_APPENDS));
        expect(log).toHaveLength(written.size);
        expect(new Set(log.map((e) => e.id))).toEqual(written);
        expectStrictlyIncreasing(log);
        const revisions = new Map<string, number[]>();
        for (const e of log) revisions.set(e.streamId, [...(revisions.get(e.streamId) ?? []), e.revision]);
        for (const [stream, list] of revisions) {
          expect({ stream, revisions: list }).toEqual({ stream, revisions: list.map((_, index) => index) });
        }
        const shared = log.filter((e) => e.type === 'Shared');
        expect(shared).toHaveLength(WRITERS * SHARED_APPENDS);
        // 20 writers on 3 streams must have collided; each collision was retried, never lost or doubled.
        expect(conflicts).toBeGreaterThan(0);
      });
    });
  });
}

// Helpers ------------------------------------------------------------------------------------------------

function event(type: string, extra: Partial<EventToAppend> = {}): EventToAppend {
  return { type, data: {}, ...extra };
}

function numbered(type: string, from: number, count: number): EventToAppend[] {
  return Array.from({ length: count }, (_, index) => ({ type, data: { n: from + index } }));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

/** Deterministic Fisher-Yates, so a failing run can be replayed. */
function shuffle<T>(items: T[], seed: number): void {
  let state = seed * 2654435761 + 1;
  for (let i = items.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

export async function readAllPages(
  store: EventStore,
  after: bigint,
  filter: LogFilter,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events.at(-1)?.position ?? after, maxCount: 1_000, filter });
    events.push(...page);
    if (page.length < 1_000) return events;
  }
}

export function expectStrictlyIncreasing(events: readonly StoredEvent[]): void {
  const violations = events.filter((e, index) => index > 0 && e.position <= events[index - 1]!.position);
  expect(violations).toEqual([]);
}

/** The next `count` events of a subscription, guarded against hanging. */
export async function take(iterator: AsyncIterator<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  await withGuard(
    (async () => {
      while (events.length < count) {
        const next = await iterator.next();
        if (next.done === true)
          throw new Error(`the subscription ended after ${events.length} of ${count} events`);
        events.push(next.value);
      }
    })(),
    `${count} events from the subscription (got ${events.length})`,
    () => `${events.length} of ${count}`,
  );
  return events;
}

export async function withGuard<T>(work: Promise<T>, what: string, progress?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`gave up waiting for ${what}${progress ? ` (${progress()})` : ''}`)),
      DELIVERY_GUARD_MS,
    );
  });
  try {
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  await waitFor(async () => condition(), what);
}

export async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  let gaveUp = false;
  try {
    await withGuard(
      (async () => {
        // Stops polling once the guard gave up: a loop left running would keep Jest from exiting.
        while (!gaveUp && !(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      what,
    );
  } finally {
    gaveUp = true;
  }
}

/** The same store, reporting the position of every successful append. */
function trackingAppends(store: EventStore, onAppended: (position: bigint) => void): EventStore {
  return {
    kind: store.kind,
    append: async (streamId, events, expected) => {
      const result = await store.append(streamId, events, expected);
      onAppended(result.position);
      return result;
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: (filter) => store.headPosition(filter),
    close: () => store.close(),
  };
}
