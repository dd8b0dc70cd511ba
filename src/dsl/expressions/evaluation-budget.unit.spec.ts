/**
 * The run-time budget of one expression evaluation (issue #12: a nested `map()` building 10^8 elements
 * froze the server): it stops runaway evaluations with ExpressionBudgetExceededError, lets ordinary ones
 * through, counts the same way every time, and a projection parks the event that ran out.
 */
import { ProjectionEvaluationError } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { foldBatch, keyEvents } from '../../runtime/batch-fold';
import { classifyError } from '../../runtime/error-classifier';
import { compileYamlDefinition } from '../testing/compile-yaml';
import { EVALUATION_BUDGET, ExpressionBudgetExceededError, sizeCost } from './evaluation-budget';
import {
  celEvent,
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
} from './expression-environment';

let position = 0n;
function storedEvent(type: string, data: StoredEvent['data'], streamId = 's-1'): StoredEvent {
  position += 1n;
  return { id: `e${position}`, type, streamId, revision: 0, position, data, metadata: {} } as StoredEvent;
}

function compile(environment: ExpressionEnvironment, source: string): CompiledExpression {
  const result = environment.compile(source);
  if (isExpressionProblem(result)) throw new Error(`${source}: ${result.message}`);
  return result;
}

const numbers = (count: number) => Array.from({ length: count }, (_, i) => i);
const NESTED_MAP_BOMB = 'event.data.items.map(a, event.data.items.map(b, a + b))';

describe('expression evaluation budget', () => {
  const environment = ExpressionEnvironment.forEvents();
  const evaluate = (source: string, data: StoredEvent['data']) =>
    compile(environment, source).evaluate({ event: celEvent(storedEvent('T', data)) });

  it('stops a nested map over 10^4 elements (10^8 steps) with ExpressionBudgetExceededError', () => {
    const bomb = () => evaluate(NESTED_MAP_BOMB, { items: numbers(10_000) });
    expect(bomb).toThrow(ExpressionBudgetExceededError);
    expect(bomb).toThrow(/^expression budget exceeded: the evaluation needed more than 200000 cost units/);
    // It stopped as soon as the budget was gone, not after the 10^8 steps.
    expect(environment.lastEvaluationCost).toBeLessThan(EVALUATION_BUDGET + 20_000);
  });

  it('lets ordinary comprehensions through', () => {
    const lines = numbers(1_000).map((i) => ({ qty: (i % 3) + 1, price: 100 + i }));
    const total = evaluate('event.data.lines.map(l, l.qty * l.price).size()', { lines });
    expect(total).toBe(1_000n);
    expect(evaluate('event.data.items.filter(i, i % 2 == 0).size()', { items: numbers(10_000) })).toBe(
      5_000n,
    );
    expect(environment.lastEvaluationCost).toBeLessThan(EVALUATION_BUDGET);
  });

  it('counts the same cost for the same evaluation every time (a parked event stays parked on replay)', () => {
    const data = { items: numbers(100) };
    const costs = [1, 2, 3].map(() => {
      evaluate(NESTED_MAP_BOMB, data);
      return environment.lastEvaluationCost;
    });
    expect(new Set(costs).size).toBe(1);
    expect(costs[0]).toBeGreaterThan(100 * 100);
  });

  it('cannot be dodged by CEL absorbing errors in exists() or ||', () => {
    const small = ExpressionEnvironment.forEvents({ budget: 5_000 });
    const items = { items: numbers(2_000) };
    for (const source of [
      'event.data.items.exists(a, event.data.items.exists(b, b == a + 5000)) || true',
      'event.data.items.all(a, event.data.items.size() > 0)',
      'true || event.data.items.map(a, event.data.items).size() > 0',
    ]) {
      const expression = compile(small, source);
      const run = () => expression.evaluate({ event: celEvent(storedEvent('T', items)) });
      if (source.startsWith('true ||'))
        expect(run()).toBe(true); // short-circuit: the bomb never ran
      else expect(run).toThrow(ExpressionBudgetExceededError);
    }
  });

  it('charges lists by element, strings by 64 characters, maps by entry', () => {
    expect(sizeCost(numbers(10))).toBe(10);
    expect(sizeCost('x'.repeat(640))).toBe(10);
    expect(sizeCost(new Map([[1, 2]]))).toBe(1);
    expect(sizeCost(12n)).toBe(0);
    expect(sizeCost({ a: 1 })).toBe(0);
  });
});

describe('a projection whose expression runs out of budget', () => {
  const plan = compileYamlDefinition(`
name: pairs
version: 1
source:
  events: [Listed]
target:
  kind: postgres
  table: pairs
  key: id
  columns:
    id: { type: text }
    pairs: { type: bigint }
handlers:
  Listed:
    - upsert:
        key: event.data.id
        set:
          pairs: ${NESTED_MAP_BOMB}.size()
`);

  it('fails the event with a ProjectionEvaluationError the runtime classifies as poison', () => {
    const bomb = storedEvent('Listed', { id: 'bomb', items: numbers(10_000) });
    let thrown: unknown;
    try {
      plan.apply(bomb, new Map());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProjectionEvaluationError);
    expect((thrown as ProjectionEvaluationError).reason).toMatch(
      /^handlers\.Listed\[0\]\.upsert\.set\.pairs \(.*\) at position \d+: expression budget exceeded: /,
    );
    expect(classifyError(thrown)).toBe('poison');
  });

  it('is parked with the budget reason while the other events of the batch are applied', () => {
    const events = [
      storedEvent('Listed', { id: 'a', items: numbers(3) }),
      storedEvent('Listed', { id: 'bomb', items: numbers(10_000) }),
      storedEvent('Listed', { id: 'b', items: numbers(4) }),
    ];
    const view = { projection: 'pairs', generation: 1, shape: plan.target };
    const fold = foldBatch({
      plan,
      view,
      events: keyEvents(plan, events),
      state: new Map(),
      blocked: new Set(),
      validate: () => undefined,
      now: new Date(0),
    });
    expect(fold.parked.map((parked) => [parked.keys, parked.status])).toEqual([[['bomb'], 'parked']]);
    expect(fold.parked[0]!.reason).toContain('expression budget exceeded: ');
    expect(fold.operations.map((operation) => operation.kind === 'put' && operation.document)).toEqual([
      { id: 'a', pairs: 3 },
      { id: 'b', pairs: 4 },
    ]);
  });
});
