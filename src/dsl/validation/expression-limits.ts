/**
 * Size limits of one CEL expression's source (definition-limits.ts), checked before the CEL parser sees
 * it: the parser recurses per nesting level (4,000 `!` overflow its stack) and its work grows with the
 * text (issue #12, item 7). Cost limits of evaluation belong to the expression engine, not here.
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
  const limit = TEXT_LIMITS.expressionDepth;
  const tooDeep = (offset: number, what: string): ExpressionLimitProblem => ({
    offset,
    message: `the expression nests ${what} more than ${limit} deep; an expression may nest at most ${limit} levels`,
  });
  let depth = 0;
  let unaryRun = 0;
  let ternaries = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '"' || char === "'") {
      i = endOfString(source, i);
      unaryRun = 0;
      continue;
    }
    if (char === '(' || char === '[' || char === '{') {
      if (++depth > limit) return tooDeep(i, 'brackets');
    } else if (char === ')' || char === ']' || char === '}') {
      depth = Math.max(0, depth - 1);
    } else if (char === '?') {
      if (++ternaries > limit) return tooDeep(i, 'conditionals (?:)');
    }
    if (char === '!' || char === '-') {
      if (++unaryRun > limit) return tooDeep(i, 'unary operators (! and -)');
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
