/**
 * Turns a batch of graph operations into a few parameterized `UNWIND $rows AS row ...` statements that
 * give the same graph as applying the operations one by one in log order.
 *
 * Why this is safe: the batch is cut into *segments*, and a segment runs its statements in phases:
 * merges (mergeNode, mergeRelationship) first, then deleteRelationship, then deleteNode. Inside a segment,
 * operations are grouped by statement shape (kind + label/type + property names); two operations on the
 * same node or relationship with the same shape land in one group, whose rows keep their log order
 * (stable sort), so the last one wins as it would one by one. An operation joins the current segment
 * unless some earlier operation of the segment does not commute with it AND the phases would run the two
 * in the wrong order (see `conflicts`): a recreate after a delete, a merge to a node deleted earlier, or
 * two merges of one node or relationship with different property sets start a new segment. A delete
 * after merges of the same node stays: the delete phase runs after the merge phase.
 * The workload's batches (orders placed, items added, orders cancelled) are one segment of four
 * statements whatever their size.
 *
 * Rows are sorted by key so concurrent writers lock nodes in the same order (fewer deadlocks).
 */
import neo4j from 'neo4j-driver';
import type { JsonValue } from '../../core/json';
import type { NodeRef, ViewOperation } from '../../core/plan';
import type { GraphPropertyType, Neo4jTargetShape } from './neo4j-view-shape';
import { GraphShapeMismatchError } from './neo4j.errors';
import { PLACEHOLDER_PROPERTY, physicalName, quoted } from './neo4j-names';

export type GraphOperation = Exclude<ViewOperation, { kind: 'put' } | { kind: 'delete' }>;

export interface GraphStatement {
  readonly cypher: string;
  readonly rows: readonly Record<string, unknown>[];
}

interface Planned {
  readonly operation: GraphOperation;
  /** Statement shape: operations with the same one share one UNWIND statement. */
  readonly group: string;
  readonly index: number;
}

/** What the operations of the current segment did to each node and relationship. */
interface SegmentState {
  readonly nodeMerges: Map<string, string>;
  readonly nodeDeletes: Set<string>;
  /** Nodes used as an end of a mergeRelationship (it may create them as placeholders). */
  readonly nodeEnds: Set<string>;
  readonly relMerges: Map<string, string>;
  readonly relDeletes: Set<string>;
}

const nodeId = (node: NodeRef) => `${node.label}\u0000${typeof node.key}\u0000${String(node.key)}`;
const relId = (op: { type: string; from: NodeRef; to: NodeRef }) =>
  `${op.type}\u0000${nodeId(op.from)}\u0000${nodeId(op.to)}`;

function groupOf(operation: GraphOperation): string {
  switch (operation.kind) {
    case 'mergeNode':
      return `mergeNode\u0000${operation.node.label}\u0000${Object.keys(operation.set).sort().join(',')}`;
    case 'deleteNode':
      return `deleteNode\u0000${operation.node.label}`;
    case 'mergeRelationship':
      return `mergeRelationship\u0000${operation.type}\u0000${Object.keys(operation.set).sort().join(',')}`;
    case 'deleteRelationship':
      return `deleteRelationship\u0000${operation.type}`;
  }
}

/**
 * Whether `planned` cannot join the segment: it does not commute with an earlier operation of the
 * segment, and the phases (merges, then deleteRelationship, then deleteNode) would not run them in log
 * order. Deletes never conflict: they run after every merge of the segment, as they came after them.
 */
function conflicts(state: SegmentState, planned: Planned): boolean {
  const op = planned.operation;
  switch (op.kind) {
    case 'mergeNode': {
      const id = nodeId(op.node);
      const merged = state.nodeMerges.get(id);
      return state.nodeDeletes.has(id) || (merged !== undefined && merged !== planned.group);
    }
    case 'mergeRelationship': {
      const id = relId(op);
      const merged = state.relMerges.get(id);
      return (
        state.relDeletes.has(id) ||
        (merged !== undefined && merged !== planned.group) ||
        state.nodeDeletes.has(nodeId(op.from)) ||
        state.nodeDeletes.has(nodeId(op.to))
      );
    }
    case 'deleteNode':
    case 'deleteRelationship':
      return false;
  }
}

const PHASE: Record<GraphOperation['kind'], number> = {
  mergeNode: 0,
  mergeRelationship: 0,
  deleteRelationship: 1,
  deleteNode: 2,
};

function record(state: SegmentState, planned: Planned): void {
  const op = planned.operation;
  switch (op.kind) {
    case 'mergeNode':
      state.nodeMerges.set(nodeId(op.node), planned.group);
      break;
    case 'deleteNode':
      state.nodeDeletes.add(nodeId(op.node));
      break;
    case 'mergeRelationship':
      state.relMerges.set(relId(op), planned.group);
      state.nodeEnds.add(nodeId(op.from));
      state.nodeEnds.add(nodeId(op.to));
      break;
    case 'deleteRelationship':
      state.relDeletes.add(relId(op));
      break;
  }
}

/** Cuts operations (in log order) into segments, each a list of groups (one statement each) in run order. */
export function segmentOperations(operations: readonly GraphOperation[]): GraphOperation[][][] {
  const segments: Planned[][] = [];
  let current: Planned[] = [];
  let state = emptyState();
  operations.forEach((operation, index) => {
    const planned: Planned = { operation, group: groupOf(operation), index };
    if (conflicts(state, planned)) {
      segments.push(current);
      current = [];
      state = emptyState();
    }
    current.push(planned);
    record(state, planned);
  });
  if (current.length > 0) segments.push(current);
  return segments.map((segment) => {
    const groups = new Map<string, GraphOperation[]>();
    for (const planned of segment) {
      const list = groups.get(planned.group);
      if (list === undefined) groups.set(planned.group, [planned.operation]);
      else list.push(planned.operation);
    }
    // stable sort: groups of one phase keep their first-seen order
    return [...groups.values()].sort((a, b) => PHASE[a[0]!.kind] - PHASE[b[0]!.kind]);
  });
}

function emptyState(): SegmentState {
  return {
    nodeMerges: new Map(),
    nodeDeletes: new Set(),
    nodeEnds: new Set(),
    relMerges: new Map(),
    relDeletes: new Set(),
  };
}

/** Builds the statements for one generation of one projection's graph. */
export class GraphStatementBuilder {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly projection: string,
    private readonly generation: number,
    private readonly shape: Neo4jTargetShape,
  ) {}

  /** The statements of a batch, in the order they must run. */
  statements(operations: readonly ViewOperation[]): GraphStatement[] {
    const graph = operations.map((operation) => {
      if (operation.kind === 'put' || operation.kind === 'delete') {
        throw new GraphShapeMismatchError(
          this.projection,
          `a document ${operation.kind} operation (graph views hold nodes and relationships)`,
        );
      }
      return operation;
    });
    const statements: GraphStatement[] = [];
    for (const segment of segmentOperations(graph)) {
      for (const group of segment) statements.push(this.statement(group));
    }
    return statements;
  }

  private statement(group: readonly GraphOperation[]): GraphStatement {
    const first = group[0]!;
    switch (first.kind) {
      case 'mergeNode': {
        const node = this.node(first.node.label);
        const names = Object.keys(first.set).sort();
        const types = names.map((name) => this.nodeProperty(first.node.label, node.key, name));
        const cypher = this.cached(groupOf(first), () => {
          const sets = names.map(
            (name, i) => `n.${quoted('property', name)} = ${valueExpression(types[i]!, `row.v[${i}]`)}`,
          );
          sets.push(`n.${PLACEHOLDER_PROPERTY} = null`);
          return (
            `UNWIND $rows AS row MERGE (n:${this.label(first.node.label)} {${quoted('key', node.key)}: row.k}) ` +
            `SET ${sets.join(', ')}`
          );
        });
        const rows = sortedRows(
          group as readonly Extract<GraphOperation, { kind: 'mergeNode' }>[],
          (op) => [op.node.key],
          (op) => ({
            k: this.key(op.node),
            v: names.map((name, i) => propertyValue(this.projection, name, types[i]!, op.set[name])),
          }),
        );
        return { cypher, rows };
      }
      case 'deleteNode': {
        const node = this.node(first.node.label);
        const cypher = this.cached(
          groupOf(first),
          () =>
            `UNWIND $rows AS row MATCH (n:${this.label(first.node.label)} {${quoted('key', node.key)}: row.k}) DETACH DELETE n`,
        );
        const rows = sortedRows(
          group as readonly Extract<GraphOperation, { kind: 'deleteNode' }>[],
          (op) => [op.node.key],
          (op) => ({
            k: this.key(op.node),
          }),
        );
        return { cypher, rows };
      }
      case 'mergeRelationship': {
        const relationship = this.relationship(first.type);
        const names = Object.keys(first.set).sort();
        const types = names.map((name) => {
          const type = relationship.properties[name];
          if (type === undefined) {
            throw new GraphShapeMismatchError(
              this.projection,
              `property "${name}" is not declared on relationship ${first.type}`,
            );
          }
          return type;
        });
        const from = this.node(relationship.from);
        const to = this.node(relationship.to);
        const cypher = this.cached(groupOf(first), () => {
          const sets = names.map(
            (name, i) => `r.${quoted('property', name)} = ${valueExpression(types[i]!, `row.v[${i}]`)}`,
          );
          return (
            `UNWIND $rows AS row ` +
            `MERGE (a:${this.label(relationship.from)} {${quoted('key', from.key)}: row.a}) ON CREATE SET a.${PLACEHOLDER_PROPERTY} = true ` +
            `MERGE (b:${this.label(relationship.to)} {${quoted('key', to.key)}: row.b}) ON CREATE SET b.${PLACEHOLDER_PROPERTY} = true ` +
            `MERGE (a)-[r:${this.type(first.type)}]->(b)` +
            (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
          );
        });
        const ops = group as readonly Extract<GraphOperation, { kind: 'mergeRelationship' }>[];
        const rows = sortedRows(
          ops,
          (op) => [op.from.key, op.to.key],
          (op) => ({
            a: this.end(op.type, 'from', op.from, relationship.from),
            b: this.end(op.type, 'to', op.to, relationship.to),
            v: names.map((name, i) => propertyValue(this.projection, name, types[i]!, op.set[name])),
          }),
        );
        return { cypher, rows };
      }
      case 'deleteRelationship': {
        const relationship = this.relationship(first.type);
        const from = this.node(relationship.from);
        const to = this.node(relationship.to);
        const cypher = this.cached(
          groupOf(first),
          () =>
            `UNWIND $rows AS row ` +
            `MATCH (a:${this.label(relationship.from)} {${quoted('key', from.key)}: row.a})` +
            `-[r:${this.type(first.type)}]->(b:${this.label(relationship.to)} {${quoted('key', to.key)}: row.b}) DELETE r`,
        );
        const ops = group as readonly Extract<GraphOperation, { kind: 'deleteRelationship' }>[];
        const rows = sortedRows(
          ops,
          (op) => [op.from.key, op.to.key],
          (op) => ({
            a: this.end(op.type, 'from', op.from, relationship.from),
            b: this.end(op.type, 'to', op.to, relationship.to),
          }),
        );
        return { cypher, rows };
      }
    }
  }

  private cached(key: string, build: () => string): string {
    let cypher = this.cache.get(key);
    if (cypher === undefined) {
      cypher = build();
      this.cache.set(key, cypher);
    }
    return cypher;
  }

  private label(declared: string): string {
    return quoted('label', physicalName(declared, this.projection, this.generation));
  }

  private type(declared: string): string {
    return quoted('relationship type', physicalName(declared, this.projection, this.generation));
  }

  private node(label: string) {
    const node = this.shape.nodes[label];
    if (node === undefined)
      throw new GraphShapeMismatchError(this.projection, `label "${label}" is not declared`);
    return node;
  }

  private nodeProperty(label: string, key: string, name: string): GraphPropertyType {
    if (name === key) {
      throw new GraphShapeMismatchError(this.projection, `mergeNode ${label} sets its key property "${key}"`);
    }
    const type = this.node(label).properties[name];
    if (type === undefined) {
      throw new GraphShapeMismatchError(
        this.projection,
        `property "${name}" is not declared on node ${label}`,
      );
    }
    return type;
  }

  private relationship(type: string) {
    const relationship = this.shape.relationships[type];
    if (relationship === undefined) {
      throw new GraphShapeMismatchError(this.projection, `relationship type "${type}" is not declared`);
    }
    return relationship;
  }

  private end(type: string, side: 'from' | 'to', node: NodeRef, declared: string): unknown {
    if (node.label !== declared) {
      throw new GraphShapeMismatchError(
        this.projection,
        `relationship ${type} goes ${side} ${declared}, not ${node.label}`,
      );
    }
    return this.key(node);
  }

  /** The key as the parameter Neo4j must compare: integers as Neo4j integers, so 7 and 7.0 never differ. */
  private key(node: NodeRef): unknown {
    const shape = this.node(node.label);
    const type = shape.properties[shape.key] ?? 'string';
    return propertyValue(this.projection, shape.key, type, node.key);
  }
}

/** Cypher for a property value: datetimes are stored as Neo4j DATETIME so queries can compare them. */
function valueExpression(type: GraphPropertyType, parameter: string): string {
  return type === 'datetime' ? `datetime(${parameter})` : parameter;
}

/** The parameter for a declared property; numbers travel as floats unless made Neo4j integers. */
export function propertyValue(
  projection: string,
  name: string,
  type: GraphPropertyType,
  value: JsonValue | undefined,
): unknown {
  if (value === null || value === undefined) return null;
  const mismatch = () =>
    new GraphShapeMismatchError(
      projection,
      `property "${name}" is declared ${type} but got ${JSON.stringify(value)}`,
    );
  switch (type) {
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return neo4j.int(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return neo4j.int(value);
      throw mismatch();
    case 'float':
      if (typeof value === 'number') return value;
      throw mismatch();
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw mismatch();
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      throw mismatch();
    case 'datetime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw mismatch();
  }
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = typeof a === 'number' ? `0${a}` : `1${a}`;
  const right = typeof b === 'number' ? `0${b}` : `1${b}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Rows in key order; equal keys keep log order (Array.prototype.sort is stable). */
function sortedRows<T>(
  ops: readonly T[],
  keys: (op: T) => readonly (string | number)[],
  row: (op: T) => Record<string, unknown>,
): Record<string, unknown>[] {
  const sorted = [...ops].sort((x, y) => {
    const left = keys(x);
    const right = keys(y);
    for (let i = 0; i < left.length; i++) {
      const order = compareKeys(left[i]!, right[i]!);
      if (order !== 0) return order;
    }
    return 0;
  });
  return sorted.map(row);
}
