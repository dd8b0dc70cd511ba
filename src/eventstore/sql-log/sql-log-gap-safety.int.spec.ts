/**
 * Gap safety of the table log against real PostgreSQL, with writers that commit out of position order:
 * a transaction holds a low position open while later ones commit higher positions (README.md in this
 * folder, "Gap safety"). writer-locks and delay must not deliver past the open transaction; commit-ordered
 * (which trusts the writer) is the control that shows the set-up really loses an event for a naive reader.
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  expectStrictlyIncreasing,
  take,
  waitFor,
  waitUntil,
} from '../../../test/contract/event-store.contract';
import {
  adminQuery,
  describeWithStores,
  uniqueTestName,
  useTestDatabase,
} from '../../../test/support/stores';
import type { StoredEvent } from '../event-store.port';
import type { GapSafety, SqlTableMapping } from './sql-log-mapping';
import { sqlTableEventLog, type SqlTableEventLog } from './sql-table-event-log';

describeWithStores(['postgres'], 'PostgreSQL table log: gap safety', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let writers: Pool;
  let table: string;
  let slow: Client;
  const logs: SqlTableEventLog[] = [];

  beforeAll(() => {
    writers = new Pool({ connectionString: database.url, max: 12 });
    // A dropped idle connection is the pool's business (it reconnects); unhandled, it would fail the run.
    writers.on('error', () => undefined);
  });

  afterAll(async () => {
    await writers.end();
  });

  /** A fresh outbox-style table per test, so positions start at 1 and tests never see each other. */
  beforeEach(async () => {
    table = uniqueTestName('outbox');
    await adminQuery(
      database.url,
      `CREATE TABLE ${table} (
         id bigserial PRIMARY KEY, aggregate_id text NOT NULL, event_type text NOT NULL,
         payload jsonb NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now());
       CREATE INDEX ON ${table} (aggregate_id, id);`,
    );
    slow = new Client({ connectionString: database.url });
    slow.on('error', () => undefined);
    await slow.connect();
  });

  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
    await slow.end();
  });

  function mapping(source = table): SqlTableMapping {
    return {
      table: source,
      position: 'id',
      streamId: 'aggregate_id',
      type: 'event_type',
      data: 'payload',
      timestamp: 'occurred_at',
    };
  }

  function openLog(
    gapSafety?: GapSafety,
    extra: { now?: () => number; source?: string } = {},
  ): SqlTableEventLog {
    const log = sqlTableEventLog({
      url: database.url,
      mapping: mapping(extra.source),
      pollIntervalMs: 20,
      ...(gapSafety !== undefined && { gapSafety }),
      ...(extra.now !== undefined && { now: extra.now }),
    });
    logs.push(log);
    return log;
  }

  /** INSERT of one row; returns its position. Through `client` (a transaction) or autocommitted. */
  async function insert(
    stream: string,
    type: string,
    n: number,
    client: Pick<Client, 'query'> = writers,
  ): Promise<bigint> {
    const result = await client.query<{ id: string }>(
      `INSERT INTO ${table} (aggregate_id, event_type, payload) VALUES ($1, $2, $3) RETURNING id::text AS id`,
      [stream, type, JSON.stringify({ n })],
    );
    return BigInt(result.rows[0]!.id);
  }

  /** The slow writer takes position 1 and keeps its transaction open; two later writers commit 2 and 3. */
  async function outOfOrderCommits(): Promise<{ slowPosition: bigint; fastPositions: bigint[] }> {
    await slow.query('BEGIN');
    const slowPosition = await insert('slow-1', 'Slow', 0, slow);
    const fastPositions = [await insert('fast-1', 'Fast', 1), await insert('fast-2', 'Fast', 2)];
    for (const position of fastPositions) expect(position).toBeGreaterThan(slowPosition);
    return { slowPosition, fastPositions };
  }

  describe('writer-locks (the default)', () => {
    it('delivers nothing past an open transaction holding a lower position, then everything in order, once', async () => {
      const log = openLog();
      const iterator = log.subscribeToAll()[Symbol.asyncIterator]();
      let delivered: StoredEvent | undefined;
      const first = iterator.next().then((result) => (delivered = result.value as StoredEvent));

      await outOfOrderCommits();
      expect(await log.readAll({ maxCount: 100 })).toEqual([]);
      expect(await log.headPosition()).toBe(0n);
      expect(await log.headPosition({ eventTypes: ['Fast'] })).toBe(0n);
      // Derived revisions are only handed out from the settled log, so the stream is not readable yet either.
      expect(await log.readStream('fast-1')).toEqual([]);
      const reads = jest.spyOn(log, 'readAll');
      await waitUntil(() => reads.mock.calls.length >= 3, 'three subscription reads after the fast commits');
      expect(delivered).toBeUndefined();

      await slow.query('COMMIT');
      await first;
      const all = [delivered!, ...(await take(iterator, 2))];
      expect(all.map((event) => [event.streamId, event.type, event.data.n, event.revision])).toEqual([
        ['slow-1', 'Slow', 0, 0],
        ['fast-1', 'Fast', 1, 0],
        ['fast-2', 'Fast', 2, 0],
      ]);
      expectStrictlyIncreasing(all);
      expect(await log.readAll({ maxCount: 100 })).toEqual(all);
      expect(await log.headPosition()).toBe(all[2]!.position);

      await insert('after-1', 'After', 3);
      expect((await take(iterator, 1)).map((event) => event.data.n)).toEqual([3]);
      await iterator.return?.();
    });

    it('keeps what was settled before a writer opened, and holds back only what comes after it', async () => {
      const log = openLog();
      const early = await insert('early-1', 'Early', 0);
      await waitFor(async () => (await log.headPosition()) === early, 'the first row to settle');
      await slow.query('BEGIN');
      await insert('late-1', 'Late', 1, slow);
      await insert('later-1', 'Later', 2);
      expect((await log.readAll({ maxCount: 10 })).map((event) => event.data.n)).toEqual([0]);
      expect(await log.headPosition()).toBe(early);
      await slow.query('COMMIT');
      await waitFor(async () => (await log.readAll({ maxCount: 10 })).length === 3, 'all three rows');
      expect((await log.readAll({ maxCount: 10 })).map((event) => event.data.n)).toEqual([0, 1, 2]);
    });
  });

  describe('delay (clock under the test’s control)', () => {
    it('delivers a position only once the delay has passed since it was first seen', async () => {
      let clock = 0;
      const log = openLog({ mode: 'delay', delayMs: 1_000 }, { now: () => clock });
      await outOfOrderCommits();
      expect(await log.readAll({ maxCount: 100 })).toEqual([]);
      clock = 999;
      expect(await log.readAll({ maxCount: 100 })).toEqual([]);
      await slow.query('COMMIT');
      clock = 1_000;
      expect((await log.readAll({ maxCount: 100 })).map((event) => event.data.n)).toEqual([0, 1, 2]);
    });

    it('skips a writer that stays open longer than the delay (the documented condition of this mode)', async () => {
      let clock = 0;
      const log = openLog({ mode: 'delay', delayMs: 1_000 }, { now: () => clock });
      await outOfOrderCommits();
      expect(await log.readAll({ maxCount: 100 })).toEqual([]);
      clock = 1_000;
      const delivered = await log.readAll({ maxCount: 100 });
      expect(delivered.map((event) => event.data.n)).toEqual([1, 2]);
      await slow.query('COMMIT');
      expect(await log.readAll({ after: delivered[1]!.position, maxCount: 100 })).toEqual([]);
    });
  });

  describe('commit-ordered (trusts the writer): the control', () => {
    it('loses the late row when the writer does not keep its promise, which is what the other modes prevent', async () => {
      const log = openLog({ mode: 'commit-ordered' });
      const iterator = log.subscribeToAll()[Symbol.asyncIterator]();
      await outOfOrderCommits();
      const early = await take(iterator, 2);
      expect(early.map((event) => event.data.n)).toEqual([1, 2]);
      await slow.query('COMMIT');
      // The slow row is in the table now, below what the subscription already delivered...
      await waitFor(async () => (await log.readAll({ maxCount: 10 })).length === 3, 'the slow row to commit');
      // ...and the subscription's next event is a new one: the slow row was skipped for good.
      await insert('after-1', 'After', 3);
      expect((await take(iterator, 1)).map((event) => event.data.n)).toEqual([3]);
      await iterator.return?.();
    });
  });

  describe.each([
    ['the table itself', false],
    ['a view over it, watching the table', true],
  ])('10 concurrent writers committing out of order, read through %s (writer-locks)', (_name, viaView) => {
    it('delivers every row exactly once, in position order', async () => {
      let source = table;
      let gapSafety: GapSafety = { mode: 'writer-locks' };
      if (viaView) {
        source = `${table}_view`;
        await adminQuery(
          database.url,
          `CREATE VIEW ${source} AS SELECT id, 'order-' || aggregate_id AS aggregate_id, event_type, payload, occurred_at FROM ${table}`,
        );
        gapSafety = { mode: 'writer-locks', writerTables: [table] };
      }
      const log = openLog(gapSafety, { source });
      const reads = jest.spyOn(log, 'readAll');
      const subscription = log.subscribeToAll({ bufferSize: 64 });
      // Consumes while the writers write, as a live projection does.
      const received: StoredEvent[] = [];
      const consumer = (async () => {
        for await (const event of subscription) received.push(event);
      })();
      const WRITERS = 10;
      const TRANSACTIONS = 25;
      const committed: bigint[] = [];

      /** A transaction of 1 to 3 rows that may sleep a little before committing, so commits overtake. */
      async function writer(w: number): Promise<void> {
        for (let t = 0; t < TRANSACTIONS; t++) {
          const client = await writers.connect();
          try {
            await client.query('BEGIN');
            const rows: bigint[] = [];
            for (let r = 0; r <= (w + t) % 3; r++)
              rows.push(await insert(`w${w}-${t % 4}`, 'Written', t, client));
            if ((w * 7 + t) % 3 === 0) await client.query('SELECT pg_sleep(0.005)');
            await client.query('COMMIT');
            committed.push(...rows);
          } finally {
            client.release();
          }
        }
      }

      /**
       * Holds a low position until at least 20 higher ones have committed and the subscription has read the
       * log three more times since: a gap a naive reader would have moved past (commit-ordered does).
       */
      async function straggler(): Promise<bigint> {
        const client = await writers.connect();
        try {
          await client.query('BEGIN');
          const position = await insert('straggler', 'Straggler', 0, client);
          await waitUntil(
            () => committed.filter((other) => other > position).length >= 20,
            '20 higher positions to commit while the straggler is open',
          );
          const seen = reads.mock.calls.length;
          await waitUntil(() => reads.mock.calls.length >= seen + 3, 'three more reads of the subscription');
          await client.query('COMMIT');
          committed.push(position);
          return position;
        } finally {
          client.release();
        }
      }

      const [stragglerPosition] = await Promise.all([
        straggler(),
        ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
      ]);
      await waitUntil(
        () => received.length >= committed.length,
        `${committed.length} events delivered`,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}: delivered ${received.length} of ${committed.length}`);
      });
      expect(received).toHaveLength(committed.length);
      expect(new Set(received.map((event) => event.position))).toEqual(new Set(committed));
      expectStrictlyIncreasing(received);
      expect(received.filter((event) => event.position === stragglerPosition)).toHaveLength(1);
      // Derived revisions count each stream's rows: 0, 1, 2, ... per stream, in position order.
      const revisions = new Map<string, number[]>();
      for (const event of received)
        revisions.set(event.streamId, [...(revisions.get(event.streamId) ?? []), event.revision]);
      for (const [stream, list] of revisions)
        expect({ stream, list }).toEqual({ stream, list: list.map((_, index) => index) });
      if (viaView) expect(received.every((event) => event.streamId.startsWith('order-'))).toBe(true);

      // Nothing late or doubled follows: the next delivery is a new row.
      const marker = `end-${randomUUID().slice(0, 8)}`;
      await insert(marker, 'End', 0);
      await waitUntil(() => received.length > committed.length, 'the marker row');
      expect(received.slice(committed.length).map((event) => event.streamId)).toEqual([
        viaView ? `order-${marker}` : marker,
      ]);
      await subscription.close();
      await consumer;
    });
  });
});
