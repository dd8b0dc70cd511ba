import { backoffDelay } from './backoff';
import { DEFAULT_RUNNER_OPTIONS } from './runtime.options';

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

describe('the runner default backoff (issue #12 item 11)', () => {
  it('is capped low enough that a projection retries within 2 s of its store coming back', () => {
    // A 30 s cap once made catch-up take 22 s after its store returned.
    expect(DEFAULT_RUNNER_OPTIONS.backoff.maxMs).toBeLessThanOrEqual(2_000);
    expect(backoffDelay(1_000, DEFAULT_RUNNER_OPTIONS.backoff, () => 0.999999)).toBeLessThan(2_000);
  });
});
