/** The compiled SQL of relational queries, per dialect (the e2e suite runs the same queries for real). */
import type { RelationalTargetShape } from '../relational-view-shape';
import { PostgresDialect } from '../postgres.dialect';
import { SqliteDialect } from '../sqlite.dialect';
import { encodeCursor, parseRelationalQuery } from './relational-query.parser';
import { pageStatement, rowStatement } from './relational-query.sql';

const SHAPE: RelationalTargetShape = {
  kind: 'postgres',
  table: 'order_summary',
  key: 'order_id',
  columns: {
    order_id: { type: 'text', nullable: false },
    status: { type: 'text', nullable: false },
    total: { type: 'numeric', nullable: true },
  },
  indexes: [],
};

describe('relational query SQL', () => {
  const query = parseRelationalQuery(SHAPE, {
    'status[in]': 'placed,shipped',
    'total[gte]': '10.5',
    sort: '-total',
    fields: 'order_id',
    limit: '20',
    cursor: encodeCursor([12.5, 'o7']),
  });

  it('quotes identifiers from the shape and binds every value (PostgreSQL)', () => {
    const statement = pageStatement(new PostgresDialect('views'), SHAPE, query);
    expect(statement.sql).toBe(
      'SELECT "order_id", "total" FROM "views"."order_summary" ' +
        'WHERE "status" IN ($1, $2) AND "total" >= $3 ' +
        'AND ((("total" < $4 OR "total" IS NULL)) OR ("total" = $5 AND ("order_id" > $6 OR "order_id" IS NULL))) ' +
        'ORDER BY "total" DESC NULLS LAST, "order_id" ASC NULLS LAST LIMIT $7',
    );
    expect(statement.params).toEqual(['placed', 'shipped', '10.5', '12.5', '12.5', 'o7', 21]);
  });

  it('binds numerics as numbers on SQLite, where the dialect turns $n into ?', () => {
    const dialect = new SqliteDialect();
    const statement = dialect.prepare(pageStatement(dialect, SHAPE, query));
    expect(statement.sql).toContain('FROM "order_summary" WHERE "status" IN (?, ?) AND "total" >= ?');
    expect(statement.params).toEqual(['placed', 'shipped', 10.5, 12.5, 12.5, 'o7', 21]);
  });

  it('after a NULL cursor value, only rows tied on NULL remain (NULLs sort last)', () => {
    const nulls = parseRelationalQuery(SHAPE, { sort: 'total', cursor: encodeCursor([null, 'o7']) });
    const statement = pageStatement(new PostgresDialect('views'), SHAPE, nulls);
    expect(statement.sql).toContain('WHERE (("total" IS NULL AND ("order_id" > $1 OR "order_id" IS NULL)))');
    expect(statement.params).toEqual(['o7', 51]);
  });

  it('looks one row up by its key', () => {
    expect(rowStatement(new PostgresDialect('public'), SHAPE, 'o1', ['status'])).toEqual({
      sql: 'SELECT "status" FROM "public"."order_summary" WHERE "order_id" = $1',
      params: ['o1'],
    });
  });
});
