/** Load-time limits of one expression (issue #12): size, depth and comprehension nesting. */
import { ExpressionEnvironment, isExpressionProblem, type ExpressionProblem } from './expression-environment';
import { EXPRESSION_LIMITS } from './expression-limits';

const environment = ExpressionEnvironment.forEvents();

function problem(source: string): ExpressionProblem | undefined {
  const result = environment.compile(source);
  return isExpressionProblem(result) ? result : undefined;
}

describe('expression limits at load', () => {
  it('allows comprehensions nested two deep, and any number chained', () => {
    expect(problem('event.data.orders.map(o, o.lines.filter(l, l.qty > 0))')).toBeUndefined();
    expect(
      problem('event.data.items.map(a, a).filter(a, a != null).map(a, a).exists(a, a == 1)'),
    ).toBeUndefined();
    // The receiver of a comprehension runs once: it does not nest.
    expect(problem('event.data.a.map(x, x).map(y, event.data.b.all(z, z > 0))')).toBeUndefined();
  });

  it('rejects a third nested comprehension, pointing at it', () => {
    const source = 'event.data.a.map(x, event.data.b.map(y, event.data.c.exists(z, z == x + y)))';
    expect(problem(source)).toEqual({
      code: 'expression-limit',
      offset: source.indexOf('exists'),
      message:
        'exists() is comprehension number 3 nested inside one another; at most 2 may nest, since each level multiplies the work by the size of a list',
      suggestion: 'flatten the data in the event, or split the work over several fields',
    });
  });

  it('rejects an expression with more syntax nodes than the limit', () => {
    const source = Array.from({ length: EXPRESSION_LIMITS.maxAstNodes }, () => '1').join(' + ');
    expect(problem(source)).toMatchObject({
      code: 'expression-limit',
      message: 'the expression is too large: more than 1000 syntax nodes',
      suggestion: 'split it into several simpler expressions; src/dsl/README.md lists the limits',
    });
    expect(problem(Array.from({ length: 100 }, () => '1').join(' + '))).toBeUndefined();
  });

  it('rejects an expression nested deeper than the limit, pointing where it gets too deep', () => {
    const depth = EXPRESSION_LIMITS.maxDepth + 1;
    const source = `${'('.repeat(depth)}1${')'.repeat(depth)}`;
    expect(problem(source)).toEqual({
      code: 'expression-limit',
      offset: EXPRESSION_LIMITS.maxDepth,
      message: 'the expression nests too deeply: more than 32 levels',
      suggestion: 'split it into several simpler expressions; src/dsl/README.md lists the limits',
    });
    expect(problem(`${'('.repeat(10)}1${')'.repeat(10)}`)).toBeUndefined();
  });
});
