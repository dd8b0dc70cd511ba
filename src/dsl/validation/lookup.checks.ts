/**
 * Checks of lookups (correlation state, issue #16): each `remember` writes a declared lookup with a key and
 * value of its declared types; every lookup read is maintained (some handler remembers it) and, inside one
 * handler, not read by an action before the action that remembers it (the runner computes an event's keys
 * after its remembers, so such a read would see the event's own write, not what the order suggests).
 */
import type { LookupDeclaration } from '../../core/lookups';
import { didYouMean } from '../errors/suggest';
import { isExpression, type Expression } from '../model/expression';
import type { LookupsDefinition } from '../model/definition.schema';
import type { RememberAction } from '../model/projection.model';
import type { PathSegment } from '../source/source-locator';
import type { ActionCheckContext } from './action-checks';
import type { ParsedHandlers } from './handler.checks';

/** CEL types the checker may infer for a value of each declared type (`dyn`: known at run time). */
const ACCEPTED_TYPES: Record<LookupDeclaration['key'] | LookupDeclaration['value'], readonly string[]> = {
  string: ['string', 'dyn'],
  integer: ['int', 'dyn'],
  float: ['double', 'dyn'],
  boolean: ['bool', 'dyn'],
};

export class LookupChecks {
  private readonly names: string[];

  constructor(
    private readonly context: ActionCheckContext,
    private readonly lookups: LookupsDefinition,
  ) {
    this.names = Object.keys(lookups);
  }

  checkRemember(action: RememberAction, base: readonly PathSegment[]): void {
    const { problems, expressions } = this.context;
    const declared = this.lookups[action.lookup];
    if (action.when !== undefined) expressions.condition(action.when, expressions.eventScope);
    if (declared === undefined) {
      problems.add(
        'unknown-lookup',
        [...base, 'lookup'],
        this.names.length === 0
          ? `unknown lookup "${action.lookup}": this definition declares no lookups (add it under \`lookups:\`)`
          : `unknown lookup "${action.lookup}"; declared: ${this.names.join(', ')}`,
        { suggestion: didYouMean(action.lookup, this.names) },
      );
      expressions.compile(action.key, expressions.eventScope);
      expressions.compile(action.value, expressions.eventScope);
      return;
    }
    this.typed(action.key, declared.key, `key of lookup "${action.lookup}"`);
    this.typed(action.value, declared.value, `value of lookup "${action.lookup}"`);
  }

  private typed(expression: Expression, declared: keyof typeof ACCEPTED_TYPES, what: string): void {
    const { problems, expressions } = this.context;
    const compiled = expressions.compile(expression, expressions.eventScope);
    if (compiled === undefined || ACCEPTED_TYPES[declared].includes(compiled.type)) return;
    problems.add(
      'expression-type',
      expression.path,
      `${what}: declared ${declared}, but the expression returns ${compiled.type}`,
    );
  }

  /** Reads of lookups nobody maintains, or read before their remember in the same handler. */
  checkReads(handlers: ParsedHandlers): void {
    const { problems, expressions } = this.context;
    const remembered = new Set<string>();
    const read = new Set<string>();
    for (const actions of handlers.values())
      for (const action of actions) if (action?.kind === 'remember') remembered.add(action.lookup);
    for (const actions of handlers.values()) {
      const firstRemember = new Map<string, number>();
      actions.forEach((action, index) => {
        if (action?.kind === 'remember' && !firstRemember.has(action.lookup))
          firstRemember.set(action.lookup, index);
      });
      actions.forEach((action, index) => {
        if (!action) return;
        for (const expression of expressionsIn(action)) {
          for (const reading of expressions.compiled.find(expression)?.lookupReads ?? []) {
            read.add(reading.lookup);
            const at = firstRemember.get(reading.lookup);
            if (!remembered.has(reading.lookup)) {
              problems.add(
                'lookup-not-maintained',
                expression.path,
                `lookup "${reading.lookup}" is read here, but no handler remembers it, so every read would find no entry`,
                {
                  offset: reading.offset,
                  suggestion: `add \`- remember: { lookup: ${reading.lookup}, key: ..., value: ... }\` to the handler of the event that knows the value`,
                },
              );
            } else if (at !== undefined && at > index) {
              problems.add(
                'lookup-read-before-remember',
                expression.path,
                `lookup "${reading.lookup}" is read by action ${index} of this handler, before action ${at} remembers it; an event's remembers apply before its other actions, so move the remember first`,
                { offset: reading.offset },
              );
            }
          }
        }
      });
    }
    for (const name of this.names) {
      if (remembered.has(name) && read.has(name)) continue;
      problems.warn(
        'lookup-unused',
        ['lookups', name],
        remembered.has(name)
          ? `lookup "${name}" is remembered but never read`
          : `lookup "${name}" is declared but never remembered or read`,
        { at: 'key' },
      );
    }
  }
}

/** Every expression of an action, wherever it sits in it. */
function expressionsIn(value: unknown): Expression[] {
  if (isExpression(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(expressionsIn);
  return [];
}
