/**
 * CEL's `matches()` on RE2 (issue #12: `matches("^(a+)+$")` on 36 `a` and a `-` froze the server, because
 * the engine ran it on JavaScript's backtracking RegExp). The CEL spec defines `matches` with RE2 syntax and
 * semantics; @bufbuild/re2 is a pure-JS RE2 whose matching time is linear in the input (times the size of
 * the compiled pattern), so no input can make it backtrack. It also rejects what RE2 rejects (backreferences,
 * lookaround), so a pattern means the same thing here as in every other CEL implementation.
 *
 * Patterns written as literals are compiled at load (an invalid one is a definition error); a pattern built
 * at run time is compiled when evaluated (an invalid one is an evaluation error, so the event is parked).
 */
import { RE2JS, RE2JSException } from '@bufbuild/re2';
import type { EvaluationMeter } from './evaluation-budget';

/**
 * Cost of matching, per character of input: 1, plus 1 per 8 instructions of the compiled pattern (the
 * NFA steps through every instruction for each character). Measured on the dev box: a 10,000-character input
 * takes ~40 ms against `.{1000}.{1000}` (~4,000 instructions) and ~5 ms against `^(a|b)*$`.
 */
const INSTRUCTIONS_PER_UNIT = 8;
/**
 * Cost of compiling a pattern built at run time, per character of the pattern: a short pattern can still
 * compile to thousands of instructions (`\pL{1000}`), and the cost must be charged before compiling.
 */
const UNITS_PER_DYNAMIC_PATTERN_CHARACTER = 1000;
/** Compiled patterns kept (literal ones stay hot; run-time ones come and go). */
const CACHE_SIZE = 256;

interface CompiledPattern {
  readonly regex: RE2JS;
  /** Units charged per character of input. */
  readonly unitsPerCharacter: number;
}

const cache = new Map<string, CompiledPattern>();

/** Why `pattern` is not a valid RE2 pattern, with a hint for the usual JavaScript-only constructs. */
export interface PatternProblem {
  readonly message: string;
  readonly suggestion?: string;
}

/** Compile (or reuse) a pattern. @throws InvalidPatternError */
function compiled(pattern: string): CompiledPattern {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    if (error instanceof RE2JSException)
      throw new InvalidPatternError(pattern, patternProblem(pattern, error));
    throw error;
  }
  const entry = {
    regex,
    unitsPerCharacter: 1 + Math.ceil(regex.re2().prog.numInst() / INSTRUCTIONS_PER_UNIT),
  };
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(pattern, entry);
  return entry;
}

/** A pattern built at run time was not valid RE2: an evaluation error (the event is parked). */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
  constructor(
    readonly pattern: string,
    readonly problem: PatternProblem,
  ) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${problem.message}`);
  }
}

/**
 * `matches()` for one expression environment: literal patterns are checked (and compiled) at load, and
 * every call is charged to the environment's meter before it runs, so a huge input fails the budget
 * instead of blocking.
 */
export class PatternMatcher {
  /** Patterns written as literals in this environment: their compilation was paid for at load. */
  private readonly literals = new Set<string>();

  constructor(private readonly meter: EvaluationMeter) {}

  /** Load time: the problem with a literal pattern, or undefined when RE2 accepts it. */
  addLiteral(pattern: string): PatternProblem | undefined {
    try {
      compiled(pattern);
    } catch (error) {
      if (error instanceof InvalidPatternError) return error.problem;
      throw error;
    }
    this.literals.add(pattern);
    return undefined;
  }

  /**
   * `string.matches(string)` as CEL defines it: true when the pattern matches any part of the text.
   * @throws InvalidPatternError for a run-time pattern RE2 rejects; ExpressionBudgetExceededError.
   */
  matches(text: string, pattern: string): boolean {
    // Charged whether or not the cache holds it, so the cost of an evaluation is the same everywhere.
    if (!this.literals.has(pattern)) this.meter.charge(pattern.length * UNITS_PER_DYNAMIC_PATTERN_CHARACTER);
    const { regex, unitsPerCharacter } = compiled(pattern);
    this.meter.charge(text.length * unitsPerCharacter);
    return regex.test(text);
  }
}

function patternProblem(pattern: string, error: RE2JSException): PatternProblem {
  const message = `${error.message.replace(/^error parsing regexp: /, '')} (CEL patterns use RE2 syntax)`;
  if (/\\[1-9]/.test(pattern) && /escape sequence: `\\[1-9]/.test(error.message)) {
    return { message, suggestion: 'RE2 has no backreferences; match the repeated part explicitly' };
  }
  if (/\(\?<?[=!]/.test(pattern)) {
    return {
      message,
      suggestion:
        'RE2 has no lookahead or lookbehind; match the text itself, or test it in a separate condition',
    };
  }
  if (/invalid repeat count/.test(error.message)) {
    return { message, suggestion: 'RE2 allows repeat counts up to 1000' };
  }
  return { message };
}
