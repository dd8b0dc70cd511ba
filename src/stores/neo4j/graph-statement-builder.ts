/**
 * Builds the graph batches (graph-batch.ts) of one generation of one projection: checks every operation
 * against the declared shape, converts its values to parameters, cuts the batch into segments
 * (graph-segments.ts) and groups each segment's operations by statement shape, one row per node,
 * relationship or (updateNodes) selected value, the last of each winning.
 */
import type { ViewOperation } from '../../core/plan';
import { FanOutCapError } from '../../core/fan-out';
import type { GraphPropertyType, Neo4jTargetShape } from './neo4j-view-shape';
import { GraphShapeMismatchError } from './neo4j.errors';
import { GraphBatch } from './graph-batch';
import { GraphCypher, type PropertyList } from './graph-cypher';
import { segmentOperations, type GraphOperation } from './graph-segments';
import { compareKeys, nodeKeyId, propertyValue } from './graph-values';

/** A node as a statement row: its identity, its key parameter, and the raw key for sorting. */
export interface NodeRow {
  readonly id: string;
  readonly label: string;
  readonly k: unknown;
  readonly sort: string | number;
  readonly v: readonly unknown[];
}

export interface RelationshipRow {
  readonly from: NodeRow;
  readonly to: NodeRow;
  readonly v: readonly unknown[];
}

export type PreparedGroup =
  | {
      readonly kind: 'mergeNode' | 'deleteNode';
      readonly label: string;
      readonly properties: PropertyList;
      readonly rows: readonly NodeRow[];
    }
  | {
      readonly kind: 'mergeRelationship' | 'deleteRelationship';
      readonly type: string;
      readonly properties: PropertyList;
      readonly rows: readonly RelationshipRow[];
    }
  | {
      readonly kind: 'updateNodes';
      readonly label: string;
      /** The indexed property it selects by, and its type. */
      readonly property: string;
      readonly propertyType: GraphPropertyType;
      readonly properties: PropertyList;
      readonly max: number;
      readonly rows: readonly FanOutRow[];
    };

/** An updateNodes as a statement row: the selected value (`w`: as stored), the values it sets. */
export interface FanOutRow {
  readonly w: unknown;
  readonly value: string | number;
  readonly position: bigint;
  readonly v: readonly unknown[];
}

const NO_PROPERTIES: PropertyList = { names: [], types: [] };

/** Builds the batches of one generation of one projection's graph. */
export class GraphStatementBuilder {
  private readonly cypher: GraphCypher;

  constructor(
    private readonly projection: string,
    generation: number,
    private readonly shape: Neo4jTargetShape,
  ) {
    this.cypher = new GraphCypher(projection, generation, shape);
  }

  /**
   * Checks every operation against the shape and groups them; throws GraphShapeMismatchError (before any
   * transaction) for an operation outside it.
   */
  prepare(operations: readonly ViewOperation[]): GraphBatch {
    const graph = operations.map((operation) => {
      if (operation.kind === 'put' || operation.kind === 'delete') {
        throw new GraphShapeMismatchError(
          this.projection,
          `a document ${operation.kind} operation (graph views hold nodes and relationships)`,
        );
      }
      return operation;
    });
    const touched = new Map<string, Map<string, unknown>>();
    const touch = (row: NodeRow) => {
      const keys = touched.get(row.label);
      if (keys === undefined) touched.set(row.label, new Map([[row.id, row.k]]));
      else keys.set(row.id, row.k);
    };
    // One NodeRow per node of the batch: its key converted and its id built once, not per use.
    const nodes = new Map<string, Map<string | number, NodeRow>>();
    const nodeRow = (label: string, key: string | number): NodeRow => {
      let keys = nodes.get(label);
      if (keys === undefined) nodes.set(label, (keys = new Map<string | number, NodeRow>()));
      let row = keys.get(key);
      if (row === undefined) keys.set(key, (row = this.row(label, key)));
      return row;
    };
    const segments = segmentOperations(graph, (node) => nodeRow(node.label, node.key).id);
    const prepared = segments.map((segment) =>
      segment.map((group) => {
        const statement = this.group(group, nodeRow);
        if (statement.kind === 'mergeNode') statement.rows.forEach(touch);
        if (statement.kind === 'mergeRelationship') {
          for (const row of statement.rows) {
            touch(row.from);
            touch(row.to);
          }
        }
        return statement;
      }),
    );
    // Only labels with mergeNode rows are looked up: they need CREATE or MATCH anyway, and an end created
    // there is what makes a relationship known to be new. Ends of other labels are MERGEd where used.
    const merging = new Set<string>();
    for (const segment of prepared) {
      for (const group of segment) if (group.kind === 'mergeNode') merging.add(group.label);
    }
    for (const label of [...touched.keys()]) if (!merging.has(label)) touched.delete(label);
    return new GraphBatch(this.cypher, prepared, touched, (group, row) => this.overCap(group, row));
  }

  private group(
    group: readonly GraphOperation[],
    nodeRow: (label: string, key: string | number) => NodeRow,
  ): PreparedGroup {
    const first = group[0]!;
    switch (first.kind) {
      case 'mergeNode': {
        const node = this.node(first.node.label);
        const names = Object.keys(first.set).sort();
        const types = names.map((name) => this.nodeProperty(first.node.label, node.key, name));
        const ops = group as readonly Extract<GraphOperation, { kind: 'mergeNode' }>[];
        const rows = ops.map((op) => ({
          ...nodeRow(op.node.label, op.node.key),
          v: names.map((name, i) => propertyValue(this.projection, name, types[i]!, op.set[name])),
        }));
        return {
          kind: 'mergeNode',
          label: first.node.label,
          properties: { names, types },
          rows: lastPerNode(rows),
        };
      }
      case 'deleteNode': {
        const ops = group as readonly Extract<GraphOperation, { kind: 'deleteNode' }>[];
        const rows = ops.map((op) => nodeRow(op.node.label, op.node.key));
        return {
          kind: 'deleteNode',
          label: first.node.label,
          properties: NO_PROPERTIES,
          rows: lastPerNode(rows),
        };
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
        const ops = group as readonly Extract<GraphOperation, { kind: 'mergeRelationship' }>[];
        const rows = ops.map((op) => ({
          ...this.ends(op, nodeRow),
          v: names.map((name, i) => propertyValue(this.projection, name, types[i]!, op.set[name])),
        }));
        return {
          kind: 'mergeRelationship',
          type: first.type,
          properties: { names, types },
          rows: lastPerRelationship(rows),
        };
      }
      case 'deleteRelationship': {
        const ops = group as readonly Extract<GraphOperation, { kind: 'deleteRelationship' }>[];
        const rows = ops.map((op) => ({ ...this.ends(op, nodeRow), v: [] }));
        return {
          kind: 'deleteRelationship',
          type: first.type,
          properties: NO_PROPERTIES,
          rows: lastPerRelationship(rows),
        };
      }
      case 'updateNodes':
        return this.fanOutGroup(group as readonly Extract<GraphOperation, { kind: 'updateNodes' }>[]);
    }
  }

  /** The rows of one updateNodes shape: one per selected value (the last wins), in value order. */
  private fanOutGroup(ops: readonly Extract<GraphOperation, { kind: 'updateNodes' }>[]): PreparedGroup {
    const first = ops[0]!;
    const node = this.node(first.label);
    const propertyType = node.properties[first.property];
    if (propertyType === undefined || !(node.indexes ?? []).includes(first.property)) {
      throw new GraphShapeMismatchError(
        this.projection,
        `updateNodes selects ${first.label} by "${first.property}", which is not one of its indexes`,
      );
    }
    const names = Object.keys(first.set).sort();
    const types = names.map((name) => this.nodeProperty(first.label, node.key, name));
    const last = new Map<string, FanOutRow>();
    for (const op of ops) {
      const w = propertyValue(this.projection, first.property, propertyType, op.value);
      last.set(nodeKeyId(first.label, w), {
        w,
        value: op.value,
        position: op.position,
        v: names.map((name, i) => propertyValue(this.projection, name, types[i]!, op.set[name])),
      });
    }
    return {
      kind: 'updateNodes',
      label: first.label,
      property: first.property,
      propertyType,
      properties: { names, types },
      max: first.max,
      rows: [...last.values()].sort((x, y) => compareKeys(x.value, y.value)),
    };
  }

  /** The error of an updateNodes row over its cap (poison: the runner parks its event alone). */
  overCap(group: Extract<PreparedGroup, { kind: 'updateNodes' }>, row: FanOutRow): FanOutCapError {
    const selector = { field: group.property, value: row.value, max: group.max };
    return new FanOutCapError(this.projection, group.label, selector, row.position);
  }

  private row(label: string, key: string | number): NodeRow {
    const k = this.key(label, key);
    return { id: nodeKeyId(label, k), label, k, sort: key, v: [] };
  }

  private ends(
    op: Extract<GraphOperation, { from: unknown }>,
    nodeRow: (label: string, key: string | number) => NodeRow,
  ): { from: NodeRow; to: NodeRow } {
    const relationship = this.relationship(op.type);
    for (const [side, node, declared] of [
      ['from', op.from, relationship.from],
      ['to', op.to, relationship.to],
    ] as const) {
      if (node.label !== declared) {
        throw new GraphShapeMismatchError(
          this.projection,
          `relationship ${op.type} goes ${side} ${declared}, not ${node.label}`,
        );
      }
    }
    return { from: nodeRow(op.from.label, op.from.key), to: nodeRow(op.to.label, op.to.key) };
  }

  private node(label: string) {
    const node = this.shape.nodes[label];
    if (node === undefined)
      throw new GraphShapeMismatchError(this.projection, `label "${label}" is not declared`);
    return node;
  }

  private nodeProperty(label: string, key: string, name: string): GraphPropertyType {
    if (name === key) {
      throw new GraphShapeMismatchError(
        this.projection,
        `an operation on ${label} sets its key property "${key}"`,
      );
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

  /** The key as the parameter Neo4j must compare: integers as Neo4j integers, so 7 and 7.0 never differ. */
  private key(label: string, key: string | number): unknown {
    const shape = this.node(label);
    const type = shape.properties[shape.key] ?? 'string';
    return propertyValue(this.projection, shape.key, type, key);
  }
}

/** The last row of each node (a group sets the same properties every time, so the last wins), in key order. */
function lastPerNode(rows: readonly NodeRow[]): NodeRow[] {
  const last = new Map<string, NodeRow>();
  for (const row of rows) last.set(row.id, row);
  return [...last.values()].sort((x, y) => compareKeys(x.sort, y.sort));
}

function lastPerRelationship(rows: readonly RelationshipRow[]): RelationshipRow[] {
  // from id -> to id -> row: no pair key string built per row
  const last = new Map<string, Map<string, RelationshipRow>>();
  for (const row of rows) {
    let to = last.get(row.from.id);
    if (to === undefined) last.set(row.from.id, (to = new Map<string, RelationshipRow>()));
    to.set(row.to.id, row);
  }
  return [...last.values()]
    .flatMap((to) => [...to.values()])
    .sort((x, y) => compareKeys(x.from.sort, y.from.sort) || compareKeys(x.to.sort, y.to.sort));
}
