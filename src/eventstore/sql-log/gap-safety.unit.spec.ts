import { DelayHorizon, WriterLocksHorizon } from './gap-safety';
import type { SqlLogQueries } from './sql-log-queries';

const queries = {} as SqlLogQueries;

describe('writer-locks horizon', () => {
  it('moves to a head at once when nobody is writing', () => {
    const horizon = new WriterLocksHorizon(queries);
    expect(horizon.advance(10n, new Set())).toBe(10n);
  });

  it('waits until every transaction writing when the head was read has ended, however many start meanwhile', () => {
    const horizon = new WriterLocksHorizon(queries);
    expect(horizon.advance(10n, new Set(['3/1', '4/7']))).toBe(0n);
    expect(horizon.waitingFor).toEqual(['3/1', '4/7']);
    // 3/1 ended, 4/7 still writes, 5/2 started: 10 is not safe yet.
    expect(horizon.advance(12n, new Set(['4/7', '5/2']))).toBe(0n);
    // 4/7 ended: 10 is safe; 15 becomes the next candidate, waiting for 5/2.
    expect(horizon.advance(15n, new Set(['5/2']))).toBe(10n);
    expect(horizon.waitingFor).toEqual(['5/2']);
    expect(horizon.advance(15n, new Set())).toBe(15n);
  });

  it('never moves back', () => {
    const horizon = new WriterLocksHorizon(queries);
    horizon.advance(10n, new Set());
    expect(horizon.advance(0n, new Set())).toBe(10n);
  });
});

describe('delay horizon', () => {
  it('makes a head safe once the delay has passed since it was first seen', () => {
    let now = 0;
    const horizon = new DelayHorizon(queries, 100, () => now);
    expect(horizon.advance(5n, now)).toBe(0n);
    now = 60;
    expect(horizon.advance(9n, now)).toBe(0n);
    now = 100;
    expect(horizon.advance(9n, now)).toBe(5n);
    now = 159;
    expect(horizon.advance(9n, now)).toBe(5n);
    now = 160;
    expect(horizon.advance(12n, now)).toBe(9n);
  });
});
