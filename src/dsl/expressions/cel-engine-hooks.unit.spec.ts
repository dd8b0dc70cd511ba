/**
 * The two changes cel-engine-hooks.ts makes inside @marcbachmann/cel-js take effect (they rely on its
 * internals: this is the test that fails if an upgrade moves them).
 */
import { Environment } from '@marcbachmann/cel-js';
import { installEngineHooks } from './cel-engine-hooks';
import { EvaluationMeter, ExpressionBudgetExceededError } from './evaluation-budget';
import { PatternMatcher } from './regex';

function hookedEnvironment(budget = 1_000) {
  const env = new Environment().registerVariable('s', 'string').registerVariable('l', 'list<int>');
  const meter = new EvaluationMeter(budget);
  installEngineHooks(env, meter, new PatternMatcher(meter));
  const run = (source: string, variables: Record<string, unknown>): unknown =>
    meter.measure((): unknown => env.parse(source)(variables));
  return { env, meter, run };
}

describe('cel-js engine hooks', () => {
  it('charges every node evaluated to the meter', () => {
    const { meter, run } = hookedEnvironment();
    expect(run('s + "b"', { s: 'a' })).toBe('ab');
    expect(meter.used).toBe(2); // the two operands; the root is the call itself
    expect(run('l.map(x, x * 2)', { l: [1n, 2n, 3n] })).toEqual([2n, 4n, 6n]);
    expect(meter.used).toBeGreaterThan(3 * 3);
  });

  it('stops an evaluation over its budget', () => {
    const { run } = hookedEnvironment(500);
    const l = Array.from({ length: 100 }, (_, i) => BigInt(i));
    expect(() => run('l.map(x, l.map(y, x + y))', { l })).toThrow(ExpressionBudgetExceededError);
  });

  it('runs matches() on RE2 in the hooked environment only', () => {
    // Not compiled through ExpressionEnvironment, so the pattern is charged as a run-time one.
    const { run } = hookedEnvironment(100_000);
    // A backreference is valid for JavaScript's RegExp and invalid RE2: RE2 is what runs.
    expect(() => run('s.matches("(a)\\\\1")', { s: 'aa' })).toThrow(/invalid escape sequence/);
    expect(run('s.matches("(?i)^abc$")', { s: 'ABC' })).toBe(true);
    // Other environments keep the engine's own matches(): the hook replaced it in this one only.
    const plain = new Environment().registerVariable('s', 'string');
    expect(plain.evaluate('s.matches("(a)\\\\1")', { s: 'aa' }) as unknown).toBe(true);
  });

  it('charges matches() to the meter of the environment that runs it, not the last one hooked', () => {
    const roomy = hookedEnvironment(100_000);
    hookedEnvironment(1); // a later environment with no budget to speak of
    expect(roomy.run('s.matches("^a+$")', { s: 'aaa' })).toBe(true);
    // the run-time pattern's compilation (1,000 units per character), charged here
    expect(roomy.meter.used).toBeGreaterThan(4 * 1_000);
  });
});
