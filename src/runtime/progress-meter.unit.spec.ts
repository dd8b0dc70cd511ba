import { ProgressMeter } from './progress-meter';

describe('ProgressMeter', () => {
  it('reports events and positions per second over its window, and the ETA to the head', () => {
    let now = 0;
    const meter = new ProgressMeter(10_000, () => now);
    meter.reset(0n);
    now = 1000;
    meter.record(500, 1000n);
    now = 2000;
    meter.record(500, 2000n);
    expect(meter.eventsPerSecond()).toBe(500);
    expect(meter.positionsPerSecond()).toBe(1000);
    expect(meter.etaSeconds(2000n, 12_000n)).toBe(10);
    expect(meter.etaSeconds(12_000n, 12_000n)).toBe(0);
    expect(meter.totalEvents).toBe(1000);
  });

  it('forgets samples older than the window', () => {
    let now = 0;
    const meter = new ProgressMeter(1000, () => now);
    meter.reset(0n);
    now = 500;
    meter.record(10_000, 10_000n); // a fast start
    for (let t = 1000; t <= 5000; t += 500) {
      now = t;
      meter.record(50, 10_000n + BigInt(t));
    }
    expect(meter.eventsPerSecond()).toBeCloseTo(100, 0);
  });

  it('has no ETA before it has a rate', () => {
    const meter = new ProgressMeter(1000, () => 0);
    meter.reset(0n);
    expect(meter.etaSeconds(0n, 10n)).toBeUndefined();
  });
});
