/**
 * Size limits of one CEL expression's source (definition-limits.ts), checked before the CEL parser sees
 * it: its work grows with the text, and it recurses per unary operator (issue #12, item 7). Nesting, syntax
 * nodes and evaluation cost are the expression engine's limits (src/dsl/expressions), not here.
 */
import { TEXT_LIMITS } from '../model/definition-limits';

export interface ExpressionLimitProblem {
  readonly message: string;
  /** Character offset inside the expression where the limit was passed. */
  readonly offset: number;
}

/** The first limit `source` exceeds, or undefined. */
export function expressionLimitProblem(source: string): ExpressionLimitProblem | undefined {
  if (source.length > TEXT_LIMITS.expressionLength) {
    return {
      offset: 0,
      message: `the expression has ${source.length.toLocaleString('en-US')} characters; an expression may have at most ${TEXT_LIMITS.expressionLength.toLocaleString('en-US')}`,
    };
  }
  // Nesting depth and syntax nodes are the expression engine's limits (expression-limit), checked on the
  // parsed tree; only what would overflow the parser's own stack first is caught here: a long run of
  // unary operators (the parser recurses once per `!` or `-`, and 4,000 of them overflowed it).
  const limit = TEXT_LIMITS.unaryRun;
  let unaryRun = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '"' || char === "'") {
      i = endOfString(source, i);
      unaryRun = 0;
    } else if (char === '!' || char === '-') {
      if (++unaryRun > limit) {
        return {
          offset: i,
          message: `the expression chains more than ${limit} unary operators (! and -); an expression may chain at most ${limit}`,
        };
      }
    } else if (!/\s/.test(char)) {
      unaryRun = 0;
    }
  }
  return undefined;
}

/** Index of the last character of the CEL string literal opening at `start` (triple quotes included). */
function endOfString(source: string, start: number): number {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  for (let i = start + close.length; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source.startsWith(close, i)) return i + close.length - 1;
  }
  return source.length;
}
