/**
 * The table log against real PostgreSQL: the event store contract's read side on two table shapes another
 * tool could have written (appends go straight into the table with SQL, test/support/foreign-table-writer.ts),
 * and the mapping checks against the catalog. Gap safety under concurrent writers: sql-log-gap-safety.int.spec.ts.
 */
import { Client, Pool } from 'pg';
import { eventStoreContract } from '../../../test/contract/event-store.contract';
import { ForeignTableWriter, withForeignWriter } from '../../../test/support/foreign-table-writer';
import {
  adminQuery,
  describeWithStores,
  uniqueTestName,
  useTestDatabase,
} from '../../../test/support/stores';
import { EventStoreUnavailableError } from '../event-store.errors';
import { SqlLogMappingError, type SqlTableMapping } from './sql-log-mapping';
import { sqlTableEventLog } from './sql-table-event-log';

/** An outbox with its own event ids; revisions are derived. */
const OUTBOX_DDL = `
CREATE TABLE contract_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  stream text NOT NULL,
  event_type text NOT NULL,
  body jsonb NOT NULL,
  meta jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON contract_outbox (stream, seq);`;

const OUTBOX_INSERT = `
INSERT INTO contract_outbox (event_id, stream, event_type, body, meta, recorded_at)
SELECT e.id, $1, e.type, e.data, e.meta, e.ts
FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::timestamptz[]) WITH ORDINALITY AS e(id, type, data, meta, ts, n)
ORDER BY e.n
RETURNING seq::text AS position`;

const OUTBOX_MAPPING: SqlTableMapping = {
  table: 'contract_outbox',
  position: 'seq',
  streamId: 'stream',
  type: 'event_type',
  data: 'body',
  metadata: 'meta',
  timestamp: 'recorded_at',
  eventId: 'event_id',
};

/** Emmett-like: a mixed-case schema and table, text ids, a 1-based stream position column. */
const MESSAGES_DDL = `
CREATE SCHEMA "Foreign";
CREATE TABLE "Foreign"."Messages" (
  global_position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  stream_position bigint NOT NULL,
  message_type text NOT NULL,
  message_data jsonb NOT NULL,
  message_metadata jsonb NOT NULL,
  message_id text NOT NULL,
  created timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, stream_position)
);`;

const MESSAGES_INSERT = `
INSERT INTO "Foreign"."Messages"
  (stream_id, stream_position, message_type, message_data, message_metadata, message_id, created)
SELECT $1, $7::bigint + e.n, e.type, e.data, e.meta, e.id::text, e.ts
FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::timestamptz[]) WITH ORDINALITY AS e(id, type, data, meta, ts, n)
ORDER BY e.n
RETURNING global_position::text AS position`;

const MESSAGES_MAPPING: SqlTableMapping = {
  table: 'Foreign.Messages',
  position: 'global_position',
  streamId: 'stream_id',
  type: 'message_type',
  data: 'message_data',
  metadata: 'message_metadata',
  timestamp: 'created',
  eventId: 'message_id',
  revision: 'stream_position',
  firstRevision: 1,
};

describeWithStores(['postgres'], 'PostgreSQL table log', (urls) => {
  const database = useTestDatabase(() => urls.postgres);

  beforeAll(async () => {
    await adminQuery(database.url, OUTBOX_DDL);
    await adminQuery(database.url, MESSAGES_DDL);
  });

  eventStoreContract(
    'table log contract (outbox table, writer-locks, derived revisions)',
    async () =>
      withForeignWriter(
        sqlTableEventLog({ url: database.url, mapping: OUTBOX_MAPPING, pollIntervalMs: 20 }),
        new ForeignTableWriter(database.url, {
          table: 'contract_outbox',
          streamColumn: 'stream',
          insertSql: OUTBOX_INSERT,
        }),
      ),
    { readSideOnly: true },
  );

  eventStoreContract(
    'table log contract (Emmett-like table, delay, revision column from 1)',
    async () =>
      withForeignWriter(
        sqlTableEventLog({
          url: database.url,
          mapping: MESSAGES_MAPPING,
          gapSafety: { mode: 'delay', delayMs: 30 },
          pollIntervalMs: 20,
        }),
        new ForeignTableWriter(database.url, {
          table: '"Foreign"."Messages"',
          streamColumn: 'stream_id',
          insertSql: MESSAGES_INSERT,
          revisions: true,
        }),
      ),
    { readSideOnly: true },
  );

  describe('mapping checked against the catalog', () => {
    async function problemsOf(mapping: Partial<SqlTableMapping>, gapSafety?: object): Promise<string> {
      const log = sqlTableEventLog({
        url: database.url,
        mapping: { ...OUTBOX_MAPPING, ...mapping },
        ...(gapSafety !== undefined && { gapSafety: gapSafety as never }),
      });
      try {
        const failure = await log.initialize().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SqlLogMappingError);
        return (failure as Error).message;
      } finally {
        await log.close();
      }
    }

    beforeAll(async () => {
      await adminQuery(
        database.url,
        `CREATE TABLE "Outbox" (id bigint, stream text, kind text, payload bytea);
         CREATE TABLE cached (id bigserial PRIMARY KEY, stream text, kind text, payload jsonb);
         ALTER SEQUENCE cached_id_seq CACHE 20;
         CREATE VIEW outbox_view AS SELECT * FROM contract_outbox;`,
      );
    });

    it('names a missing table, and the table it probably meant when only the case differs', async () => {
      expect(await problemsOf({ table: 'public.nowhere' })).toContain(
        'no table or view "public.nowhere" is visible to this user',
      );
      expect(await problemsOf({ table: 'outbox' })).toContain('did you mean public.Outbox?');
    });

    it('lists every missing column and every unusable type at once', async () => {
      const message = await problemsOf({
        table: 'Outbox',
        position: 'id',
        streamId: 'stream',
        type: 'kind',
        data: 'payload',
        metadata: 'Meta',
        timestamp: 'at',
        eventId: undefined,
      });
      expect(message).toContain('data: column "payload" is of type bytea; expected jsonb, json or text');
      expect(message).toContain(
        'metadata: "Outbox" has no column "Meta"; its columns are id, stream, kind, payload',
      );
      expect(message).toContain('timestamp: "Outbox" has no column "at"');
      expect(message).toContain('position: "id" has no unique index or primary key of its own');
      expect(message).toMatch(/^Cannot read events from the table "Outbox": 4 problems\./);
    });

    it('refuses writer-locks on a view without writer tables, and on a sequence that caches values', async () => {
      expect(await problemsOf({ table: 'outbox_view' })).toContain(
        'gapSafety: "outbox_view" is a view; writer-locks waits for the transactions writing to the tables behind it',
      );
      expect(
        await problemsOf(
          { table: 'outbox_view' },
          { mode: 'writer-locks', writerTables: ['public.nowhere'] },
        ),
      ).toContain('gapSafety.writerTables: no table "public.nowhere" is visible to this user');
      expect(
        await problemsOf({
          table: 'cached',
          position: 'id',
          streamId: 'stream',
          type: 'kind',
          data: 'payload',
          metadata: undefined,
          timestamp: undefined,
          eventId: undefined,
        }),
      ).toContain('caches 20 values per session (CACHE > 1)');
    });

    it('rejects names that are not SQL identifiers before connecting', () => {
      expect(() =>
        sqlTableEventLog({
          url: 'postgres://nobody@127.0.0.1:1/none',
          mapping: { ...OUTBOX_MAPPING, table: 'outbox; DROP TABLE x', streamId: 'a"b' },
        }),
      ).toThrow(SqlLogMappingError);
    });
  });

  describe('a reader with nothing but SELECT on the table', () => {
    const role = uniqueTestName('reader');

    beforeAll(async () => {
      await adminQuery(
        database.url,
        `CREATE ROLE ${role} LOGIN; GRANT SELECT ON contract_outbox TO ${role};`,
      );
    });

    afterAll(async () => {
      await adminQuery(
        database.url,
        `REVOKE ALL ON contract_outbox FROM ${role}; DROP OWNED BY ${role}; DROP ROLE ${role};`,
      );
    });

    it('reads the log with writer-locks through the host’s own pool, and leaves that pool open', async () => {
      const url = new URL(database.url);
      url.username = role;
      const writer = new Client({ connectionString: database.url });
      await writer.connect();
      await writer.query(
        `INSERT INTO contract_outbox (event_id, stream, event_type, body, meta)
         VALUES (gen_random_uuid(), 'least-1', 'Granted', '{"n": 1}', '{}')`,
      );
      await writer.end();
      // pg_locks and the catalog are readable by every role: SELECT on the table is all writer-locks needs.
      const pool = new Pool({ connectionString: url.toString(), max: 2 });
      const log = sqlTableEventLog({ pool, mapping: OUTBOX_MAPPING });
      try {
        const events = await log.readAll({ maxCount: 10, filter: { streamPrefix: 'least-' } });
        expect(events.map((event) => [event.streamId, event.type, event.data])).toEqual([
          ['least-1', 'Granted', { n: 1 }],
        ]);
        await log.close();
        expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await log.close();
        await pool.end();
      }
    });
  });

  it('reports an unreachable server as unavailable, without the password', async () => {
    const log = sqlTableEventLog({
      url: 'postgres://reader:secret@127.0.0.1:1/shop',
      mapping: OUTBOX_MAPPING,
      connectionTimeoutMs: 2_000,
      logger: { warn: () => undefined },
    });
    const failure = await log.readAll({ maxCount: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EventStoreUnavailableError);
    expect((failure as Error).message).toContain('127.0.0.1:1');
    expect((failure as Error).message).not.toContain('secret');
    await log.close();
  });
});
