/**
 * The plan of a graph view: mergeNode, mergeRelationship, deleteNode, deleteRelationship and updateNodes.
 * Graph plans do not read state: every expression sees only the event, so a batch needs no loads. An
 * updateNodes (fan-out, issue #16) becomes one operation naming the label, the indexed property and its
 * value: the store matches the nodes where it applies it, in log order with the rest of the batch.
 */
import { DEFAULT_FAN_OUT_CAP } from '../../core/fan-out';
import type { JsonValue } from '../../core/json';
import type { LookupDeclaration, LookupValues } from '../../core/lookups';
import type { NodeRef, ViewOperation } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { keyText } from '../expressions/cel-values';
import type { GraphView } from '../../stores/store-dsl';
import type { ValueType } from '../expressions/value-types';
import type { Expression } from '../model/expression';
import { isGraphAction } from '../model/projection.model';
import type { CheckedDefinition } from '../validation/definition.validator';
import { EvaluationScope, expressionBinder, type Assignment, type BoundExpression } from './bound-expression';
import { stepsByEventType, type ViewPlan } from './view-plan';

type GraphStep =
  | {
      readonly kind: 'mergeNode' | 'deleteNode';
      readonly when?: BoundExpression;
      readonly node: NodeEnd;
      readonly set: readonly Assignment[];
    }
  | {
      readonly kind: 'mergeRelationship' | 'deleteRelationship';
      readonly when?: BoundExpression;
      readonly type: string;
      readonly from: NodeEnd;
      readonly to: NodeEnd;
      readonly set: readonly Assignment[];
    }
  | {
      readonly kind: 'updateNodes';
      readonly when?: BoundExpression;
      readonly label: string;
      readonly property: string;
      readonly value: BoundExpression;
      readonly valueType: ValueType;
      readonly set: readonly Assignment[];
      readonly max: number;
    };

interface NodeEnd {
  readonly label: string;
  readonly key: BoundExpression;
  readonly keyType: ValueType;
}

export class GraphPlan implements ViewPlan {
  private readonly name: string;
  private readonly steps: ReadonlyMap<string, readonly GraphStep[]>;
  private readonly lookups: Readonly<Record<string, LookupDeclaration>>;

  constructor(checked: CheckedDefinition, target: GraphView) {
    this.name = checked.definition.name;
    this.lookups = checked.definition.lookups ?? {};
    const bind = expressionBinder(checked.expressions);
    const end = (label: string, key: Expression): NodeEnd => {
      const node = target.nodes[label]!;
      return { label, key: bind(key), keyType: { ...node.properties[node.key]!, nullable: false } };
    };
    const assignments = (
      set: Readonly<Record<string, Expression>> | undefined,
      properties: GraphView['nodes'][string]['properties'],
    ): readonly Assignment[] =>
      Object.entries(set ?? {}).map(([name, expression]) => [name, bind(expression), properties[name]!]);

    this.steps = stepsByEventType(checked.definition.handlers, isGraphAction, (action): GraphStep => {
      const when = action.when === undefined ? {} : { when: bind(action.when) };
      switch (action.kind) {
        case 'mergeNode':
        case 'deleteNode': {
          const set = action.kind === 'mergeNode' ? action.set : undefined;
          return {
            kind: action.kind,
            ...when,
            node: end(action.label, action.key),
            set: assignments(set, target.nodes[action.label]!.properties),
          };
        }
        case 'updateNodes': {
          // validation admits exactly one indexed property
          const [property, value] = Object.entries(action.where)[0]!;
          const properties = target.nodes[action.label]!.properties;
          return {
            kind: 'updateNodes',
            ...when,
            label: action.label,
            property,
            value: bind(value),
            valueType: { ...properties[property]!, nullable: false },
            set: assignments(action.set, properties),
            max: action.max ?? DEFAULT_FAN_OUT_CAP,
          };
        }
        case 'mergeRelationship':
        case 'deleteRelationship': {
          const relationship = target.relationships[action.type]!;
          const set = action.kind === 'mergeRelationship' ? action.set : undefined;
          return {
            kind: action.kind,
            ...when,
            type: action.type,
            from: end(relationship.from, action.from.key),
            to: end(relationship.to, action.to.key),
            set: assignments(set, relationship.properties),
          };
        }
      }
    });
  }

  private scope(event: StoredEvent, lookups: LookupValues | undefined): EvaluationScope {
    return lookups === undefined
      ? new EvaluationScope(event)
      : new EvaluationScope(event, undefined, undefined, { declared: this.lookups, values: lookups });
  }

  keysOf(event: StoredEvent, lookups?: LookupValues): readonly string[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const scope = this.scope(event, lookups);
    const keys = new Set<string>();
    for (const step of steps) {
      // a skipped action touches nothing, and its keys may not even exist in the event
      if (step.when && !step.when.condition(this.name, scope)) continue;
      if (step.kind === 'updateNodes') {
        keys.add(selectorKey(step.label, step.property, this.selectedValue(step, scope)));
        continue;
      }
      const ends = 'node' in step ? [step.node] : [step.from, step.to];
      for (const end of ends) {
        const node = this.nodeRef(end, scope);
        keys.add(`${node.label}:${node.key}`);
      }
    }
    return [...keys];
  }

  apply(
    event: StoredEvent,
    _state?: ReadonlyMap<string, unknown>,
    lookups?: LookupValues,
  ): readonly ViewOperation[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const scope = this.scope(event, lookups);
    const operations: ViewOperation[] = [];
    const position = event.position;
    for (const step of steps) {
      if (step.when && !step.when.condition(this.name, scope)) continue;
      // A plain loop, not fromEntries over a map: it runs per step of every event of a catch-up.
      const set = (): Record<string, JsonValue> => {
        const values: Record<string, JsonValue> = {};
        for (const [name, expression, type] of step.set)
          values[name] = expression.value(this.name, scope, type);
        return values;
      };
      switch (step.kind) {
        case 'mergeNode':
          operations.push({
            kind: 'mergeNode',
            node: this.nodeRef(step.node, scope),
            set: set(),
            position,
          });
          break;
        case 'deleteNode':
          operations.push({ kind: 'deleteNode', node: this.nodeRef(step.node, scope), position });
          break;
        case 'mergeRelationship':
          operations.push({
            kind: 'mergeRelationship',
            type: step.type,
            from: this.nodeRef(step.from, scope),
            to: this.nodeRef(step.to, scope),
            set: set(),
            position,
          });
          break;
        case 'deleteRelationship':
          operations.push({
            kind: 'deleteRelationship',
            type: step.type,
            from: this.nodeRef(step.from, scope),
            to: this.nodeRef(step.to, scope),
            position,
          });
          break;
        case 'updateNodes':
          operations.push({
            kind: 'updateNodes',
            label: step.label,
            property: step.property,
            value: this.selectedValue(step, scope),
            set: set(),
            max: step.max,
            position,
          });
          break;
      }
    }
    return operations;
  }

  private selectedValue(
    step: Extract<GraphStep, { kind: 'updateNodes' }>,
    scope: EvaluationScope,
  ): string | number {
    const value = step.value.value(this.name, scope, step.valueType);
    if (typeof value !== 'string' && typeof value !== 'number')
      throw step.value.failure(this.name, scope.event, 'a secondary key value must be a string or a number');
    return value;
  }

  private nodeRef(end: NodeEnd, scope: EvaluationScope): NodeRef {
    const value = end.key.value(this.name, scope, end.keyType);
    return { label: end.label, key: typeof value === 'number' ? value : keyText(value) };
  }
}

/**
 * The key an updateNodes orders and parks by: `Label[property]:value`, never a node's `Label:key` (labels
 * are identifiers). Later fan-outs with the same selector are held behind a parked one, so a replay never
 * lands after a later rename of the same customer.
 */
export function selectorKey(label: string, property: string, value: string | number): string {
  return `${label}[${property}]:${String(value)}`;
}
