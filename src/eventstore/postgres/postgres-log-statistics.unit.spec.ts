import { needsStatistics, STATISTICS_MIN_ROWS } from './postgres-log-statistics';

describe('needsStatistics (the log table analyzed at start)', () => {
  const big = STATISTICS_MIN_ROWS * 10;

  it('leaves the table to autovacuum when it is on', () => {
    expect(needsStatistics({ autovacuum: 'on', reltuples: -1, rows: big })).toBe(false);
  });

  it('analyzes a sizeable table never analyzed, or counting under half its rows', () => {
    expect(needsStatistics({ autovacuum: 'off', reltuples: -1, rows: big })).toBe(true);
    expect(needsStatistics({ autovacuum: 'off', reltuples: 1000, rows: big })).toBe(true);
    expect(needsStatistics({ autovacuum: 'off', reltuples: big * 0.9, rows: big })).toBe(false);
  });

  it('skips a small table: any plan reads it fast', () => {
    expect(needsStatistics({ autovacuum: 'off', reltuples: -1, rows: STATISTICS_MIN_ROWS - 1 })).toBe(false);
  });
});
