/**
 * The PostgreSQL event log's tables, created idempotently on first use in one schema (default `prism`).
 *
 * events      one row per event. `position` comes from a sequence; `tx` is the inserting transaction's id
 *             (xid8), which is what makes the log safe to read concurrently with writers (see below).
 * streams     one row per stream with its last revision: the row every append to the stream updates, so
 *             concurrent appends to one stream serialize on its row lock and the expected-revision check
 *             is a compare-and-set (see postgres-append.ts).
 * allocate_positions(n)
 *             takes the transaction's id and n positions under a short advisory lock.
 *
 * Why positions and transaction ids are taken together: a sequence value is assigned when a row is
 * inserted but the row becomes visible only when its transaction commits, so a reader that has already
 * returned position 11 may later find a slow transaction's position 10 and would skip it. Readers
 * therefore only see rows whose `tx` is below the oldest transaction still in flight
 * (`pg_snapshot_xmin(pg_current_snapshot())`): those transactions have all finished, so that part of the
 * log can no longer change. That alone is not enough, because a transaction with a smaller id can still
 * draw a larger position than a transaction with a bigger id. Taking the id and the positions in one
 * critical section makes position order equal transaction-id order, so "tx below the oldest in flight"
 * is a prefix of the log in position order, and that prefix only ever grows.
 * Cost: a transaction that stays open (on any database of the server) holds back what readers see until
 * it ends; appends themselves never wait for it.
 */

/** Schema names are interpolated into DDL, so they are restricted to plain lowercase identifiers. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Advisory lock classes (first key of the two-key form); the second key is hashtext(schema). */
const INIT_LOCK_CLASS = 0x50524d31; // 'PRM1': schema creation
const ALLOCATE_LOCK_CLASS = 0x50524d32; // 'PRM2': transaction id + position allocation

export class InvalidSchemaNameError extends Error {
  override readonly name = 'InvalidSchemaNameError';
  constructor(readonly schema: string) {
    super(
      `"${schema}" cannot be the PostgreSQL event store schema: use a lowercase SQL identifier ` +
        '(letters, digits and _, starting with a letter or _, at most 63 characters), e.g. prism.',
    );
  }
}

export interface PostgresLogNames {
  readonly schema: string;
  readonly events: string;
  readonly streams: string;
  readonly sequence: string;
  readonly allocate: string;
  /** LISTEN/NOTIFY channel that appends notify on commit. */
  readonly channel: string;
}

export function logNames(schema: string): PostgresLogNames {
  if (!SCHEMA_NAME.test(schema)) throw new InvalidSchemaNameError(schema);
  const q = `"${schema}"`;
  return {
    schema,
    events: `${q}.events`,
    streams: `${q}.streams`,
    sequence: `${q}.event_position_seq`,
    allocate: `${q}.allocate_positions`,
    channel: `prism_events_${schema}`.slice(0, 63),
  };
}

/** True when every object of the log already exists (then no DDL, and no CREATE privilege, is needed). */
export function existsSql(names: PostgresLogNames): string {
  return `SELECT to_regclass('${names.events}') IS NOT NULL
    AND to_regclass('${names.streams}') IS NOT NULL
    AND to_regprocedure('${names.allocate}(integer)') IS NOT NULL AS ready`;
}

/** One transaction of idempotent DDL, serialized by an advisory lock so concurrent first uses do not race. */
export function createSchemaSql(names: PostgresLogNames): string {
  const { schema } = names;
  return `
BEGIN;
SELECT pg_advisory_xact_lock(${INIT_LOCK_CLASS}, hashtext('${schema}'));
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE SEQUENCE IF NOT EXISTS ${names.sequence} AS bigint MINVALUE 1 START 1 CACHE 1;
CREATE TABLE IF NOT EXISTS ${names.events} (
  id uuid PRIMARY KEY,
  stream_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  position bigint NOT NULL,
  tx xid8 NOT NULL,
  type text COLLATE "C" NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
  CONSTRAINT events_position_key UNIQUE (position)
);
-- readAll/headPosition by event types walk (type, position); by stream prefix they range-scan the
-- (stream_id, revision) key, whose "C" collation makes the prefix a byte range.
CREATE INDEX IF NOT EXISTS events_type_position_idx ON ${names.events} (type, position);
CREATE TABLE IF NOT EXISTS ${names.streams} (
  stream_id text COLLATE "C" PRIMARY KEY,
  revision bigint NOT NULL
);
CREATE OR REPLACE FUNCTION ${names.allocate}(event_count integer, OUT tx xid8, OUT first_position bigint)
LANGUAGE plpgsql AS $allocate$
BEGIN
  -- A session-level lock held only for this critical section (not until commit), so appends serialize
  -- for microseconds instead of for their whole transaction. It must be released on every path,
  -- because a pooled connection outlives the transaction.
  PERFORM pg_advisory_lock(${ALLOCATE_LOCK_CLASS}, hashtext('${schema}'));
  BEGIN
    tx := pg_current_xact_id();
    first_position := nextval('${names.sequence}');
    IF event_count > 1 THEN
      PERFORM setval('${names.sequence}', first_position + event_count - 1);
    END IF;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock(${ALLOCATE_LOCK_CLASS}, hashtext('${schema}'));
    RAISE;
  END;
  PERFORM pg_advisory_unlock(${ALLOCATE_LOCK_CLASS}, hashtext('${schema}'));
END
$allocate$;
COMMIT;`;
}

/** Rows a reader may see: committed by transactions older than every transaction still in flight. */
export const VISIBLE = 'tx < pg_snapshot_xmin(pg_current_snapshot())';
