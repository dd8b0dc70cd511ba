import type { TargetShape } from '../../core/view-shape';
import type { RelationalTargetShape } from './relational-view-shape';
import { UnsupportedShapeError } from '../target.errors';
import { IdentifierTooLongError } from './relational.errors';
import {
  columnNames,
  documentProblem,
  generationTable,
  generationTableName,
  relationalShape,
  valueProblem,
} from './relational-shape';
import { PostgresDialect } from './postgres.dialect';
import { SqliteDialect } from './sqlite.dialect';

const shape: RelationalTargetShape = {
  kind: 'postgres',
  table: 'orders',
  key: 'id',
  columns: {
    status: { type: 'text', nullable: false },
    id: { type: 'uuid', nullable: false },
    note: { type: 'text', nullable: true },
    total: { type: 'numeric', nullable: false },
  },
  indexes: [{ columns: ['status', 'total'], unique: true }],
};

describe('relational shape', () => {
  it('names one table per generation and refuses names PostgreSQL would truncate', () => {
    expect(generationTableName(shape, 12)).toBe('orders__g12');
    expect(() => generationTableName({ ...shape, table: 'x'.repeat(60) }, 1)).toThrow(IdentifierTooLongError);
  });

  it('puts the key column first, then the declared order', () => {
    expect(columnNames(shape)).toEqual(['id', 'status', 'note', 'total']);
  });

  it.each([
    [new PostgresDialect('views'), 'views.orders__g2', ['uuid', 'text', 'text', 'numeric']],
    [new SqliteDialect(), 'orders__g2', ['text', 'text', 'text', 'numeric']],
  ])('builds the TypeORM table of a generation for %#', (dialect, name, types) => {
    const table = generationTable(shape, 2, {
      qualify: (n) => dialect.tablePath(n),
      columnType: (t) => dialect.columnType(t),
    });
    expect(table.name).toBe(name);
    expect(table.columns.map((c) => [c.name, c.type, c.isPrimary, c.isNullable])).toEqual([
      ['id', types[0], true, false],
      ['status', types[1], false, false],
      ['note', types[2], false, true],
      ['total', types[3], false, false],
    ]);
    expect(table.indices.map((i) => [i.name, i.columnNames, i.isUnique])).toEqual([
      ['orders__g2__ix0', ['status', 'total'], true],
    ]);
  });

  it('checks values against the declared column types', () => {
    expect(valueProblem('integer', 3)).toBeUndefined();
    expect(valueProblem('integer', 3.5)).toMatch(/32-bit integer/);
    expect(valueProblem('integer', 2 ** 31)).toMatch(/32-bit integer/);
    expect(valueProblem('bigint', 2 ** 40)).toBeUndefined();
    expect(valueProblem('double', Number.NaN)).toMatch(/number/);
    expect(valueProblem('numeric', '12.50')).toBeUndefined();
    expect(valueProblem('numeric', '12,50')).toMatch(/decimal/);
    expect(valueProblem('boolean', 'true')).toMatch(/true or false/);
    expect(valueProblem('timestamptz', '2024-02-30T00:00:00Z')).toBeUndefined();
    expect(valueProblem('timestamptz', 'yesterday')).toMatch(/ISO-8601/);
    expect(valueProblem('uuid', '00000000-0000-4000-8000-000000000001')).toBeUndefined();
    expect(valueProblem('uuid', 'abc')).toMatch(/UUID/);
    expect(valueProblem('jsonb', { any: ['thing'] })).toBeUndefined();
    expect(valueProblem('text', 5)).toMatch(/string, got number 5/);
  });

  it('reports missing non-nullable columns and accepts missing nullable ones', () => {
    const ok = { id: '00000000-0000-4000-8000-000000000001', status: 'placed', total: 1 };
    expect(documentProblem(shape, ok)).toBeUndefined();
    expect(documentProblem(shape, { ...ok, status: null })).toMatch(/"status" is NOT NULL/);
    expect(documentProblem(shape, { ...ok, total: 'x' })).toMatch(/"total" \(numeric\)/);
  });

  it('refuses shapes of other target kinds', () => {
    expect(() =>
      relationalShape('p', { kind: 'elasticsearch', index: 'i', id: 'id', fields: {} } as TargetShape),
    ).toThrow(UnsupportedShapeError);
  });
});

describe('SQLite placeholders', () => {
  it('rewrites $n placeholders to ? in order of appearance, repeating reused parameters', () => {
    const dialect = new SqliteDialect();
    expect(
      dialect.prepare({
        sql: 'UPDATE t SET a = $2, b = $3 WHERE c = $1 AND d = $2',
        params: ['c', 'a', true],
      }),
    ).toEqual({
      sql: 'UPDATE t SET a = ?, b = ? WHERE c = ? AND d = ?',
      params: ['a', 1, 'c', 'a'],
    });
    expect(
      dialect.prepare({ sql: `SELECT json_extract(value, '$[0]') FROM json_each(?)`, params: ['[1]'] }),
    ).toEqual({
      sql: `SELECT json_extract(value, '$[0]') FROM json_each(?)`,
      params: ['[1]'],
    });
  });
});
