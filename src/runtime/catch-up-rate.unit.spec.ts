import { CatchUpRate } from './catch-up-rate';

describe('CatchUpRate (issue #17: plan estimates from the measured rate)', () => {
  it('measures the batches applied while more than a batch behind, and keeps the figure once live', () => {
    let now = 0;
    const rate = new CatchUpRate(100, () => now);
    rate.resumed(0n, 0n);
    rate.headRead(0n, 10_000n);
    for (let position = 1_000n; position <= 10_000n; position += 1_000n) {
      now += 250; // 1,000 events per 250 ms: 4,000 events/s
      rate.committed(1_000, position, 10_000n);
    }
    expect(rate.measure()).toEqual({ eventsPerSecond: 4_000, events: 10_000, seconds: 2.5 });

    // Live: an idle minute, then one event arrives and is applied slowly; none of it is catch-up.
    now += 60_000;
    rate.headRead(10_000n, 10_001n);
    now += 500;
    rate.committed(1, 10_001n, 10_001n);
    expect(rate.measure()?.eventsPerSecond).toBe(4_000);
  });

  it('says nothing before a second of catch-up was measured', () => {
    let now = 0;
    const rate = new CatchUpRate(10, () => now);
    rate.resumed(0n, 1_000n);
    now = 400;
    rate.committed(500, 500n, 1_000n);
    expect(rate.measure()).toBeUndefined();
    now = 1_000;
    rate.committed(500, 1_000n, 1_000n);
    expect(rate.measure()).toEqual({ eventsPerSecond: 1_000, events: 1_000, seconds: 1 });
  });

  it('does not count the time a caught-up runner waits for events', () => {
    let now = 0;
    const rate = new CatchUpRate(10, () => now);
    rate.resumed(0n, 0n);
    now = 5_000;
    rate.committed(5, 5n, 5n);
    expect(rate.measure()).toBeUndefined();
  });
});
