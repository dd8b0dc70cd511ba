import type { CatalogColumn, ResolvedSource } from './sql-log-catalog';
import { SqlLogQueries } from './sql-log-queries';

function column(name: string, type: string, category: string, attnum = 1): CatalogColumn {
  return { name, type, category, attnum };
}

const SOURCE: ResolvedSource = {
  relation: { schema: 'Shop', name: 'outbox' },
  quoted: '"Shop"."outbox"',
  kind: 'table',
  columns: {
    position: column('id', 'int8', 'N'),
    streamId: column('aggregate_id', 'uuid', 'U'),
    type: column('event_type', 'text', 'S'),
    data: column('payload', 'jsonb', 'U'),
    timestamp: column('occurred_at', 'timestamptz', 'D'),
  },
  writerTables: [16384],
};

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

describe('table log SQL', () => {
  const queries = new SqlLogQueries(SOURCE);

  it('binds every value and quotes every name', () => {
    const { text, values } = queries.readAll(7n, 100n, 50, {
      eventTypes: ['OrderPlaced', "x'; DROP TABLE t; --"],
      streamPrefix: "order-'",
    });
    expect(values).toEqual(['100', '7', ['OrderPlaced', "x'; DROP TABLE t; --"], "order-'", 50]);
    const sql = oneLine(text);
    expect(sql).toContain(
      'FROM "Shop"."outbox" AS t WHERE t."id" <= $1::bigint AND t."aggregate_id" IS NOT NULL AND t."event_type" IS NOT NULL ' +
        'AND t."id" > $2::bigint AND t."event_type" = ANY($3::text[]) AND starts_with(t."aggregate_id"::text, $4) ' +
        'ORDER BY t."id" LIMIT $5',
    );
    expect(sql).not.toContain('DROP');
  });

  it('reads time columns as epoch milliseconds and leaves absent columns NULL', () => {
    const sql = oneLine(queries.readAll(undefined, 1n, 1, {}).text);
    expect(sql).toContain('(extract(epoch FROM t."occurred_at") * 1000)::float8 AS timestamp_ms');
    expect(sql).toContain('NULL::text AS metadata');
    expect(sql).toContain('NULL::text AS event_id');
  });

  it('derives revisions per stream of the page from an index count and a row_number', () => {
    const sql = oneLine(queries.readAll(undefined, 1n, 1, {}).text);
    expect(sql).toMatch(/^WITH page AS MATERIALIZED/);
    expect(sql).toContain(
      'SELECT count(*) AS n FROM "Shop"."outbox" AS b WHERE b."aggregate_id" = st.s AND b."id" < st.first_p',
    );
    expect(sql).toContain('row_number() OVER (ORDER BY x."id") AS rn');
  });

  it('compares a non-text stream column as text, and a stream read derives revisions under the horizon', () => {
    const { text, values } = queries.readStream('c0a8-…', 90n, 2, 10);
    expect(values).toEqual(['c0a8-…', '90', 2, 10]);
    const sql = oneLine(text);
    expect(sql).toContain('t."aggregate_id"::text = $1');
    expect(sql).toContain('t."id" <= $2::bigint');
    expect(sql).toContain('WHERE x.rev >= $3 ORDER BY x.p LIMIT $4');
  });

  it('reads the revision column (minus its first value) and no horizon in a stream read', () => {
    const withRevision = new SqlLogQueries(
      { ...SOURCE, columns: { ...SOURCE.columns, revision: column('version', 'int8', 'N') } },
      1,
    );
    const { text, values } = withRevision.readStream('s', undefined, 0, null);
    expect(values).toEqual(['s', 1, null]);
    expect(oneLine(text)).toContain('(t."version" - 1)::text AS revision');
    expect(oneLine(text)).not.toContain('<=');
  });

  it('reads the writers from the lock table after the head, leaving out its own session', () => {
    const { text, values } = queries.headAndWriters();
    expect(values).toEqual([[16384]]);
    const sql = oneLine(text);
    expect(sql).toMatch(/^SELECT \(SELECT max\(t\."id"\)::text FROM "Shop"\."outbox" AS t\) AS head/);
    expect(sql).toContain("l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'");
    expect(sql).toContain('pg_partition_tree(w::regclass)');
    expect(sql).toContain('l.pid IS DISTINCT FROM pg_backend_pid()');
  });
});
