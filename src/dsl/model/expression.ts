/**
 * A CEL expression of a definition is a node of its own in the model, never a bare string: whatever walks
 * the model (the fingerprint, the validator, the compiler) finds every expression by what it is, not by
 * the name of the field that holds it, so an expression in a field added later is covered without anyone
 * remembering (issue #13).
 *
 * The schema makes one for every value it reads as an expression (ExpressionSchema), with no place yet;
 * the model builder (projection.model.ts) places each at the path where it was written.
 */
import type { PathSegment, SourcePosition } from '../source/source-locator';

export class Expression {
  private constructor(
    /** CEL source; YAML literals (numbers, booleans, null) already turned into CEL (expression-source.ts). */
    readonly source: string,
    /** Where it sits in the definition as written, e.g. handlers.OrderPlaced[0].upsert.key; [] until placed. */
    readonly path: readonly PathSegment[],
    /** Where it was written in its file, when the definition came from one. */
    readonly position?: SourcePosition,
  ) {
    Object.freeze(this.path);
    Object.freeze(this);
  }

  static of(source: string): Expression {
    return new Expression(source, []);
  }

  /** The same expression, placed where it was written. */
  at(path: readonly PathSegment[], position?: SourcePosition): Expression {
    return new Expression(this.source, [...path], position && Object.freeze({ ...position }));
  }

  /** In JSON an expression is its source, exactly as the written definition holds it. */
  toJSON(): string {
    return this.source;
  }
}

export function isExpression(value: unknown): value is Expression {
  return value instanceof Expression;
}
