/**
 * The SQL of the table log, built once from the resolved source. Names come only from the catalog check
 * (quoted, sql-identifiers.ts); every value (positions, stream ids, types, prefixes, limits) is a bound
 * parameter. Pure: the unit spec asserts the text, the int spec runs it.
 *
 * Rows are part of the log when their position, stream and type are not NULL; the others are skipped
 * everywhere (reads, heads and revision counts), so every reader agrees on the same log.
 *
 * Revisions: from the revision column when there is one, else derived by counting the stream's earlier
 * rows. readAll derives them for a page without numbering whole streams: per stream in the page, one
 * index count below the page's first row of that stream, plus a row_number over the rows of that stream
 * inside the page's position range.
 */
import type { NormalizedFilter } from '../log-filter';
import { quoteIdentifier } from './sql-identifiers';
import type { CatalogColumn, ResolvedSource } from './sql-log-catalog';

export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** Row shape every event query returns (the adapter turns it into a StoredEvent: sql-log-rows.ts). */
export interface SqlLogRow {
  readonly position: string;
  readonly stream_id: string;
  readonly type: string;
  readonly data: string | null;
  readonly metadata: string | null;
  /** Milliseconds since the epoch, for time columns. */
  readonly timestamp_ms: number | null;
  /** The raw text, for text time columns. */
  readonly timestamp_text: string | null;
  readonly event_id: string | null;
  readonly revision: string;
}

const TIME_TYPES = ['timestamptz', 'timestamp', 'date'];

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export class SqlLogQueries {
  private readonly rel: string;
  private readonly pos: string;
  private readonly stream: string;
  private readonly type: string;

  constructor(
    private readonly source: ResolvedSource,
    private readonly firstRevision: 0 | 1 = 0,
  ) {
    const { columns } = source;
    this.rel = source.quoted;
    this.pos = col(columns.position);
    this.stream = col(columns.streamId);
    this.type = col(columns.type);
  }

  /** The highest position in the source, whatever its rows hold (the horizon's upper bound). */
  head(): SqlQuery {
    return { text: `SELECT max(t.${this.pos})::text AS head FROM ${this.rel} AS t`, values: [] };
  }

  /**
   * writer-locks: the head, and the transactions holding a write lock (RowExclusiveLock: INSERT, UPDATE,
   * DELETE, COPY) on the writer tables or their partitions, read after the head's snapshot was taken
   * (README.md, "writer-locks"). The reader's own session is left out; prepared transactions (no pid) stay in.
   */
  headAndWriters(): SqlQuery {
    return {
      text: `SELECT (SELECT max(t.${this.pos})::text FROM ${this.rel} AS t) AS head,
  ARRAY(SELECT DISTINCT l.virtualtransaction FROM pg_locks AS l
    WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'
      AND l.database = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
      AND l.relation IN (SELECT w FROM unnest($1::oid[]) AS w
                         UNION SELECT p.relid FROM unnest($1::oid[]) AS w, pg_partition_tree(w::regclass) AS p)
      AND l.pid IS DISTINCT FROM pg_backend_pid()) AS writers`,
      values: [this.source.writerTables],
    };
  }

  /** The last position at or below the horizon that the filter selects, or NULL. */
  headPosition(horizon: bigint, filter: NormalizedFilter): SqlQuery {
    const params = new Params();
    const where = [`t.${this.pos} <= ${params.add(horizon.toString())}::bigint`, this.inLog('t')];
    where.push(...this.filterConditions('t', filter, params));
    return {
      text: `SELECT max(t.${this.pos})::text AS position FROM ${this.rel} AS t WHERE ${where.join(' AND ')}`,
      values: params.values,
    };
  }

  /** One page of the log: positions in (after, horizon], filtered, in position order. */
  readAll(after: bigint | undefined, horizon: bigint, maxCount: number, filter: NormalizedFilter): SqlQuery {
    const params = new Params();
    const where = [`t.${this.pos} <= ${params.add(horizon.toString())}::bigint`, this.inLog('t')];
    if (after !== undefined) where.push(`t.${this.pos} > ${params.add(after.toString())}::bigint`);
    where.push(...this.filterConditions('t', filter, params));
    const limit = params.add(maxCount);
    const page = `SELECT ${this.eventColumns('t')}, t.${this.pos} AS p, t.${this.stream} AS s
    FROM ${this.rel} AS t WHERE ${where.join(' AND ')} ORDER BY t.${this.pos} LIMIT ${limit}`;
    const revisionColumn = this.source.columns.revision;
    if (revisionColumn !== undefined) {
      return {
        text: `SELECT page.*, (page.r - ${this.firstRevision})::text AS revision
  FROM (SELECT ${this.eventColumns('t')}, t.${this.pos} AS p, t.${col(revisionColumn)} AS r
    FROM ${this.rel} AS t WHERE ${where.join(' AND ')} ORDER BY t.${this.pos} LIMIT ${limit}) AS page
  ORDER BY page.p`,
        values: params.values,
      };
    }
    // Per stream of the page (LATERAL): one index count below its first row in the page, and a row_number
    // over its rows inside the page's range. MATERIALIZED keeps the page from being recomputed per stream.
    return {
      text: `WITH page AS MATERIALIZED (${page}),
  streams AS (SELECT s, min(p) AS first_p, max(p) AS last_p FROM page GROUP BY s),
  numbered AS (
    SELECT n.p, base.n + n.rn - 1 AS rev
    FROM streams AS st
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM ${this.rel} AS b
      WHERE b.${this.stream} = st.s AND b.${this.pos} < st.first_p AND ${this.inLog('b')}) AS base
    CROSS JOIN LATERAL (SELECT x.${this.pos} AS p, row_number() OVER (ORDER BY x.${this.pos}) AS rn
      FROM ${this.rel} AS x
      WHERE x.${this.stream} = st.s AND x.${this.pos} BETWEEN st.first_p AND st.last_p AND ${this.inLog('x')}) AS n)
SELECT page.*, numbered.rev::text AS revision FROM page JOIN numbered ON numbered.p = page.p ORDER BY page.p`,
      values: params.values,
    };
  }

  /**
   * A stream's events in position order, from a revision, at most maxCount; only those at or below the
   * horizon when one is given.
   */
  readStream(
    streamId: string,
    horizon: bigint | undefined,
    fromRevision: number,
    maxCount: number | null,
  ): SqlQuery {
    const params = new Params();
    const where = [this.streamEquals('t', params.add(streamId)), this.inLog('t')];
    if (horizon !== undefined) where.push(`t.${this.pos} <= ${params.add(horizon.toString())}::bigint`);
    const revisionColumn = this.source.columns.revision;
    if (revisionColumn !== undefined) {
      where.push(`t.${col(revisionColumn)} >= ${params.add(fromRevision + this.firstRevision)}`);
      return {
        text: `SELECT ${this.eventColumns('t')}, (t.${col(revisionColumn)} - ${this.firstRevision})::text AS revision
  FROM ${this.rel} AS t WHERE ${where.join(' AND ')} ORDER BY t.${this.pos} LIMIT ${params.add(maxCount)}`,
        values: params.values,
      };
    }
    return {
      text: `SELECT x.*, x.rev::text AS revision FROM (
    SELECT ${this.eventColumns('t')}, t.${this.pos} AS p, row_number() OVER (ORDER BY t.${this.pos}) - 1 AS rev
    FROM ${this.rel} AS t WHERE ${where.join(' AND ')}) AS x
  WHERE x.rev >= ${params.add(fromRevision)} ORDER BY x.p LIMIT ${params.add(maxCount)}`,
      values: params.values,
    };
  }

  /** The columns of SqlLogRow except `revision`, read from the row alias `a`. */
  private eventColumns(a: string): string {
    const { columns } = this.source;
    const timestamp = columns.timestamp;
    const isTime = timestamp !== undefined && TIME_TYPES.includes(timestamp.type);
    return [
      `${a}.${this.pos}::text AS position`,
      `${a}.${this.stream}::text AS stream_id`,
      `${a}.${this.type}::text AS type`,
      `${a}.${col(columns.data)}::text AS data`,
      `${columns.metadata ? `${a}.${col(columns.metadata)}::text` : 'NULL::text'} AS metadata`,
      `${isTime ? `(extract(epoch FROM ${a}.${col(timestamp)}) * 1000)::float8` : 'NULL::float8'} AS timestamp_ms`,
      `${timestamp !== undefined && !isTime ? `${a}.${col(timestamp)}::text` : 'NULL::text'} AS timestamp_text`,
      `${columns.eventId ? `${a}.${col(columns.eventId)}::text` : 'NULL::text'} AS event_id`,
    ].join(', ');
  }

  private inLog(a: string): string {
    return `${a}.${this.stream} IS NOT NULL AND ${a}.${this.type} IS NOT NULL`;
  }

  /** Compared as text; a text column is compared as it is, so an index on it can serve the lookup. */
  private streamEquals(a: string, param: string): string {
    return `${asText(a, this.source.columns.streamId!)} = ${param}`;
  }

  private filterConditions(a: string, filter: NormalizedFilter, params: Params): string[] {
    const conditions: string[] = [];
    if (filter.eventTypes !== undefined)
      conditions.push(
        `${asText(a, this.source.columns.type!)} = ANY(${params.add(filter.eventTypes)}::text[])`,
      );
    // starts_with compares code points (bytes), whatever the column's collation, like log-filter.ts.
    if (filter.streamPrefix !== undefined)
      conditions.push(`starts_with(${a}.${this.stream}::text, ${params.add(filter.streamPrefix)})`);
    return conditions;
  }
}

function col(column: CatalogColumn | undefined): string {
  if (column === undefined) throw new Error('A mapped column is missing from the resolved source.');
  return quoteIdentifier(column.name);
}

function asText(alias: string, column: CatalogColumn): string {
  return column.category === 'S' ? `${alias}.${col(column)}` : `${alias}.${col(column)}::text`;
}
