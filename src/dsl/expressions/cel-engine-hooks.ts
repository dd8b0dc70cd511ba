/**
 * Two changes to one @marcbachmann/cel-js Environment that its public API has no option for (issue #12):
 *
 *  - every AST node it evaluates is charged to an EvaluationMeter (evaluation-budget.ts), so a runaway
 *    comprehension stops with ExpressionBudgetExceededError instead of blocking the event loop;
 *  - `string.matches(string)` runs on RE2 (regex.ts) instead of JavaScript's backtracking RegExp.
 *
 * Both reach into the engine's internals, which is why the package is pinned to an exact version and why
 * they live here alone: the evaluator dispatches every child node through `evaluator.run(ast, ctx)` (the
 * method cel-js's own macro documentation tells macros to call) and
 * calls the root node as `root.evaluate(evaluator, root, ctx)`; function overloads live in
 * `evaluator.registry.functionCandidates(...)`. installEngineHooks verifies what it relies on and throws
 * at start-up if an upgrade moved it (cel-engine-hooks.unit.spec.ts proves both hooks take effect).
 */
import type { Environment } from '@marcbachmann/cel-js';
import type { EvaluationMeter } from './evaluation-budget';
import type { PatternMatcher } from './regex';

interface AstNode {
  readonly op: string;
  evaluate(evaluator: Evaluator, ast: AstNode, context: unknown): unknown;
}

interface FunctionDeclaration {
  readonly name: string;
  readonly signature: string;
  readonly receiverType: unknown;
  readonly returnType: unknown;
  readonly description: string | null;
  readonly params: readonly unknown[];
  readonly handler: (...args: unknown[]) => unknown;
}

interface Evaluator {
  run(ast: AstNode, context: unknown): unknown;
  readonly registry: {
    functionCandidates(
      receiver: boolean,
      name: string,
      argumentCount: number,
    ): { declarations: FunctionDeclaration[] };
  };
}

/**
 * Nodes whose result is a value another node already produced and was charged for (the comprehension's
 * accumulator, a ternary's or a logical operator's branch): charging it again would count a list built
 * element by element once per element, quadratically.
 */
const PASS_THROUGH = new Set(['accuValue', 'accuPush', 'accuInc', '?:', 'ternary', '||', '&&']);

const MATCHES_SIGNATURE = 'string.matches(string): bool';

export class CelEngineChangedError extends Error {
  override readonly name = 'CelEngineChangedError';
  constructor(what: string) {
    super(
      `@marcbachmann/cel-js no longer has ${what}; src/dsl/expressions/cel-engine-hooks.ts relies on it ` +
        'to bound evaluations and run matches() on RE2 (issue #12). Pin the version it was written for.',
    );
  }
}

/** Install both hooks on `env` (call once, after its types and variables, before compiling in it). */
export function installEngineHooks(env: Environment, meter: EvaluationMeter, patterns: PatternMatcher): void {
  // CEL's global form `matches(text, pattern)`, which cel-js lacks. Registering a function also gives this
  // environment its own overload table: until then it shares the engine-wide one, and replacing the
  // method form below would have changed matches() for every environment in the process.
  env.registerFunction(
    'matches(string, string): bool',
    (text: unknown, pattern: unknown) => patterns.matches(text as string, pattern as string),
    { async: false },
  );
  const evaluator = evaluatorOf(env);
  chargeEveryNode(evaluator, meter);
  replaceMatches(evaluator, patterns);
}

/** The environment's evaluator, as its root-node call hands it over (see the file comment). */
function evaluatorOf(env: Environment): Evaluator {
  const probe = env.parse('true') as unknown as { (context: object): unknown; ast?: AstNode };
  const root = probe.ast;
  if (!root || typeof root.evaluate !== 'function')
    throw new CelEngineChangedError('a parsed AST with evaluate()');
  let captured: unknown;
  root.evaluate = (evaluator) => {
    captured = evaluator;
    return true;
  };
  probe({});
  const evaluator = captured as Partial<Evaluator> | undefined;
  if (typeof evaluator?.run !== 'function' || typeof evaluator.registry?.functionCandidates !== 'function') {
    throw new CelEngineChangedError('an evaluator with run() and a function registry');
  }
  return evaluator as Evaluator;
}

function chargeEveryNode(evaluator: Evaluator, meter: EvaluationMeter): void {
  // An own property shadows the class method for this environment's evaluator only.
  evaluator.run = function run(this: Evaluator, ast: AstNode, context: unknown): unknown {
    meter.ensureLeft();
    const value = ast.evaluate(this, ast, context);
    meter.chargeStep(PASS_THROUGH.has(ast.op) ? undefined : value);
    return value;
  };
}

function replaceMatches(evaluator: Evaluator, patterns: PatternMatcher): void {
  const candidates = evaluator.registry.functionCandidates(true, 'matches', 1);
  const index = candidates.declarations.findIndex(
    (declaration) => declaration.signature === MATCHES_SIGNATURE,
  );
  const original = candidates.declarations[index];
  if (!original) throw new CelEngineChangedError(`the overload ${MATCHES_SIGNATURE}`);
  // Declarations are frozen: build a new one with the same signature around the RE2 handler.
  const Declaration = original.constructor as new (init: object) => FunctionDeclaration;
  candidates.declarations[index] = new Declaration({
    name: original.name,
    receiverType: original.receiverType,
    returnType: original.returnType,
    description: original.description,
    params: original.params,
    async: false,
    handler: (text: string, pattern: string) => patterns.matches(text, pattern),
  });
}
