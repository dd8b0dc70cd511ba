/**
 * Checks of graph actions (mergeNode, deleteNode, mergeRelationship, deleteRelationship) against a graph
 * view's declared labels and relationship types: known label or type, matching end labels, key types,
 * and every property written. Graph expressions read only `event` (graph plans do not read state).
 */
import { didYouMean, listNames } from '../errors/suggest';
import type { GraphView } from '../../stores/store-dsl';
import type { ValueType } from '../expressions/value-types';
import type { Expression } from '../model/expression';
import type { ActionOf, GraphAction, UpdateNodesAction } from '../model/projection.model';
import type { PathSegment } from '../source/source-locator';
import type { ActionCheckContext } from './action-checks';
import type { ActionChecks } from './handler.checks';

type Properties = Readonly<Record<string, ValueType>>;

export class GraphActionChecks implements Extract<ActionChecks, { family: 'graph' }> {
  readonly family = 'graph' as const;
  readonly targetKind: string;
  private readonly labels: readonly string[];
  private readonly types: readonly string[];

  constructor(
    private readonly context: ActionCheckContext,
    targetKind: string,
    private readonly target: GraphView,
  ) {
    this.targetKind = targetKind;
    this.labels = Object.keys(target.nodes);
    this.types = Object.keys(target.relationships);
  }

  check(action: GraphAction, base: readonly PathSegment[]): void {
    const { expressions } = this.context;
    if (action.when !== undefined) expressions.condition(action.when, expressions.eventScope);
    if (action.kind === 'mergeNode' || action.kind === 'deleteNode') this.checkNode(action, base);
    else if (action.kind === 'updateNodes') this.checkUpdateNodes(action, base);
    else this.checkRelationship(action, base);
  }

  private checkNode(action: ActionOf<'mergeNode' | 'deleteNode'>, base: readonly PathSegment[]): void {
    const { problems, expressions } = this.context;
    const label = action.label;
    const node = this.target.nodes[label];
    if (!node) {
      problems.add(
        'unknown-label',
        [...base, 'label'],
        `label "${label}" is not declared in target.nodes (${this.labels.join(', ')})`,
        { suggestion: didYouMean(label, this.labels) },
      );
      return;
    }
    const keyType = node.properties[node.key];
    expressions.typed(
      action.key,
      expressions.eventScope,
      keyType && { ...keyType, nullable: false },
      `key property "${node.key}" of ${label}`,
    );
    const set = action.kind === 'mergeNode' ? action.set : undefined;
    this.checkProperties(set, node.properties, label, `node ${label}`, node.key);
  }

  /**
   * A graph fan-out (issue #16): a known label, `where` naming exactly one of its declared indexes (never
   * the key: one node by key is what mergeNode does) with a value of its type, and at least one property set.
   */
  private checkUpdateNodes(action: UpdateNodesAction, base: readonly PathSegment[]): void {
    const { problems, expressions } = this.context;
    const node = this.target.nodes[action.label];
    if (!node) {
      problems.add(
        'unknown-label',
        [...base, 'label'],
        `label "${action.label}" is not declared in target.nodes (${this.labels.join(', ')})`,
        { suggestion: didYouMean(action.label, this.labels) },
      );
      return;
    }
    const entries = Object.entries(action.where);
    if (entries.length !== 1) {
      problems.add(
        'fan-out-where',
        [...base, 'where'],
        `where names ${entries.length} properties; name exactly one indexed property of ${action.label}, e.g. { customerId: event.data.customerId }`,
        { at: 'key' },
      );
    }
    const secondary = (node.secondaryKeys ?? []).filter((property) => property !== node.key);
    for (const [name, expression] of entries) {
      const type = node.properties[name];
      if (!secondary.includes(name)) {
        const listed = secondary.length > 0 ? ` (indexes: ${listNames(secondary)})` : '';
        problems.add(
          'fan-out-not-secondary-key',
          expression.path,
          name === node.key
            ? `"${name}" is the key of ${action.label}: update one node by key with mergeNode, not updateNodes`
            : `${type ? '' : 'unknown '}property "${name}" is not a secondary key of ${action.label}${listed}`,
          {
            at: 'key',
            suggestion:
              name === node.key
                ? `mergeNode: { label: ${action.label}, key: ..., set: ... }`
                : (didYouMean(name, secondary) ??
                  (type
                    ? `to select by it, declare it under target.nodes.${action.label}.indexes: [${name}]`
                    : didYouMean(name, Object.keys(node.properties)))),
          },
        );
        expressions.compile(expression, expressions.eventScope);
        continue;
      }
      expressions.typed(
        expression,
        expressions.eventScope,
        type && { ...type, nullable: false },
        `value of secondary key "${name}" of ${action.label}`,
      );
    }
    if (Object.keys(action.set ?? {}).length === 0) {
      problems.add('empty-action', base, 'updateNodes changes nothing; add set', { at: 'key' });
    }
    this.checkProperties(
      action.set,
      node.properties,
      action.label,
      `node ${action.label}`,
      node.key,
      'updateNodes',
    );
  }

  private checkRelationship(
    action: ActionOf<'mergeRelationship' | 'deleteRelationship'>,
    base: readonly PathSegment[],
  ): void {
    const { problems, expressions } = this.context;
    const relationshipType = action.type;
    const relationship = this.target.relationships[relationshipType];
    if (!relationship) {
      problems.add(
        'unknown-relationship-type',
        [...base, 'type'],
        `relationship type "${relationshipType}" is not declared in target.relationships (${this.types.join(', ') || 'none'})`,
        {
          suggestion: didYouMean(relationshipType, this.types),
        },
      );
      return;
    }
    for (const end of ['from', 'to'] as const) {
      const match = action[end];
      const declared = relationship[end];
      if (match.label !== undefined && match.label !== declared) {
        problems.add(
          'label-mismatch',
          [...base, end, 'label'],
          `relationship ${relationshipType} ${end === 'from' ? 'starts at' : 'ends at'} ${declared}, not ${match.label}`,
          {
            suggestion: `write label: ${declared}, or leave the label out`,
          },
        );
        continue;
      }
      const node = this.target.nodes[declared];
      const keyType = node?.properties[node.key];
      expressions.typed(
        match.key,
        expressions.eventScope,
        keyType && { ...keyType, nullable: false },
        node ? `key property "${node.key}" of ${declared}` : 'node key',
      );
    }
    const set = action.kind === 'mergeRelationship' ? action.set : undefined;
    this.checkProperties(set, relationship.properties, relationshipType, `relationship ${relationshipType}`);
  }

  private checkProperties(
    set: Readonly<Record<string, Expression>> | undefined,
    properties: Properties,
    declaredBy: string,
    owner: string,
    key?: string,
    action = 'mergeNode',
  ): void {
    const { problems, expressions, untyped } = this.context;
    const declared = Object.keys(properties);
    for (const [name, expression] of Object.entries(set ?? {})) {
      const path = expression.path;
      const type = properties[name];
      if (!type) {
        problems.add(
          'unknown-property',
          path,
          `property "${name}" is not declared for ${owner} (${declared.join(', ') || 'no properties'})`,
          {
            at: 'key',
            suggestion: didYouMean(name, declared),
          },
        );
      } else if (name === key) {
        problems.add(
          'key-column-written',
          path,
          action === 'updateNodes'
            ? `"${name}" is the node key: updateNodes cannot change it; remove it from set`
            : `"${name}" is the node key: its value comes from "key"; remove it from set`,
          { at: 'key' },
        );
      } else if (untyped.has(`${declaredBy}.${name}`)) {
        expressions.compile(expression, expressions.eventScope);
      } else {
        expressions.typed(expression, expressions.eventScope, type, `property "${name}" (${type.declared})`);
      }
    }
  }
}
