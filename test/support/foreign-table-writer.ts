/**
 * "Another tool" for the table-log tests: writes events straight into a foreign table with plain SQL, the
 * way an outbox or an Emmett-style store would, and pairs that writer with a read-only EventLog so the
 * event store contract (test/contract/event-store.contract.ts, `readSideOnly`) can run against it.
 *
 * The expected revision is not checked (the table has no such rule); the result's revision is the
 * stream's row count after the insert, minus one, as the log derives it.
 */
import { Pool } from 'pg';
import { prepareAppend } from '../../src/eventstore/append-input';
import type {
  AppendResult,
  EventLog,
  EventStore,
  EventToAppend,
  ExpectedRevision,
} from '../../src/eventstore/event-store.port';

/**
 * One INSERT of a batch into the foreign table, given as arrays in event order:
 *   $1 stream id (text), $2 event ids (uuid[]), $3 types (text[]), $4 data (jsonb[]), $5 metadata without
 *   the timestamp (jsonb[]), $6 timestamps (timestamptz[]), and with `revisions`, $7 the stream's row count
 *   before the batch. It must insert the rows in array order (positions ascending) and RETURN the position
 *   as `position`.
 */
export interface ForeignInsert {
  readonly table: string;
  readonly streamColumn: string;
  readonly insertSql: string;
  readonly revisions?: boolean;
}

export class ForeignTableWriter {
  readonly pool: Pool;

  constructor(
    url: string,
    private readonly insert: ForeignInsert,
  ) {
    this.pool = new Pool({ connectionString: url, max: 4 });
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, expected);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const before = await client.query<{ count: string }>(
        `SELECT count(*)::text AS count FROM ${this.insert.table} WHERE ${this.insert.streamColumn} = $1`,
        [streamId],
      );
      const count = Number(before.rows[0]!.count);
      const inserted = await client.query<{ position: string }>(this.insert.insertSql, [
        streamId,
        prepared.map((event) => event.id),
        prepared.map((event) => event.type),
        prepared.map((event) => JSON.stringify(event.data)),
        prepared.map(({ metadata: { timestamp: _timestamp, ...rest } }) => JSON.stringify(rest)),
        prepared.map((event) => event.metadata.timestamp),
        ...(this.insert.revisions === true ? [count] : []),
      ]);
      await client.query('COMMIT');
      const positions = inserted.rows.map((row) => BigInt(row.position));
      return {
        streamId,
        revision: count + prepared.length - 1,
        position: positions.reduce((max, position) => (position > max ? position : max), 0n),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The log under test with the foreign writer's append: what the contract's factory returns. */
export function withForeignWriter(log: EventLog, writer: ForeignTableWriter): EventStore {
  return {
    kind: log.kind,
    append: (streamId, events, expected) => writer.append(streamId, events, expected),
    readStream: (streamId, options) => log.readStream(streamId, options),
    readAll: (options) => log.readAll(options),
    subscribeToAll: (options) => log.subscribeToAll(options),
    headPosition: (filter) => log.headPosition(filter),
    close: async () => {
      await log.close();
      await writer.close();
    },
  };
}
