import { ConnectionWatch } from './connection-watch';

describe('ConnectionWatch (issue #12 item 11: one log line per outage, not one per failed call)', () => {
  function watched() {
    const lines: string[] = [];
    let now = 1_000;
    const watch = new ConnectionWatch(
      'PostgreSQL event store at db:5432/prism',
      { warn: (m) => lines.push(m) },
      () => now,
    );
    return { watch, lines, advance: (ms: number) => (now += ms) };
  }

  it('logs the first failure of an outage with the store named, and nothing for the following ones', () => {
    const { watch, lines } = watched();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    watch.lost(reset);
    watch.lost(reset);
    watch.lost(new Error('Connection terminated unexpectedly'));
    expect(watch.down).toBe(true);
    expect(lines).toEqual([
      'Lost the connection to the PostgreSQL event store at db:5432/prism (ECONNRESET: read ECONNRESET); retrying, and this is logged once until it is back.',
    ]);
  });

  it('logs the return once, with how long the store was away, and a later outage again', () => {
    const { watch, lines, advance } = watched();
    watch.reached();
    expect(lines).toEqual([]);
    watch.lost(new Error('connect ECONNREFUSED'));
    advance(2_500);
    watch.reached();
    watch.reached();
    expect(watch.down).toBe(false);
    expect(lines[1]).toBe('The PostgreSQL event store at db:5432/prism is reachable again after 2.5 s.');
    watch.lost(new Error('again'));
    expect(lines).toHaveLength(3);
  });
});
