/**
 * The expressions of a checked definition, each parsed and type-checked once by the validator, looked up
 * by the compiler through the model's Expression nodes (by path: the validator checks each section as it
 * parsed on its own, so its nodes are equal to the model's, not the same objects).
 */
import type { Expression } from '../model/expression';
import { formatPath, type PathSegment } from '../source/source-locator';
import type { CompiledExpression } from './expression-environment';

export class CompiledExpressions {
  private readonly byPath = new Map<string, CompiledExpression>();

  record(path: readonly PathSegment[], compiled: CompiledExpression): CompiledExpression {
    this.byPath.set(formatPath(path), compiled);
    return compiled;
  }

  /** The compiled form, or undefined when the expression did not compile (its problem is reported). */
  find(expression: Expression): CompiledExpression | undefined {
    return this.byPath.get(formatPath(expression.path));
  }

  of(expression: Expression): CompiledExpression {
    const compiled = this.byPath.get(formatPath(expression.path));
    // validation compiled every expression of a checked definition; a miss is a bug in the compiler
    if (!compiled) throw new Error(`internal: expression ${formatPath(expression.path)} was not compiled`);
    return compiled;
  }
}
