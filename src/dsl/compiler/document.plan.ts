/**
 * The plan of a document view (relational, search): upsert, update, updateAll and delete, each a small
 * closure over expressions compiled at load. Plans read state: every expression but the key sees the
 * document as it was before the action (like SQL's UPDATE ... SET), and the next action of the same event
 * sees the result. An updateAll (fan-out, src/core/fan-out.ts) changes every document of the state it is
 * given whose secondary key holds the selected value: the runtime gives it every document that can.
 */
import { DEFAULT_FAN_OUT_CAP, fanOutCapReason, fanOutMatches, type FanOutSelector } from '../../core/fan-out';
import type { JsonValue } from '../../core/json';
import type { LookupDeclaration, LookupValues } from '../../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { DocumentView } from '../../stores/store-dsl';
import { keyText } from '../expressions/cel-values';
import { ExpressionEnvironment } from '../expressions/expression-environment';
import { isIntKind, type ValueType } from '../expressions/value-types';
import {
  isDocumentAction,
  type DocumentAction,
  type KeyedDocumentAction,
  type UpdateAllAction,
} from '../model/projection.model';
import type { CheckedDefinition } from '../validation/definition.validator';
import { EvaluationScope, expressionBinder, type Assignment, type BoundExpression } from './bound-expression';
import { stepsByEventType, type ViewPlan } from './view-plan';

interface Writes {
  readonly set: readonly Assignment[];
  readonly increment: readonly Assignment[];
  readonly append: readonly Assignment[];
}

interface KeyedStep extends Writes {
  readonly kind: KeyedDocumentAction['kind'];
  readonly key: BoundExpression;
  readonly when?: BoundExpression;
  readonly ifMissing: 'ignore' | 'fail';
}

/** updateAll: every document whose `field` holds `value`. */
interface FanOutStep extends Writes {
  readonly kind: 'updateAll';
  readonly field: string;
  readonly fieldType: ValueType;
  readonly value: BoundExpression;
  readonly when?: BoundExpression;
  readonly max: number;
}

type DocumentStep = KeyedStep | FanOutStep;

export class DocumentPlan implements ViewPlan {
  private readonly name: string;
  private readonly steps: ReadonlyMap<string, readonly DocumentStep[]>;
  private readonly environment: ExpressionEnvironment;
  private readonly keyColumn: string;
  private readonly keyType: ValueType;
  private readonly fields: ReadonlyMap<string, ValueType>;
  /** Fields a new document must have (a store that enforces NOT NULL, see DocumentView). */
  private readonly required: readonly string[];
  private readonly lookups: Readonly<Record<string, LookupDeclaration>>;
  /** Whether an action is an updateAll (then the compiler exposes `fanOutsOf`). */
  readonly fansOut: boolean;

  constructor(checked: CheckedDefinition, shape: DocumentView) {
    const { definition } = checked;
    this.name = definition.name;
    this.lookups = definition.lookups ?? {};
    this.fields = shape.fields;
    this.keyColumn = shape.key;
    this.keyType = { ...shape.fields.get(shape.key)!, nullable: false };
    // the environment the expressions were compiled in: CEL knows `doc` values by its Doc class
    this.environment = checked.documentScope ?? ExpressionEnvironment.forDocuments(shape.fields);
    this.required = shape.enforcesNotNull
      ? [...shape.fields].filter(([, type]) => !type.nullable).map(([name]) => name)
      : [];
    const bind = expressionBinder(checked.expressions);
    this.steps = stepsByEventType(definition.handlers, isDocumentAction, (action) => this.step(bind, action));
    this.fansOut = [...this.steps.values()].some((steps) => steps.some((step) => step.kind === 'updateAll'));
  }

  private step(bind: ReturnType<typeof expressionBinder>, action: DocumentAction): DocumentStep {
    if (action.kind === 'updateAll') return this.fanOutStep(bind, action);
    return {
      kind: action.kind,
      key: bind(action.key),
      ...(action.when === undefined ? {} : { when: bind(action.when) }),
      ifMissing: action.kind === 'update' ? action.ifMissing : 'ignore',
      ...this.writes(bind, action),
    };
  }

  private fanOutStep(bind: ReturnType<typeof expressionBinder>, action: UpdateAllAction): FanOutStep {
    // validation admits exactly one secondary key
    const [field, value] = Object.entries(action.where)[0]!;
    return {
      kind: 'updateAll',
      field,
      fieldType: { ...this.fields.get(field)!, nullable: false },
      value: bind(value),
      ...(action.when === undefined ? {} : { when: bind(action.when) }),
      max: action.max ?? DEFAULT_FAN_OUT_CAP,
      ...this.writes(bind, action),
    };
  }

  private writes(bind: ReturnType<typeof expressionBinder>, action: DocumentAction): Writes {
    const assignments = (part: 'set' | 'increment' | 'append'): readonly Assignment[] =>
      Object.entries((action.kind === 'delete' ? undefined : action[part]) ?? {}).map(
        ([name, expression]) => {
          const type = this.fields.get(name)!;
          const written =
            part === 'append' && type.array
              ? { ...type, array: false, nullable: false }
              : part === 'increment'
                ? { ...type, nullable: false }
                : type;
          return [name, bind(expression), written] as const;
        },
      );
    return { set: assignments('set'), increment: assignments('increment'), append: assignments('append') };
  }

  keysOf(event: StoredEvent, lookups?: LookupValues): readonly string[] {
    const steps = this.steps.get(event.type);
    if (!steps?.length) return [];
    const scope = new EvaluationScope(event, undefined, undefined, this.lookupScope(lookups));
    if (steps.length === 1) {
      const step = steps[0]!;
      return step.kind === 'updateAll' || this.skippedByEvent(step, scope) ? [] : [this.key(step, scope).key];
    }
    const keys = new Set<string>();
    for (const step of steps)
      if (step.kind !== 'updateAll' && !this.skippedByEvent(step, scope)) keys.add(this.key(step, scope).key);
    return [...keys];
  }

  /** What each updateAll of this event selects (one whose condition on the event is false selects nothing). */
  fanOutsOf(event: StoredEvent, lookups?: LookupValues): readonly FanOutSelector[] {
    const steps = this.steps.get(event.type);
    if (!steps?.length) return [];
    const scope = new EvaluationScope(event, undefined, undefined, this.lookupScope(lookups));
    const selectors: FanOutSelector[] = [];
    for (const step of steps)
      if (step.kind === 'updateAll' && !this.skippedByEvent(step, scope))
        selectors.push(this.selector(step, scope));
    return selectors;
  }

  private selector(step: FanOutStep, scope: EvaluationScope): FanOutSelector {
    const value = step.value.value(this.name, scope, step.fieldType);
    if (typeof value !== 'string' && typeof value !== 'number')
      throw step.value.failure(this.name, scope.event, `a secondary key value must be a string or a number`);
    return { field: step.field, value, max: step.max };
  }

  /** A condition on the event alone is tested before the key is computed: a false one skips the action. */
  private skippedByEvent(step: DocumentStep, scope: EvaluationScope): boolean {
    return step.when?.scope === 'event' && !step.when.condition(this.name, scope);
  }

  private key(step: KeyedStep, scope: EvaluationScope): { key: DocumentKey; value: JsonValue } {
    const value = step.key.value(this.name, scope, this.keyType);
    return { key: keyText(value), value };
  }

  /** What expressions see of the lookups (undefined for plans without lookups: nothing to build). */
  private lookupScope(values: LookupValues | undefined) {
    return values === undefined ? undefined : { declared: this.lookups, values };
  }

  apply(
    event: StoredEvent,
    state: ReadonlyMap<DocumentKey, ViewDocument>,
    lookups?: LookupValues,
  ): readonly ViewOperation[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const lookupScope = this.lookupScope(lookups);
    const eventScope = new EvaluationScope(event, undefined, undefined, lookupScope);
    // later actions of the same event see earlier ones' results; the caller's map is never changed
    const documents = new Map<DocumentKey, ViewDocument | undefined>();
    const operations: ViewOperation[] = [];
    for (const step of steps) {
      if (this.skippedByEvent(step, eventScope)) continue;
      if (step.kind === 'updateAll') {
        this.applyFanOut(step, eventScope, state, documents, operations);
        continue;
      }
      const { key, value: keyValue } = this.key(step, eventScope);
      const document = documents.has(key) ? documents.get(key) : state.get(key);
      const scope = new EvaluationScope(event, this.environment, document, lookupScope);
      if (step.when?.scope === 'document' && !step.when.condition(this.name, scope)) continue;
      if (step.kind === 'delete') {
        documents.set(key, undefined);
        operations.push({ kind: 'delete', key, position: event.position });
        continue;
      }
      if (document === undefined && step.kind === 'update') {
        if (step.ifMissing === 'ignore') continue;
        throw step.key.failure(
          this.name,
          event,
          `no document with key ${JSON.stringify(key)} exists to update (ifMissing: fail)`,
        );
      }
      const next = this.write(step, step.key, scope, document, key, keyValue);
      documents.set(key, next);
      operations.push({ kind: 'put', key, document: next, position: event.position });
    }
    return operations;
  }

  /**
   * An updateAll: every document (as the earlier actions of the event left it) whose secondary key holds
   * the selected value, in key order; more than the cap is a poison event.
   */
  private applyFanOut(
    step: FanOutStep,
    eventScope: EvaluationScope,
    state: ReadonlyMap<DocumentKey, ViewDocument>,
    documents: Map<DocumentKey, ViewDocument | undefined>,
    operations: ViewOperation[],
  ): void {
    const selector = this.selector(step, eventScope);
    const current = (key: DocumentKey) => (documents.has(key) ? documents.get(key) : state.get(key));
    const matched = new Set<DocumentKey>();
    for (const key of [...state.keys(), ...documents.keys()]) {
      if (fanOutMatches(selector, current(key)?.[step.field])) matched.add(key);
    }
    if (matched.size > step.max)
      throw step.value.failure(this.name, eventScope.event, fanOutCapReason(selector));
    for (const key of [...matched].sort()) {
      const document = current(key)!;
      const scope = new EvaluationScope(eventScope.event, this.environment, document, eventScope.lookups);
      if (step.when?.scope === 'document' && !step.when.condition(this.name, scope)) continue;
      const next = this.write(step, step.value, scope, document, key, document[this.keyColumn] ?? key);
      documents.set(key, next);
      operations.push({ kind: 'put', key, document: next, position: eventScope.event.position });
    }
  }

  private write(
    step: Writes,
    anchor: BoundExpression,
    scope: EvaluationScope,
    document: ViewDocument | undefined,
    key: DocumentKey,
    keyValue: JsonValue,
  ): ViewDocument {
    const event = scope.event;
    const next: Record<string, JsonValue> = { ...(document ?? {}), [this.keyColumn]: keyValue };
    for (const [name, expression, type] of step.set) next[name] = expression.value(this.name, scope, type);
    for (const [name, expression, type] of step.increment) {
      const amount = expression.value(this.name, scope, type) as number;
      const base = document?.[name];
      const sum = (typeof base === 'number' ? base : 0) + amount;
      if (isIntKind(type.kind) && !Number.isSafeInteger(sum)) {
        throw expression.failure(
          this.name,
          event,
          `${name} would become ${sum}, outside the safe integer range`,
        );
      }
      next[name] = sum;
    }
    for (const [name, expression, type] of step.append) {
      const element = expression.value(this.name, scope, type);
      const base = document?.[name];
      next[name] = [...(Array.isArray(base) ? base : []), element];
    }
    if (document === undefined) {
      const missing = this.required.filter((name) => next[name] === undefined || next[name] === null);
      if (missing.length > 0) {
        throw anchor.failure(
          this.name,
          event,
          `creating document ${JSON.stringify(key)} leaves NOT NULL column(s) ${missing.join(', ')} unset`,
        );
      }
    }
    return next;
  }
}
