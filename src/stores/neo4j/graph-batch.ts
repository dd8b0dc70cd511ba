/**
 * Writes a batch of graph operations as a few parameterized `UNWIND $rows` statements that give the same
 * graph as applying the operations one by one in log order (segments and phases: graph-segments.ts).
 *
 * Issue #17: the batch first looks up, in the commit's transaction, which of the nodes its merges touch
 * exist (one read statement, index seeks through the keys' uniqueness constraints). Knowing that, each
 * segment writes
 *   1. its mergeNode rows: CREATE for nodes that do not exist, MATCH + SET for those that do;
 *   2. the relationship ends that exist nowhere yet: CREATE as placeholders;
 *   3. its mergeRelationship rows, both ends found by MATCH on their keys: CREATE when an end was created
 *      in this segment (steps 1-2), MERGE otherwise;
 *   4. relationship deletes, then node deletes (as before).
 * Rows are deduplicated per node or relationship (the last one of a group wins, as one by one: a group
 * sets the same properties every time) and sorted by key, so concurrent writers lock in the same order.
 * A node merged and deleted in the same segment (an order placed and cancelled in one batch) is not
 * written at all: its relationships would go with it; their other ends are still created if missing, and
 * the node's DETACH DELETE still runs (it may have existed before the batch).
 *
 * Why CREATE is safe: a relationship is CREATEd only when one of its ends was CREATEd in the same segment
 * of the same transaction. A node CREATE under the key's uniqueness constraint either makes a fresh node,
 * which has no relationships but the ones this segment creates (deduplicated), or fails the transaction.
 * The lookup only chooses between CREATE and MATCH; it is read after the checkpoint claim, which holds the
 * lock every writer of this generation takes first, and statements that MATCH check that every row found
 * its nodes, so a graph changed under the batch fails the batch instead of writing a partial one. The
 * checkpoint commits in the same transaction: a replayed batch sees the graph as it was before it.
 */
import type { ViewOperation } from '../../core/plan';
import { toNumber } from './neo4j-bookkeeping';
import type { GraphPropertyType, Neo4jTargetShape } from './neo4j-view-shape';
import { GraphChangedUnderBatchError, GraphShapeMismatchError } from './neo4j.errors';
import { GraphCypher, MATCHED_COLUMN, type PropertyList, type RelationshipMode } from './graph-cypher';
import { segmentOperations, type GraphOperation } from './graph-segments';
import { compareKeys, nodeKeyId, propertyValue } from './graph-values';

export { segmentOperations, type GraphOperation } from './graph-segments';

export interface GraphStatement {
  readonly cypher: string;
  readonly rows: readonly unknown[];
  /** Set on statements that MATCH their nodes: each row must find them (RETURN count(*) AS matched). */
  readonly matches?: number;
}

/** Runs one statement in the commit's transaction (the target's `tx.run`; the profile adds PROFILE). */
export type RunStatement = (
  cypher: string,
  parameters: Record<string, unknown>,
) => Promise<{ readonly records: readonly { get(key: string): unknown }[] }>;

/** A node as a statement row: its identity, its key parameter, and the raw key for sorting. */
interface NodeRow {
  readonly id: string;
  readonly label: string;
  readonly k: unknown;
  readonly sort: string | number;
  readonly v: readonly unknown[];
}

interface RelationshipRow {
  readonly from: NodeRow;
  readonly to: NodeRow;
  readonly v: readonly unknown[];
}

type PreparedGroup =
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
    };

const NO_PROPERTIES: PropertyList = { names: [], types: [] };

/** One batch, checked against the shape and grouped: `write` runs it in the commit's transaction. */
export class GraphBatch {
  constructor(
    private readonly cypher: GraphCypher,
    private readonly segments: readonly (readonly PreparedGroup[])[],
    /** The nodes the merges touch, per label: id → key parameter. */
    private readonly touched: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  ) {}

  /** The read that tells which touched nodes do not exist, or undefined when the batch merges nothing. */
  get lookup():
    | { readonly cypher: string; readonly parameters: Record<string, unknown>; readonly labels: string[] }
    | undefined {
    const labels = [...this.touched.keys()].sort();
    if (labels.length === 0) return undefined;
    const parameters: Record<string, unknown> = {};
    labels.forEach((label, i) => (parameters[`k${i}`] = [...this.touched.get(label)!.values()]));
    return { cypher: this.cypher.missing(labels), parameters, labels };
  }

  /** The lookup, then the statements, in the caller's transaction. */
  async write(run: RunStatement): Promise<void> {
    const existing = new Set<string>();
    const lookup = this.lookup;
    if (lookup !== undefined) {
      const result = await run(lookup.cypher, lookup.parameters);
      const missing = new Set(
        result.records.map((record) => nodeKeyId(lookup.labels[toNumber(record.get('l'))]!, record.get('k'))),
      );
      for (const keys of this.touched.values()) {
        for (const id of keys.keys()) if (!missing.has(id)) existing.add(id);
      }
    }
    // One statement per shape, each its own round trip: measured against the same statements as one query
    // (CALL subqueries in order), which was not faster and adds Eager barriers between the subqueries.
    for (const statement of this.statements(existing)) {
      const result = await run(statement.cypher, { rows: statement.rows });
      if (statement.matches !== undefined) {
        const matched = toNumber(result.records[0]?.get(MATCHED_COLUMN) ?? 0);
        if (matched !== statement.matches) {
          throw new GraphChangedUnderBatchError(statement.cypher, statement.matches, matched);
        }
      }
    }
  }

  /**
   * The statements in run order, given which looked-up nodes (ids, see nodeKeyId) exist before the batch.
   * Nodes of the looked-up labels are known to exist or not; the others are unknown until the batch
   * MERGEs them.
   */
  statements(existing: ReadonlySet<string>): GraphStatement[] {
    const state = new Map<string, boolean>();
    for (const keys of this.touched.values()) for (const id of keys.keys()) state.set(id, existing.has(id));
    const statements: GraphStatement[] = [];
    for (const segment of this.segments) this.segment(segment, state, statements);
    return statements;
  }

  /** Appends one segment's statements and moves `state` (true: exists, false: does not, absent: unknown) past it. */
  private segment(
    segment: readonly PreparedGroup[],
    state: Map<string, boolean>,
    out: GraphStatement[],
  ): void {
    const push = (cypher: string, rows: readonly unknown[], checked = false) => {
      if (rows.length > 0) out.push(checked ? { cypher, rows, matches: rows.length } : { cypher, rows });
    };
    const deleted = new Set<string>();
    for (const group of segment) {
      if (group.kind === 'deleteNode') for (const row of group.rows) deleted.add(row.id);
    }
    const created = new Set<string>();
    /** Ends nobody looked up: MERGEd by the statements below, so they exist after the segment. */
    const merged = new Set<string>();
    // 1. mergeNode: CREATE the new, MATCH + SET the existing; nodes deleted later in the segment are skipped.
    // (Every node of a label with mergeNode rows was looked up: its state is known.)
    for (const group of segment) {
      if (group.kind !== 'mergeNode') continue;
      const fresh: unknown[] = [];
      const known: unknown[] = [];
      for (const row of group.rows) {
        if (deleted.has(row.id)) continue;
        if (state.get(row.id) === true) known.push({ k: row.k, v: row.v });
        else {
          fresh.push({ k: row.k, v: row.v });
          created.add(row.id);
        }
      }
      push(this.cypher.createNodes(group.label, group.properties), fresh);
      push(this.cypher.updateNodes(group.label, group.properties), known, true);
    }
    // 2. relationship ends known not to exist: CREATE placeholders; unknown ends of relationships the
    // segment skips (the other end is deleted in it): MERGE them, they must exist as one by one.
    const placeholders = new Map<string, NodeRow[]>();
    const ensured = new Map<string, NodeRow[]>();
    const add = (lists: Map<string, NodeRow[]>, end: NodeRow) => {
      const list = lists.get(end.label);
      if (list === undefined) lists.set(end.label, [end]);
      else list.push(end);
    };
    for (const group of segment) {
      if (group.kind !== 'mergeRelationship') continue;
      for (const row of group.rows) {
        const skipped = deleted.has(row.from.id) || deleted.has(row.to.id);
        for (const end of [row.from, row.to]) {
          if (deleted.has(end.id) || created.has(end.id) || merged.has(end.id)) continue;
          const known = state.get(end.id);
          if (known === false) {
            created.add(end.id);
            add(placeholders, end);
          } else if (known === undefined && skipped) {
            merged.add(end.id);
            add(ensured, end);
          }
        }
      }
    }
    const byKey = (ends: NodeRow[]) => ends.sort((x, y) => compareKeys(x.sort, y.sort)).map((end) => end.k);
    for (const [label, ends] of placeholders) push(this.cypher.createPlaceholders(label), byKey(ends));
    for (const [label, ends] of ensured) push(this.cypher.ensureNodes(label), byKey(ends));
    // 3. mergeRelationship: CREATE when an end is new in this segment, MERGE otherwise; ends MATCHed when
    // known to exist, MERGEd when unknown.
    for (const group of segment) {
      if (group.kind !== 'mergeRelationship') continue;
      const variants = new Map<string, { mode: RelationshipMode; rows: unknown[] }>();
      for (const row of group.rows) {
        if (deleted.has(row.from.id) || deleted.has(row.to.id)) continue;
        const unknown = (end: NodeRow) =>
          state.get(end.id) === undefined && !created.has(end.id) && !merged.has(end.id);
        const mode: RelationshipMode = {
          create: created.has(row.from.id) || created.has(row.to.id),
          mergeFrom: unknown(row.from),
          mergeTo: unknown(row.to),
        };
        const key = `${mode.create}${mode.mergeFrom}${mode.mergeTo}`;
        let variant = variants.get(key);
        if (variant === undefined) variants.set(key, (variant = { mode, rows: [] }));
        variant.rows.push({ a: row.from.k, b: row.to.k, v: row.v });
      }
      for (const { mode, rows } of variants.values()) {
        push(this.cypher.relationships(group.type, group.properties, mode), rows, true);
      }
      for (const row of group.rows) {
        for (const end of [row.from, row.to])
          if (!deleted.has(end.id) && !created.has(end.id)) merged.add(end.id);
      }
    }
    // 4. deletes, relationships first.
    for (const group of segment) {
      if (group.kind === 'deleteRelationship') {
        push(
          this.cypher.deleteRelationships(group.type),
          group.rows.map((row) => ({ a: row.from.k, b: row.to.k })),
        );
      }
    }
    for (const group of segment) {
      if (group.kind === 'deleteNode') {
        push(
          this.cypher.deleteNodes(group.label),
          group.rows.map((row) => ({ k: row.k })),
        );
      }
    }
    for (const id of [...created, ...merged]) state.set(id, true);
    for (const id of deleted) state.set(id, false);
  }
}

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
    const segments = segmentOperations(graph, (node) =>
      nodeKeyId(node.label, this.key(node.label, node.key)),
    );
    const prepared = segments.map((segment) =>
      segment.map((group) => {
        const statement = this.group(group);
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
    return new GraphBatch(this.cypher, prepared, touched);
  }

  private group(group: readonly GraphOperation[]): PreparedGroup {
    const first = group[0]!;
    switch (first.kind) {
      case 'mergeNode': {
        const node = this.node(first.node.label);
        const names = Object.keys(first.set).sort();
        const types = names.map((name) => this.nodeProperty(first.node.label, node.key, name));
        const ops = group as readonly Extract<GraphOperation, { kind: 'mergeNode' }>[];
        const rows = ops.map((op) => ({
          ...this.row(op.node.label, op.node.key),
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
        const rows = ops.map((op) => this.row(op.node.label, op.node.key));
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
          ...this.ends(op),
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
        const rows = ops.map((op) => ({ ...this.ends(op), v: [] }));
        return {
          kind: 'deleteRelationship',
          type: first.type,
          properties: NO_PROPERTIES,
          rows: lastPerRelationship(rows),
        };
      }
    }
  }

  private row(label: string, key: string | number): NodeRow {
    const k = this.key(label, key);
    return { id: nodeKeyId(label, k), label, k, sort: key, v: [] };
  }

  private ends(op: Extract<GraphOperation, { from: unknown }>): { from: NodeRow; to: NodeRow } {
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
    return { from: this.row(op.from.label, op.from.key), to: this.row(op.to.label, op.to.key) };
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
  const last = new Map<string, RelationshipRow>();
  for (const row of rows) last.set(`${row.from.id}\u0000${row.to.id}`, row);
  return [...last.values()].sort(
    (x, y) => compareKeys(x.from.sort, y.from.sort) || compareKeys(x.to.sort, y.to.sort),
  );
}
