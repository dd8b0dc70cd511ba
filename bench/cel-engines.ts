/**
 * Which CEL engine should Prism's expressions run on? Parses and type-checks one projection expression once
 * with each engine, then evaluates it many times against changing inputs and prints ops/s side by side.
 *
 *   npx tsx bench/cel-engines.ts [iterations]
 *
 * The expression is the order_summary hot path: `doc.total + event.data.qty * event.data.price`.
 * Only @marcbachmann/cel-js exposes a type checker; @bufbuild/cel is parsed and planned once.
 * Both engines get integers as bigint (CEL int), which is what Prism's expression layer feeds them.
 */
import { celEnv, CelScalar, isCelError, mapType, parse as bufParse, plan } from '@bufbuild/cel';
import { Environment } from '@marcbachmann/cel-js';

const EXPRESSION = 'doc.total + event.data.qty * event.data.price';
const iterations = Number(process.argv[2] ?? 1_000_000);

interface Engine {
  readonly name: string;
  /** Parse and type-check once; returns the evaluator. */
  readonly prepare: () => (doc: Record<string, unknown>, event: Record<string, unknown>) => unknown;
}

const marcbachmann: Engine = {
  name: '@marcbachmann/cel-js 8',
  prepare: () => {
    const env = new Environment()
      .registerType('Doc', { fields: { total: 'int', item_count: 'int' } })
      .registerVariable('doc', 'Doc')
      .registerVariable('event', 'map');
    const checked = env.check(EXPRESSION);
    if (!checked.valid) throw checked.error ?? new Error('type check failed');
    const program = env.parse(EXPRESSION);
    return (doc, event): unknown => program({ doc, event }) as unknown;
  },
};

const bufbuild: Engine = {
  name: '@bufbuild/cel 0.6',
  prepare: () => {
    const env = celEnv({
      variables: {
        doc: mapType(CelScalar.STRING, CelScalar.INT),
        event: mapType(CelScalar.STRING, CelScalar.DYN),
      },
    });
    // @bufbuild/cel 0.6 has a checker internally but does not export it: parse + plan is all it offers.
    const program = plan(env, bufParse(EXPRESSION));
    return (doc, event) => {
      const result = program({ doc: doc as Record<string, bigint>, event: event as never });
      if (isCelError(result)) throw result;
      return result;
    };
  },
};

function measure(engine: Engine): { prepareMs: number; opsPerSecond: number; result: unknown } {
  const prepareStart = process.hrtime.bigint();
  const evaluate = engine.prepare();
  const prepareMs = Number(process.hrtime.bigint() - prepareStart) / 1e6;
  // Inputs vary per iteration so neither engine can constant-fold; built up front so only evaluation is timed.
  const inputs = Array.from({ length: 1024 }, (_, i) => ({
    doc: { total: BigInt(i * 100), item_count: BigInt(i) },
    event: { type: 'ItemAdded', data: { qty: BigInt((i % 5) + 1), price: BigInt(1000 + i) } },
  }));
  let result: unknown;
  for (let i = 0; i < 20_000; i++) result = evaluate(inputs[i & 1023]!.doc, inputs[i & 1023]!.event); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) result = evaluate(inputs[i & 1023]!.doc, inputs[i & 1023]!.event);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { prepareMs, opsPerSecond: iterations / seconds, result };
}

console.log(`expression: ${EXPRESSION}`);
console.log(`iterations: ${iterations.toLocaleString('en-US')} per engine, node ${process.version}\n`);
console.log('engine                    prepare (ms)       evaluate (ops/s)   last result');
for (const engine of [marcbachmann, bufbuild]) {
  const { prepareMs, opsPerSecond, result } = measure(engine);
  console.log(
    `${engine.name.padEnd(26)}${prepareMs.toFixed(2).padStart(16)}${Math.round(opsPerSecond)
      .toLocaleString('en-US')
      .padStart(19)}   ${String(result)}`,
  );
}
