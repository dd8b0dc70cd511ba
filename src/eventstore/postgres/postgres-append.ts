/**
 * The statements of one append, run inside a transaction the caller opened on `client`. Kept apart from
 * the store so that a test can hold such a transaction open (a deliberately slow writer) with exactly the
 * SQL the store uses.
 *
 * Order matters: allocate_positions must be the first statement of the transaction that writes, because
 * it is where the transaction gets its id (see postgres-schema.ts for why id and positions go together).
 *
 * The expected-revision check is a compare-and-set on the stream's row in one statement with the insert:
 * - a number r:      UPDATE ... WHERE revision = r      (a concurrent writer holds the row lock; once it
 *                    commits, PostgreSQL re-checks the WHERE against the new row and matches nothing)
 * - 'stream_exists': UPDATE ... WHERE stream_id = s
 * - 'no_stream':     INSERT ... ON CONFLICT DO NOTHING  (a concurrent creator makes it wait, then skip)
 * - 'any':           INSERT ... ON CONFLICT DO UPDATE   (an atomic upsert, never a conflict)
 * No row back means the stream was not at the expected revision: nothing was inserted.
 */
import type { PoolClient } from 'pg';
import type { ExpectedRevision } from '../event-store.port';
import type { PreparedEvent } from '../append-input';
import type { PostgresLogNames } from './postgres-schema';

export type AppendOutcome =
  | { readonly kind: 'appended'; readonly revision: number; readonly position: bigint }
  /** The stream was not at the expected revision; `actual` is its revision as of the check. */
  | { readonly kind: 'conflict'; readonly actual: number | 'no_stream' };

export async function appendInTransaction(
  client: PoolClient,
  names: PostgresLogNames,
  streamId: string,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
): Promise<AppendOutcome> {
  const count = events.length;
  const allocated = await client.query<{ first_position: string }>(
    `SELECT first_position::text AS first_position FROM ${names.allocate}($1)`,
    [count],
  );
  const firstPosition = BigInt(allocated.rows[0]!.first_position);

  const { sql: streamSql, params: streamParams } = streamUpdate(names, expected);
  // Parameters: $1 stream id, $2 event count, $3 first position, $4..$7 the event columns, then the
  // expected revision when there is one.
  const result = await client.query<{ revision: string }>(
    `WITH stream AS (${streamSql}),
      inserted AS (
        INSERT INTO ${names.events} (id, stream_id, revision, position, tx, type, data, metadata)
        SELECT e.id, $1, stream.revision - $2 + e.ord, $3::bigint + e.ord - 1, pg_current_xact_id(),
               e.type, e.data::jsonb, e.metadata::jsonb
        FROM stream,
             unnest($4::uuid[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
        RETURNING 1
      )
    SELECT stream.revision::text AS revision, (SELECT count(*) FROM inserted) AS inserted,
           pg_notify($${8 + streamParams.length}, '')
    FROM stream`,
    [
      streamId,
      count,
      firstPosition.toString(),
      events.map((event) => event.id),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => JSON.stringify(event.metadata)),
      ...streamParams,
      names.channel,
    ],
  );
  const row = result.rows[0];
  if (row === undefined) return { kind: 'conflict', actual: await currentRevision(client, names, streamId) };
  const revision = Number(row.revision);
  return { kind: 'appended', revision, position: firstPosition + BigInt(count - 1) };
}

/** The stream's last revision as committed right now (READ COMMITTED: each statement sees the latest). */
export async function currentRevision(
  client: Pick<PoolClient, 'query'>,
  names: PostgresLogNames,
  streamId: string,
): Promise<number | 'no_stream'> {
  const result = await client.query<{ revision: string }>(
    `SELECT revision::text AS revision FROM ${names.streams} WHERE stream_id = $1`,
    [streamId],
  );
  const row = result.rows[0];
  return row === undefined ? 'no_stream' : Number(row.revision);
}

/** The stream row's compare-and-set, RETURNING the stream's new last revision. $1 stream, $2 count, $8 expected. */
function streamUpdate(
  names: PostgresLogNames,
  expected: ExpectedRevision,
): { sql: string; params: unknown[] } {
  switch (expected) {
    case 'any':
      return {
        sql: `INSERT INTO ${names.streams} AS s (stream_id, revision) VALUES ($1, $2 - 1)
              ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + $2 RETURNING s.revision`,
        params: [],
      };
    case 'no_stream':
      return {
        sql: `INSERT INTO ${names.streams} (stream_id, revision) VALUES ($1, $2 - 1)
              ON CONFLICT (stream_id) DO NOTHING RETURNING revision`,
        params: [],
      };
    case 'stream_exists':
      return {
        sql: `UPDATE ${names.streams} SET revision = revision + $2 WHERE stream_id = $1 RETURNING revision`,
        params: [],
      };
    default:
      return {
        sql: `UPDATE ${names.streams} SET revision = revision + $2 WHERE stream_id = $1 AND revision = $8
              RETURNING revision`,
        params: [expected],
      };
  }
}
