/**
 * The run-time cost limit of one expression evaluation (issue #12: a nested `map()` building 10^8 elements
 * froze the server). CEL evaluates synchronously on the event loop, so an evaluation must stop by itself.
 *
 * The budget counts work, not time: every AST node evaluated costs 1, and every list, map, string or bytes
 * value a node produces or reads costs its size (one unit per element, per map entry, per 64 characters or
 * bytes), because that is what the next operation may scan or copy. `matches` charges its input length
 * itself before running (regex.ts). A count is deterministic: the same event exceeds the budget on every
 * replica, in every rebuild and in `verify`, so parking it as poison is safe. A wall-clock limit would
 * not be (it depends on load) and would need a worker thread per evaluation. Why these numbers: see the
 * "Limits" section of src/dsl/README.md.
 */

/** Cost units one evaluation of one expression may spend (at most ~0.1 s of CPU on the dev box; see README). */
export const EVALUATION_BUDGET = 200_000;

/** Characters (or bytes) of a string value that cost one unit. */
const CHARACTERS_PER_UNIT = 64;

/** An evaluation spent more than its budget; the runtime parks the event as poison with this message. */
export class ExpressionBudgetExceededError extends Error {
  override readonly name = 'ExpressionBudgetExceededError';
  constructor(readonly budget: number) {
    super(
      `expression budget exceeded: the evaluation needed more than ${budget} cost units ` +
        '(1 per step, plus the size of every list, map or string it touches); ' +
        'see "Limits" in src/dsl/README.md',
    );
  }
}

/**
 * The meter of one environment. Evaluations never nest (an expression cannot evaluate another one), so
 * one meter per environment, reset at the start of each evaluation, is enough.
 */
export class EvaluationMeter {
  private spent = 0;
  private limit = EVALUATION_BUDGET;
  /**
   * Thrown again by every charge after the budget ran out: CEL's `exists` and `all` catch errors and go on
   * with the next element, and building a new Error (with its stack) per element was most of the cost.
   */
  private exhausted: ExpressionBudgetExceededError | undefined;

  constructor(private readonly budget: number = EVALUATION_BUDGET) {}

  /** Run one evaluation under a fresh budget; throws ExpressionBudgetExceededError when it ran out. */
  measure<T>(evaluate: () => T): T {
    this.spent = 0;
    this.limit = this.budget;
    this.exhausted = undefined;
    let result: T;
    try {
      result = evaluate();
    } catch (error) {
      throw this.ranOut() ?? error;
    }
    // CEL absorbs some errors (`exists`, `||`): an evaluation that ran out must fail even then.
    const ranOut = this.ranOut();
    if (ranOut) throw ranOut;
    return result;
  }

  /** Spend `units`; throws once the budget is gone (and on every later charge of the same evaluation). */
  charge(units: number): void {
    this.spent += units;
    if (this.spent > this.limit) throw this.exhaust();
  }

  /** Before a step: stop at once when the budget is already gone (a loop's remaining elements). */
  ensureLeft(): void {
    if (this.exhausted) throw this.exhausted;
  }

  /** Spend 1 for a step plus the size of the value it produced. */
  chargeStep(value: unknown): void {
    this.spent += 1 + sizeCost(value);
    if (this.spent > this.limit) throw this.exhaust();
  }

  /** A method, not a field read: TypeScript would keep `exhausted` narrowed to undefined across evaluate(). */
  private ranOut(): ExpressionBudgetExceededError | undefined {
    return this.exhausted;
  }

  private exhaust(): ExpressionBudgetExceededError {
    return (this.exhausted ??= new ExpressionBudgetExceededError(this.budget));
  }

  /** Units spent by the last (or current) evaluation: for tests and the README's measurements. */
  get used(): number {
    return this.spent;
  }
}

/** What the size of a value costs: elements, entries, or characters/bytes in blocks of 64. */
export function sizeCost(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return Math.floor(value.length / CHARACTERS_PER_UNIT);
    case 'object':
      if (value === null) return 0;
      if (Array.isArray(value)) return value.length;
      if (value instanceof Map || value instanceof Set) return value.size;
      if (value instanceof Uint8Array) return Math.floor(value.length / CHARACTERS_PER_UNIT);
      // Plain objects (event data maps, documents): reading one is O(1); iterating one is charged per step.
      return 0;
    default:
      return 0;
  }
}
