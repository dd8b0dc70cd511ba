/**
 * The lookups of a plan (correlation state, issue #16; see src/core/lookups.ts): which entries an event
 * reads, computed from the event alone so a batch loads them all before anything else, and the entries
 * its `remember` actions write, in action order.
 */
import type { JsonValue } from '../../core/json';
import type {
  LookupDeclaration,
  LookupEntryRef,
  LookupPlan,
  LookupValues,
  LookupWrite,
} from '../../core/lookups';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { celEvent, type CompiledLookupRead } from '../expressions/expression-environment';
import { isExpression } from '../model/expression';
import { isRememberAction } from '../model/projection.model';
import type { CheckedDefinition } from '../validation/definition.validator';
import { type BoundExpression, EvaluationScope, expressionBinder, lookupKeyText } from './bound-expression';

interface RememberStep {
  readonly lookup: string;
  readonly declaration: LookupDeclaration;
  readonly key: BoundExpression;
  readonly value: BoundExpression;
  readonly when?: BoundExpression;
}

export class CompiledLookups implements LookupPlan {
  readonly declared: Readonly<Record<string, LookupDeclaration>>;
  private readonly name: string;
  private readonly reads = new Map<string, readonly CompiledLookupRead[]>();
  private readonly remembers = new Map<string, readonly RememberStep[]>();

  constructor(checked: CheckedDefinition) {
    const { definition, expressions } = checked;
    this.name = definition.name;
    this.declared = definition.lookups ?? {};
    const bind = expressionBinder(expressions);
    for (const [eventType, actions] of Object.entries(definition.handlers)) {
      const reads = new Map<string, CompiledLookupRead>();
      for (const expression of expressionsIn(actions))
        for (const read of expressions.of(expression).lookupReads ?? [])
          reads.set(`${read.lookup}\u0000${read.key.source}`, read);
      if (reads.size > 0) this.reads.set(eventType, [...reads.values()]);
      const steps = actions.filter(isRememberAction).map((action): RememberStep => ({
        lookup: action.lookup,
        declaration: this.declared[action.lookup]!,
        key: bind(action.key),
        value: bind(action.value),
        ...(action.when === undefined ? {} : { when: bind(action.when) }),
      }));
      if (steps.length > 0) this.remembers.set(eventType, steps);
    }
  }

  readsOf(event: StoredEvent): readonly LookupEntryRef[] {
    const reads = this.reads.get(event.type);
    if (reads === undefined) return [];
    const refs: LookupEntryRef[] = [];
    for (const read of reads) {
      try {
        const value = read.key.direct?.(event);
        const key =
          value !== undefined && typeof value !== 'symbol'
            ? value
            : read.key.evaluate({ event: celEvent(event) });
        refs.push({ lookup: read.lookup, key: lookupKeyText(key, read.keyType) });
      } catch {
        // the expression that reads it fails the same way, and parks the event with the reason
      }
    }
    return refs;
  }

  remember(event: StoredEvent, values: LookupValues): readonly LookupWrite[] {
    const steps = this.remembers.get(event.type);
    if (steps === undefined) return [];
    const writes: LookupWrite[] = [];
    for (const step of steps) {
      // a fresh scope per step: each sees the entries the steps before it wrote
      const scope = new EvaluationScope(event, undefined, undefined, { declared: this.declared, values });
      if (step.when && !step.when.condition(this.name, scope)) continue;
      const key = this.keyOf(step, scope);
      const value = this.valueOf(step, scope);
      let entries = values.get(step.lookup);
      if (entries === undefined) values.set(step.lookup, (entries = new Map<string, JsonValue>()));
      entries.set(key, value);
      writes.push({ lookup: step.lookup, key, value, position: event.position });
    }
    return writes;
  }

  private keyOf(step: RememberStep, scope: EvaluationScope): string {
    const value = step.key.evaluate(this.name, scope);
    try {
      return lookupKeyText(value, step.declaration.key);
    } catch (error) {
      throw step.key.failure(this.name, scope.event, (error as Error).message);
    }
  }

  private valueOf(step: RememberStep, scope: EvaluationScope): JsonValue {
    const value = step.value.evaluate(this.name, scope);
    const fail = (expected: string) =>
      step.value.failure(
        this.name,
        scope.event,
        `the value of lookup ${step.lookup} must be ${expected}, got ${value === null ? 'null' : typeof value}`,
      );
    switch (step.declaration.value) {
      case 'string':
        if (typeof value === 'string') return value;
        throw fail('a string');
      case 'boolean':
        if (typeof value === 'boolean') return value;
        throw fail('a bool');
      case 'float':
        if (typeof value === 'number') return value;
        if (typeof value === 'bigint') return Number(value);
        throw fail('a number');
      case 'integer': {
        const number = typeof value === 'bigint' ? Number(value) : value;
        if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
        throw fail('an integer in the safe range');
      }
    }
  }
}

/** Every expression of a handler's actions. */
function expressionsIn(value: unknown): BoundExpressionSource[] {
  if (isExpression(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(expressionsIn);
  return [];
}
type BoundExpressionSource = Parameters<ReturnType<typeof expressionBinder>>[0];
