/**
 * Expression typing for the semantic checks: each expression is compiled once, in the scope it may read,
 * its static type compared with what its place expects, and the compiled form kept for the compiler.
 */
import { CompiledExpressions } from '../expressions/compiled-expressions';
import {
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
} from '../expressions/expression-environment';
import type { LookupDeclaration } from '../../core/lookups';
import type { EventDataTypes } from '../expressions/event-data-types';
import { staticMismatch, type ValueType } from '../expressions/value-types';
import type { Expression } from '../model/expression';
import { expressionLimitProblem } from './expression-limits';
import type { Problems } from './problems';

export class ExpressionChecker {
  readonly compiled = new CompiledExpressions();
  /** Keys and graph expressions read only `event` (and the definition's lookups). */
  readonly eventScope: ExpressionEnvironment;

  /** The payload types of the handler event being checked (a catalogued one), else `event.data` is dyn. */
  private data: EventDataTypes | undefined;

  constructor(
    private readonly problems: Problems,
    /** The payload types of a catalogued event type (issue #16), undefined for an uncatalogued one. */
    private readonly payloadTypes: (eventType: string) => EventDataTypes | undefined = () => undefined,
    /** The definition's lookups: every expression may read them. */
    readonly lookups: Readonly<Record<string, LookupDeclaration>> = {},
  ) {
    this.eventScope = ExpressionEnvironment.forEvents({ lookups });
  }

  /** The expressions checked from here on are those of the handler of `eventType`. */
  readingEvent(eventType: string | undefined): void {
    this.data = eventType === undefined ? undefined : this.payloadTypes(eventType);
  }

  /** Compiles and checks the expression's static type against `expected` (no check when undefined). */
  typed(
    expression: Expression,
    scope: ExpressionEnvironment,
    expected: ValueType | undefined,
    what: string,
  ): void {
    const compiled = this.compile(expression, scope);
    if (!compiled || !expected) return;
    const mismatch = staticMismatch(expected, compiled.type);
    if (mismatch) this.problems.add('expression-type', expression.path, `${what}: ${mismatch}`);
  }

  condition(expression: Expression, scope: ExpressionEnvironment): void {
    // A condition that reads only `event` is compiled in the event scope, so the compiler can test it
    // before the action's key is computed (`when: has(event.data.x)` guards `key: event.data.x`).
    const { source, path } = expression;
    const eventOnly =
      scope !== this.eventScope && !expressionLimitProblem(source)
        ? this.eventScope.compile(source, this.data)
        : undefined;
    const compiled =
      eventOnly && !isExpressionProblem(eventOnly)
        ? this.compiled.record(path, eventOnly)
        : this.compile(expression, scope);
    if (compiled && compiled.type !== 'bool' && compiled.type !== 'dyn') {
      this.problems.add(
        'expression-type',
        path,
        `a condition must return bool, but the expression returns ${compiled.type}`,
      );
    }
  }

  /** Compiles without a type expectation (e.g. a write to a declaration whose type did not parse). */
  compile(expression: Expression, scope: ExpressionEnvironment): CompiledExpression | undefined {
    const { source, path } = expression;
    const tooLarge = expressionLimitProblem(source);
    if (tooLarge) {
      this.problems.add('limit-exceeded', path, tooLarge.message, { offset: tooLarge.offset });
      return undefined;
    }
    const result = scope.compile(source, this.data);
    if (isExpressionProblem(result)) {
      this.problems.add(result.code, path, result.message, {
        offset: result.offset,
        suggestion: result.suggestion,
      });
      return undefined;
    }
    return this.compiled.record(path, result);
  }
}
