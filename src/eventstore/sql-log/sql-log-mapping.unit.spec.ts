import {
  parseQualifiedName,
  qualifiedNameProblem,
  quoteIdentifier,
  quoteQualifiedName,
} from './sql-identifiers';
import { mappingProblems, type SqlTableMapping } from './sql-log-mapping';

const OUTBOX: SqlTableMapping = {
  table: 'public.outbox',
  position: 'id',
  streamId: 'aggregate_id',
  type: 'event_type',
  data: 'payload',
};

describe('SQL names from configuration', () => {
  it('quotes names as written, keeping their case', () => {
    expect(quoteQualifiedName(parseQualifiedName('Foreign.Messages')!)).toBe('"Foreign"."Messages"');
    expect(quoteQualifiedName(parseQualifiedName('outbox')!)).toBe('"outbox"');
    expect(quoteIdentifier('event$type_2')).toBe('"event$type_2"');
  });

  it.each([
    'outbox; DROP TABLE users',
    'public."outbox"',
    'a.b.c',
    '1outbox',
    'out box',
    "outbox'--",
    '',
    'x'.repeat(64),
  ])('refuses %j as a table name', (name) => {
    expect(parseQualifiedName(name)).toBeUndefined();
    expect(qualifiedNameProblem(name)).toContain('is not a table or view name');
  });

  it('never quotes something that could close the quotes', () => {
    expect(() => quoteIdentifier('a"b')).toThrow(/Refusing to quote/);
  });
});

describe('mapping problems (before any connection)', () => {
  it('accepts a complete mapping with each gap-safety mode', () => {
    expect(mappingProblems(OUTBOX)).toEqual([]);
    expect(mappingProblems(OUTBOX, { mode: 'writer-locks', writerTables: ['public.outbox'] })).toEqual([]);
    expect(mappingProblems(OUTBOX, { mode: 'delay', delayMs: 2_000 })).toEqual([]);
    expect(mappingProblems(OUTBOX, { mode: 'commit-ordered' })).toEqual([]);
  });

  it('lists every problem at once, naming the field', () => {
    const problems = mappingProblems(
      {
        table: 'outbox;',
        position: '',
        streamId: 'aggregate id',
        type: 'event_type',
        data: 'payload',
        metadata: 'meta"',
        firstRevision: 1,
      },
      { mode: 'delay', delayMs: 0 },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^table: "outbox;" is not a table or view name/),
      'position: a column name is required',
      expect.stringMatching(/^streamId: "aggregate id" is not a column name/),
      expect.stringMatching(/^metadata: "meta"" is not a column name/),
      'firstRevision: only meaningful with a revision column; set revision or leave it out',
      'gapSafety.delayMs: expected a whole number of milliseconds from 1 to 3600000, got 0',
    ]);
  });

  it('checks writer tables and the mode itself', () => {
    expect(mappingProblems(OUTBOX, { mode: 'writer-locks', writerTables: ['x y'] })).toEqual([
      expect.stringMatching(/^gapSafety.writerTables: "x y" is not a table or view name/),
    ]);
    expect(mappingProblems(OUTBOX, { mode: 'xmin' } as never)).toEqual([
      'gapSafety.mode: expected one of writer-locks, delay, commit-ordered, got xmin',
    ]);
  });
});
