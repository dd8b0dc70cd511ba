import { randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import {
  eventStoreContract,
  expectStrictlyIncreasing,
  take,
  waitUntil,
} from '../../../test/contract/event-store.contract';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../../test/support/stores';
import { prepareAppend } from '../append-input';
import { EventStoreUnavailableError } from '../event-store.errors';
import { createEventStore } from '../event-store.factory';
import type { EventToAppend, StoredEvent } from '../event-store.port';
import type { PollingLogSubscription } from '../polling-log-subscription';
import { appendInTransaction } from './postgres-append';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';

describeWithStores(['postgres'], 'PostgreSQL event store', (urls) => {
  const database = useTestDatabase(() => urls.postgres);

  eventStoreContract('PostgreSQL event store contract', () =>
    createEventStore({ kind: 'postgres', url: database.url, schema: uniqueTestName('es') }),
  );

  describe('readers and a slower concurrent writer', () => {
    let store: PostgresEventStore;
    let slow: Client;

    beforeEach(async () => {
      store = createPostgresEventStore({
        url: database.url,
        schema: uniqueTestName('gap'),
        pollIntervalMs: 20,
      });
      await store.initialize();
      slow = new Client({ connectionString: database.url });
      await slow.connect();
    });

    afterEach(async () => {
      await slow.end();
      await store.close();
    });

    it('hides events committed after a still-open transaction that holds lower positions, then delivers all in order once', async () => {
      const subscription = store.subscribeToAll({ filter: { streamPrefix: 'gap-' } });
      const iterator = subscription[Symbol.asyncIterator]();
      let delivered: StoredEvent | undefined;
      const first = iterator.next().then((result) => (delivered = result.value as StoredEvent));

      // The slow writer: the store's own append SQL in a transaction held open (the latch is the test).
      await slow.query('BEGIN');
      const slowEvents = prepareAppend('gap-slow', [event('Slow', 0), event('Slow', 1)], 'no_stream');
      const slowOutcome = await appendInTransaction(
        slow as unknown as PoolClient,
        store.names,
        'gap-slow',
        slowEvents,
        'no_stream',
      );
      // Later writers commit while the slow one is open, at higher positions: the case that skips events
      // in a naive "position > checkpoint" reader.
      // One after the other: run side by side, the two could take their positions in either order, and
      // the expected delivery order below would depend on which one the machine ran first.
      const fast = [
        await store.append('gap-fast-1', [event('Fast', 2), event('Fast', 3)], 'no_stream'),
        await store.append('gap-fast-2', [event('Fast', 4)], 'no_stream'),
      ];
      expect(slowOutcome.kind).toBe('appended');
      const slowPosition = slowOutcome.kind === 'appended' ? slowOutcome.position : 0n;
      for (const result of fast) expect(result.position).toBeGreaterThan(slowPosition);
      expect(await store.readStream('gap-fast-1')).toHaveLength(2);

      expect(await store.readAll({ maxCount: 100 })).toEqual([]);
      expect(await store.headPosition()).toBe(0n);
      expect(await store.headPosition({ eventTypes: ['Fast'] })).toBe(0n);
      // The subscription has read the log several times since the fast commits and delivered nothing.
      const reads = jest.spyOn(store, 'readAll');
      await waitUntil(() => reads.mock.calls.length >= 3, 'three subscription reads after the fast commits');
      expect(delivered).toBeUndefined();

      await slow.query('COMMIT');
      await first;
      const rest = await take(iterator, 4);
      const all = [delivered!, ...rest];
      expect(all.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]);
      expectStrictlyIncreasing(all);
      expect(await store.readAll({ maxCount: 100 })).toEqual(all);
      expect(await store.headPosition()).toBe(all[4]!.position);

      // Exactly once: the next delivery is a new event, not a repeat.
      await store.append('gap-after', [event('After', 5)], 'no_stream');
      expect((await take(iterator, 1)).map((e) => e.data.n)).toEqual([5]);
      await subscription.close();
    });

    it('a subscriber following 8 concurrent writers receives every event exactly once, in position order', async () => {
      const subscription = store.subscribeToAll({ filter: { streamPrefix: 'race-' }, bufferSize: 50 });
      const iterator = subscription[Symbol.asyncIterator]();
      const written = new Set<string>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, writer) => {
          for (let i = 0; i < 40; i++) {
            const events = [event('Race', i, randomUUID()), event('Race', i, randomUUID())];
            await store.append(`race-${writer}-${i % 4}`, events, 'any');
            for (const e of events) written.add(e.id!);
          }
        }),
      );
      const received = await take(iterator, written.size);
      expect(new Set(received.map((e) => e.id))).toEqual(written);
      expectStrictlyIncreasing(received);
      await store.append('race-end', [event('End', 0)], 'no_stream');
      expect((await take(iterator, 1)).map((e) => e.type)).toEqual(['End']);
      await subscription.close();
    });

    it('keeps a slow consumer to bufferSize events in memory', async () => {
      await store.append(
        'bp-1',
        Array.from({ length: 200 }, (_, n) => event('Pressure', n)),
        'no_stream',
      );
      const reads = jest.spyOn(store, 'readAll');
      const subscription = store.subscribeToAll({ filter: { streamPrefix: 'bp-' }, bufferSize: 10 });
      const buffered = (): number => (subscription as PollingLogSubscription).buffered;
      const iterator = subscription[Symbol.asyncIterator]();
      const received = await take(iterator, 1);
      await waitUntil(() => buffered() >= 5, 'the buffer to fill ahead of the consumer');
      while (received.length < 200) {
        received.push(...(await take(iterator, 1)));
        expect(buffered()).toBeLessThanOrEqual(10);
      }
      expect(received.map((e) => e.data.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
      expect(Math.max(...reads.mock.calls.map(([options]) => options.maxCount))).toBeLessThanOrEqual(10);
      await subscription.close();
    });
  });

  describe('schema', () => {
    it('is created once even when several stores start on a fresh schema at the same time', async () => {
      const schema = uniqueTestName('init');
      const stores = Array.from({ length: 4 }, () => createPostgresEventStore({ url: database.url, schema }));
      await Promise.all(stores.map((store) => store.initialize()));
      await stores[0]!.append('init-1', [event('Created', 0)], 'no_stream');
      expect(await stores[3]!.readStream('init-1')).toHaveLength(1);
      await Promise.all(stores.map((store) => store.close()));
      const again = await createEventStore({ kind: 'postgres', url: database.url, schema });
      expect(await again.readStream('init-1')).toHaveLength(1);
      await again.close();
    });

    it('rejects a schema name that is not a plain identifier', () => {
      expect(() => createPostgresEventStore({ url: database.url, schema: 'Bad"; DROP' })).toThrow(
        /lowercase SQL identifier/,
      );
    });
  });

  describe('unreachable server', () => {
    const nowhere = 'postgres://postgres:secret@127.0.0.1:1/prism';

    it('rejects appends and reads with EventStoreUnavailableError and a clear message', async () => {
      const store = createPostgresEventStore({ url: nowhere, connectionTimeoutMs: 2_000 });
      const failure = await store.append('s', [event('T', 0)], 'any').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EventStoreUnavailableError);
      const message = (failure as Error).message;
      expect(message).toContain('postgres event store is unavailable');
      expect(message).toContain('127.0.0.1:1');
      expect(message).toContain('ECONNREFUSED');
      expect(message).toContain('PRISM_PG_URL');
      expect(message).not.toContain('secret');
      await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);

      const subscription = store.subscribeToAll();
      await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      await store.close();
    });

    it('makes the factory fail the same way', async () => {
      await expect(createEventStore({ kind: 'postgres', url: nowhere })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    });
  });

  it('analyzes a bulk-loaded log table without statistics when it starts, where autovacuum is off for it', async () => {
    const schema = uniqueTestName('stats');
    const writer = createPostgresEventStore({ url: database.url, schema });
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    const reltuples = async () => {
      const { rows } = await admin.query<{ n: string }>(
        'SELECT reltuples::text AS n FROM pg_class WHERE oid = to_regclass($1)',
        [writer.names.events],
      );
      return Number(rows[0]!.n);
    };
    const warnings: string[] = [];
    const starting = () =>
      createPostgresEventStore({ url: database.url, schema, logger: { warn: (m) => warnings.push(m) } });
    try {
      await writer.initialize();
      await admin.query(`ALTER TABLE ${writer.names.events} SET (autovacuum_enabled = false)`);
      for (let batch = 0; batch < 11; batch += 1) {
        const events = Array.from({ length: 1_000 }, (_, i) => event('Loaded', batch * 1_000 + i));
        await writer.append(`bulk-${batch}`, events, 'no_stream');
      }
      expect(await reltuples()).toBe(-1); // never analyzed
      const first = starting();
      await first.initialize();
      await first.close();
      expect(await reltuples()).toBeGreaterThan(10_000);
      expect(warnings).toEqual([expect.stringContaining('analyzed it now')]);
      // Fresh statistics: the next start leaves the table alone.
      const second = starting();
      await second.initialize();
      await second.close();
      expect(warnings).toHaveLength(1);
    } finally {
      await admin.end();
      await writer.close();
    }
  });
});

function event(type: string, n: number, id?: string): EventToAppend {
  return { ...(id !== undefined && { id }), type, data: { n } };
}
