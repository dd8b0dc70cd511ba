/**
 * matches() runs on RE2 (issue #12: `matches("^(a+)+$")` on 36 `a` and a `-` froze the server on
 * JavaScript's backtracking RegExp).
 */
import type { StoredEvent } from '../../eventstore/event-store.port';
import { ExpressionBudgetExceededError } from './evaluation-budget';
import {
  celEvent,
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
  type ExpressionProblem,
} from './expression-environment';
import { InvalidPatternError } from './regex';

function storedEvent(data: Record<string, unknown>): StoredEvent {
  return {
    id: 'e-1',
    type: 'T',
    streamId: 's-1',
    revision: 0,
    position: 1n,
    data,
    metadata: {},
  } as StoredEvent;
}

const environment = ExpressionEnvironment.forEvents();

function compiled(source: string): CompiledExpression {
  const result = environment.compile(source);
  if (isExpressionProblem(result)) throw new Error(`${source}: ${result.message}`);
  return result;
}

function problem(source: string): ExpressionProblem {
  const result = environment.compile(source);
  if (!isExpressionProblem(result)) throw new Error(`${source} compiled`);
  return result;
}

const run = (source: string, data: Record<string, unknown>) =>
  compiled(source).evaluate({ event: celEvent(storedEvent(data)) });

describe('matches() on RE2', () => {
  const issueExpression = 'event.data.customerId.matches("^(a+)+$") ? "x" : "y"';

  it('answers the issue #12 catastrophic-backtracking input at once, and right', () => {
    const hostile = `${'a'.repeat(36)}-`;
    expect(run(issueExpression, { customerId: hostile })).toBe('y');
    // Linear: the cost charged is a few units per character, not 2^36 steps.
    expect(environment.lastEvaluationCost).toBeLessThan(50 * hostile.length);
    expect(run(issueExpression, { customerId: 'a'.repeat(36) })).toBe('x');
  });

  it('stays linear on a 20,000-character hostile input', () => {
    const hostile = `${'a'.repeat(20_000)}-`;
    expect(run('event.data.s.matches("^(a+)+$")', { s: hostile })).toBe(false);
    expect(run('event.data.s.matches("(x+x+)+y")', { s: 'x'.repeat(5_000) })).toBe(false);
  });

  it('has CEL semantics: a search anywhere in the string, with RE2 flags and classes', () => {
    expect(run('event.data.s.matches("b+")', { s: 'abbbc' })).toBe(true);
    expect(run('event.data.s.matches("^b+$")', { s: 'abbbc' })).toBe(false);
    // (?i) is RE2 syntax JavaScript's RegExp rejects: proof that RE2 runs, not RegExp.
    expect(run('event.data.s.matches("(?i)^ABC$")', { s: 'abc' })).toBe(true);
    expect(run('event.data.s.matches("^\\\\pL+$")', { s: 'Zürich' })).toBe(true);
    expect(run('event.data.s.matches(event.data.p)', { s: 'order-17', p: '^order-[0-9]+$' })).toBe(true);
  });

  it.each([
    ['a backreference', '(a)\\\\1', 'invalid escape sequence: `\\1`', /no backreferences/],
    ['a lookahead', '(?=a)a', 'invalid or unsupported Perl syntax: `(?=`', /no lookahead or lookbehind/],
    ['a negative lookbehind', '(?<!a)b', 'invalid named capture: `(?<!a)b`', /no lookahead/],
    ['a repeat count over 1000', 'a{1001}', 'invalid repeat count: `{1001}`', /up to 1000/],
    ['an unclosed group', '(ab', 'missing closing ): `(ab`', undefined],
  ])('rejects %s in a literal pattern at load, pointing at the pattern', (_what, pattern, reason, hint) => {
    const source = `event.data.s.matches("${pattern}")`;
    const found = problem(source);
    expect(found).toMatchObject({
      code: 'expression-regex',
      offset: source.indexOf('"'),
      message: `${reason} (CEL patterns use RE2 syntax)`,
    });
    if (hint) expect(found.suggestion).toMatch(hint);
    else expect(found.suggestion).toBeUndefined();
  });

  it('checks a pattern built at run time when it is evaluated: an invalid one is an evaluation error', () => {
    const expression = compiled('event.data.s.matches(event.data.p)');
    const evaluate = () => expression.evaluate({ event: celEvent(storedEvent({ s: 'aa', p: '(a)\\1' })) });
    expect(evaluate).toThrow(InvalidPatternError);
    expect(evaluate).toThrow('invalid regular expression "(a)\\\\1": invalid escape sequence: `\\1`');
  });

  it('charges the input to the budget before matching, so a huge input cannot block', () => {
    const small = ExpressionEnvironment.forEvents({ budget: 10_000 });
    const expression = small.compile('event.data.s.matches("^(a|b)*$")') as CompiledExpression;
    const evaluate = (s: string) => expression.evaluate({ event: celEvent(storedEvent({ s })) });
    expect(evaluate('ab'.repeat(100))).toBe(true);
    expect(() => evaluate('ab'.repeat(100_000))).toThrow(ExpressionBudgetExceededError);
    // Nothing was matched: the charge came first, so the cost is the charge, not a partial run.
    expect(small.lastEvaluationCost).toBeGreaterThan(10_000);
  });
});

describe('matches(text, pattern), the global form of the CEL spec', () => {
  it('runs on RE2 and checks a literal pattern at load', () => {
    expect(run('matches(event.data.s, "^a+$")', { s: 'aaa' })).toBe(true);
    const source = 'matches(event.data.s, "(a)\\\\1")';
    expect(problem(source)).toMatchObject({ code: 'expression-regex', offset: source.indexOf('"') });
  });
});
