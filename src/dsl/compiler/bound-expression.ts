/**
 * Expressions as plans evaluate them: each model Expression bound to its compiled form (parsed and
 * type-checked at load, never per event) and to where it was written, so failures name the field path and
 * the source; keys and conditions are evaluated through here by both document and graph plans.
 */
import type { JsonValue } from '../../core/json';
import { ProjectionEvaluationError, type ViewDocument } from '../../core/plan';
import type { LookupDeclaration, LookupValues } from '../../core/lookups';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { CelValueConversionError, describeCel } from '../expressions/cel-values';
import type { CompiledExpressions } from '../expressions/compiled-expressions';
import { INDIRECT } from '../expressions/direct-access';
import {
  celEvent,
  celLookups,
  type CompiledExpression,
  type ExpressionEnvironment,
  type ExpressionVariables,
} from '../expressions/expression-environment';
import { convertToDeclared, type ValueType } from '../expressions/value-types';
import type { Expression } from '../model/expression';
import { formatPath } from '../source/source-locator';

/** The lookup entries an event's expressions read (plans with lookups only). */
export interface LookupScope {
  readonly declared: Readonly<Record<string, LookupDeclaration>>;
  readonly values: LookupValues;
}

/**
 * What the expressions of one event (and, for document views, one document) see. The CEL forms of the
 * event and the document are built on first use: expressions that are literals or plain field paths
 * read the stored event directly (direct-access.ts), so many events never need them.
 */
export class EvaluationScope {
  private variables: ExpressionVariables | undefined;

  constructor(
    readonly event: StoredEvent,
    private readonly documents?: ExpressionEnvironment,
    private readonly document?: ViewDocument,
    readonly lookups?: LookupScope,
  ) {}

  celVariables(): ExpressionVariables {
    this.variables ??= this.makeVariables();
    return this.variables;
  }

  private makeVariables(): ExpressionVariables {
    const base = this.documents
      ? { event: celEvent(this.event), doc: this.documents.document(this.document) }
      : { event: celEvent(this.event) };
    return this.lookups ? { ...base, lookup: celLookups(this.lookups.declared, this.lookups.values) } : base;
  }
}

/** An expression bound to where it was written, so failures name the field path and the source. */
export class BoundExpression {
  constructor(
    readonly path: string,
    private readonly compiled: CompiledExpression,
  ) {}

  get scope(): CompiledExpression['scope'] {
    return this.compiled.scope;
  }

  evaluate(projection: string, scope: EvaluationScope): unknown {
    const direct = this.compiled.direct?.(scope.event) ?? INDIRECT;
    if (direct !== INDIRECT) return direct;
    try {
      return this.compiled.evaluate(scope.celVariables());
    } catch (error) {
      throw this.failure(projection, scope.event, this.missingLookupEntry(scope) ?? evaluationReason(error));
    }
  }

  /** When the expression read a lookup entry that does not exist: which one, said plainly. */
  private missingLookupEntry(scope: EvaluationScope): string | undefined {
    const reads = this.compiled.lookupReads;
    if (reads === undefined || scope.lookups === undefined) return undefined;
    for (const read of reads) {
      let key: string;
      try {
        key = lookupKeyText(read.key.evaluate({ event: celEvent(scope.event) }), read.keyType);
      } catch {
        continue;
      }
      if (scope.lookups.values.get(read.lookup)?.has(key) !== true)
        return `lookup.${read.lookup} has no entry for key ${JSON.stringify(key)} (no earlier event remembered it)`;
    }
    return undefined;
  }

  failure(projection: string, event: StoredEvent, reason: string): ProjectionEvaluationError {
    return new ProjectionEvaluationError(
      projection,
      event.type,
      `${this.path} (${JSON.stringify(this.compiled.source)}) at position ${event.position}: ${reason}`,
    );
  }

  /** Evaluate and convert to the declared type. */
  value(projection: string, scope: EvaluationScope, type: ValueType): JsonValue {
    const value = this.evaluate(projection, scope);
    try {
      return convertToDeclared(type, value);
    } catch (error) {
      throw this.failure(projection, scope.event, evaluationReason(error));
    }
  }

  condition(projection: string, scope: EvaluationScope): boolean {
    const value = this.evaluate(projection, scope);
    if (typeof value !== 'boolean')
      throw this.failure(projection, scope.event, `a condition must be a bool, got ${describeCel(value)}`);
    return value;
  }
}

/** A lookup key as stored: a string, or an integer's decimal digits. */
export function lookupKeyText(value: unknown, type: LookupDeclaration['key']): string {
  if (type === 'string') {
    if (typeof value !== 'string')
      throw new CelValueConversionError(`a lookup key must be a string, got ${describeCel(value)}`);
    return value;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new CelValueConversionError(`a lookup key must be an integer, got ${describeCel(value)}`);
}

function evaluationReason(error: unknown): string {
  if (error instanceof CelValueConversionError) return error.message;
  const summary = (error as { summary?: string }).summary;
  if (typeof summary === 'string') return summary;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Binds the model's expressions to what validation compiled for them. */
export function expressionBinder(compiled: CompiledExpressions): (expression: Expression) => BoundExpression {
  return (expression) => new BoundExpression(formatPath(expression.path), compiled.of(expression));
}

/** A write: the field or property, its expression, and the type its value is converted to. */
export type Assignment = readonly [name: string, expression: BoundExpression, type: ValueType];
