import { backoffDelay } from './backoff';

describe('backoffDelay (exponential, full jitter)', () => {
  const options = { initialMs: 100, maxMs: 30_000 };

  it('draws uniformly below a ceiling that doubles per attempt', () => {
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(2, options, () => 0.999)).toBe(199);
    expect(backoffDelay(5, options, () => 0.5)).toBe(800);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(50, options, () => 0.999999)).toBeLessThan(30_000);
    expect(backoffDelay(50, options, () => 0.5)).toBe(15_000);
  });
});
