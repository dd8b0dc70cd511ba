/**
 * How long does an evaluation that runs out of budget take? (issue #12: the budget must stop a runaway
 * expression well before anyone notices a stall.) Each row is an expression that exceeds the budget on a
 * hostile event; the time is the median of several runs after a warm-up, on this machine.
 *
 *   npx tsx bench/expression-budget.ts
 *
 * Also prints the cost, and the time, of the order_summary hot path, to show what the metering costs.
 */
import type { JsonObject } from '../src/core/json';
import type { StoredEvent } from '../src/eventstore/event-store.port';
import { ExpressionBudgetExceededError } from '../src/dsl/expressions/evaluation-budget';
import {
  celEvent,
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
} from '../src/dsl/expressions/expression-environment';

const environment = ExpressionEnvironment.forEvents();

function event(data: JsonObject): StoredEvent {
  return {
    id: 'e',
    type: 'T',
    streamId: 's-1',
    revision: 0,
    position: 1n,
    data,
    metadata: {},
  } as StoredEvent;
}

function compile(source: string): CompiledExpression {
  const compiled = environment.compile(source);
  if (isExpressionProblem(compiled)) throw new Error(`${source}: ${compiled.message}`);
  return compiled;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(expression: CompiledExpression, data: JsonObject, runs = 7): { ms: number; outcome: string } {
  const variables = { event: celEvent(event(data)) };
  const samples: number[] = [];
  let outcome = '';
  for (let run = 0; run < runs + 2; run++) {
    const start = process.hrtime.bigint();
    try {
      expression.evaluate(variables);
      outcome = `done, ${environment.lastEvaluationCost} units`;
    } catch (error) {
      outcome = error instanceof ExpressionBudgetExceededError ? 'budget exceeded' : String(error);
    }
    if (run >= 2) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: median(samples), outcome };
}

const numbers = Array.from({ length: 10_000 }, (_, i) => i);
const cases: [string, string, JsonObject][] = [
  ['nested map, 10^4 x 10^4', 'event.data.items.map(a, event.data.items.map(b, a + b))', { items: numbers }],
  ['membership in a loop', 'event.data.items.map(a, a in event.data.items)', { items: numbers }],
  [
    'list concat in a loop',
    'event.data.items.map(a, event.data.items + event.data.items)',
    { items: numbers },
  ],
  [
    'filter of exists, 10^4 x 10^4',
    'event.data.items.filter(a, event.data.items.exists(b, b == a + 20000))',
    { items: numbers },
  ],
  [
    'string concat in a loop',
    'event.data.items.map(a, event.data.s + event.data.s).size()',
    { items: numbers, s: 'x'.repeat(100_000) },
  ],
  ['matches ^(a|b)*$ on 1 MB', 'event.data.s.matches("^(a|b)*$")', { s: 'ab'.repeat(500_000) }],
  ['matches .{1000}.{1000} on 10 kB', 'event.data.s.matches(".{1000}.{1000}")', { s: 'b'.repeat(10_000) }],
  ['matches ^(a+)+$ (issue #12)', 'event.data.s.matches("^(a+)+$")', { s: `${'a'.repeat(36)}-` }],
  ['run-time pattern', 'event.data.s.matches(event.data.p)', { s: 'b'.repeat(10_000), p: '.{1000}.{1000}' }],
];

console.log(`budget per evaluation; node ${process.version}\n`);
console.log('case'.padEnd(34) + 'median ms'.padStart(10) + '   outcome');
for (const [name, source, data] of cases) {
  const { ms, outcome } = time(compile(source), data);
  console.log(name.padEnd(34) + ms.toFixed(1).padStart(10) + `   ${outcome}`);
}

const hotPath = compile('event.data.qty * event.data.price + 1');
const iterations = 200_000;
const inputs = Array.from({ length: 1024 }, (_, i) => ({
  event: celEvent(event({ qty: (i % 5) + 1, price: 1000 + i })),
}));
for (let i = 0; i < 20_000; i++) hotPath.evaluate(inputs[i & 1023]!);
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) hotPath.evaluate(inputs[i & 1023]!);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `\nhot path ${hotPath.source}: ${Math.round(iterations / seconds).toLocaleString('en-US')} evaluations/s, ` +
    `${environment.lastEvaluationCost} units each`,
);
