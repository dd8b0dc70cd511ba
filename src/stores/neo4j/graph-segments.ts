/**
 * Cuts a batch of graph operations into *segments* whose statements can run in phases and still give the
 * same graph as applying the operations one by one in log order.
 *
 * A segment runs merges (mergeNode, mergeRelationship) first, then deleteRelationship, then deleteNode.
 * Inside a segment, operations are grouped by statement shape (kind + label/type + property names); two
 * operations on the same node or relationship with the same shape land in one group, whose rows keep their
 * log order, so the last one wins as it would one by one. An operation joins the current segment unless
 * some earlier operation of the segment does not commute with it AND the phases would run the two in the
 * wrong order (see `conflicts`): a recreate after a delete, a merge to a node deleted earlier, or two
 * merges of one node or relationship with different property sets start a new segment. A delete after
 * merges of the same node stays: the delete phase runs after the merge phase. So inside a segment every
 * merge that touches a node comes before any delete of that node.
 * The workload's batches (orders placed, items added, orders cancelled) are one segment whatever their size.
 *
 * updateNodes (fan-out, issue #16) runs in a phase of its own, after the merges and before the deletes, and
 * matches nodes by a property, so it reads every node of its label: it joins a segment unless the segment
 * deleted a node of its label (the delete would run after it, and the cap would count the node) or holds an
 * updateNodes of its label that is of another shape or sets the property it selects by (rows of one
 * statement would not see each other). A mergeNode or deleteNode of a label after an updateNodes of that
 * label in the segment starts a new one (it would run before it, or a node merged then deleted in the
 * segment would be skipped while the updateNodes counted it). Rows of one updateNodes shape select disjoint
 * nodes (different values of a property none of them sets) or the same ones (same value: the last wins).
 */
import type { NodeRef, ViewOperation } from '../../core/plan';

export type GraphOperation = Exclude<ViewOperation, { kind: 'put' } | { kind: 'delete' }>;

/** How a node is told apart: label and key, as the store compares them (see GraphStatementBuilder). */
export type NodeIdentity = (node: NodeRef) => string;

export const plainNodeId: NodeIdentity = (node) => `${node.label}\u0000${String(node.key)}`;

interface Planned {
  readonly operation: GraphOperation;
  /** Statement shape: operations with the same one share one UNWIND statement. */
  readonly group: string;
  /** The node's id (node operations) or the relationship's (relationship operations); '' otherwise. */
  readonly id: string;
  /** A relationship's end ids; '' otherwise. */
  readonly from: string;
  readonly to: string;
}

/** What the operations of the current segment did to each node and relationship. */
interface SegmentState {
  readonly nodeMerges: Map<string, string>;
  readonly nodeDeletes: Set<string>;
  /** Labels with a deleteNode in the segment. */
  readonly labelDeletes: Set<string>;
  /** Per label, the shape (group) of the segment's updateNodes, and whether it sets its own selector. */
  readonly fanOuts: Map<string, { group: string; setsSelector: boolean }>;
  readonly relMerges: Map<string, string>;
  readonly relDeletes: Set<string>;
}

export function groupOf(operation: GraphOperation): string {
  switch (operation.kind) {
    case 'mergeNode':
      return `mergeNode\u0000${operation.node.label}\u0000${Object.keys(operation.set).sort().join(',')}`;
    case 'deleteNode':
      return `deleteNode\u0000${operation.node.label}`;
    case 'mergeRelationship':
      return `mergeRelationship\u0000${operation.type}\u0000${Object.keys(operation.set).sort().join(',')}`;
    case 'deleteRelationship':
      return `deleteRelationship\u0000${operation.type}`;
    case 'updateNodes':
      return `updateNodes\u0000${operation.label}\u0000${operation.property}\u0000${Object.keys(operation.set).sort().join(',')}\u0000${operation.max}`;
  }
}

const PHASE: Record<GraphOperation['kind'], number> = {
  mergeNode: 0,
  mergeRelationship: 0,
  updateNodes: 1,
  deleteRelationship: 2,
  deleteNode: 3,
};

class Segmenter {
  private state: SegmentState = emptyState();

  reset(): void {
    this.state = emptyState();
  }

  /**
   * Whether `planned` cannot join the segment: it does not commute with an earlier operation of the
   * segment, and the phases (merges, then deleteRelationship, then deleteNode) would not run them in log
   * order. Deletes conflict only with an updateNodes of their label (see the top of the file): otherwise
   * they run after every merge of the segment, as they came after them.
   */
  conflicts(planned: Planned): boolean {
    const op = planned.operation;
    const state = this.state;
    switch (op.kind) {
      case 'mergeNode': {
        const merged = state.nodeMerges.get(planned.id);
        return (
          state.nodeDeletes.has(planned.id) ||
          (merged !== undefined && merged !== planned.group) ||
          state.fanOuts.has(op.node.label)
        );
      }
      case 'updateNodes': {
        const fanOut = state.fanOuts.get(op.label);
        return (
          state.labelDeletes.has(op.label) ||
          (fanOut !== undefined && (fanOut.group !== planned.group || fanOut.setsSelector))
        );
      }
      case 'mergeRelationship': {
        const merged = state.relMerges.get(planned.id);
        return (
          state.relDeletes.has(planned.id) ||
          (merged !== undefined && merged !== planned.group) ||
          state.nodeDeletes.has(planned.from) ||
          state.nodeDeletes.has(planned.to)
        );
      }
      case 'deleteNode':
        return state.fanOuts.has(op.node.label);
      case 'deleteRelationship':
        return false;
    }
  }

  record(planned: Planned): void {
    const op = planned.operation;
    switch (op.kind) {
      case 'mergeNode':
        this.state.nodeMerges.set(planned.id, planned.group);
        break;
      case 'deleteNode':
        this.state.nodeDeletes.add(planned.id);
        this.state.labelDeletes.add(op.node.label);
        break;
      case 'updateNodes':
        this.state.fanOuts.set(op.label, {
          group: planned.group,
          setsSelector: op.property in op.set,
        });
        break;
      case 'mergeRelationship':
        this.state.relMerges.set(planned.id, planned.group);
        break;
      case 'deleteRelationship':
        this.state.relDeletes.add(planned.id);
        break;
    }
  }
}

/**
 * Cuts operations (in log order) into segments, each a list of groups (one statement shape each) in run
 * order: merge groups in first-seen order, then updateNodes, then relationship deletes, then node deletes.
 */
export function segmentOperations(
  operations: readonly GraphOperation[],
  nodeId: NodeIdentity = plainNodeId,
): GraphOperation[][][] {
  const segments: Planned[][] = [];
  let current: Planned[] = [];
  const segmenter = new Segmenter();
  for (const operation of operations) {
    const planned = plannedOf(operation, nodeId);
    if (segmenter.conflicts(planned)) {
      segments.push(current);
      current = [];
      segmenter.reset();
    }
    current.push(planned);
    segmenter.record(planned);
  }
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

/** The operation with its statement shape and ids, each worked out once (a batch has ~10^4 operations). */
function plannedOf(operation: GraphOperation, nodeId: NodeIdentity): Planned {
  const group = groupOf(operation);
  switch (operation.kind) {
    case 'mergeNode':
    case 'deleteNode':
      return { operation, group, id: nodeId(operation.node), from: '', to: '' };
    case 'mergeRelationship':
    case 'deleteRelationship': {
      const from = nodeId(operation.from);
      const to = nodeId(operation.to);
      return { operation, group, id: `${operation.type}\u0000${from}\u0000${to}`, from, to };
    }
    case 'updateNodes':
      return { operation, group, id: '', from: '', to: '' };
  }
}

function emptyState(): SegmentState {
  return {
    nodeMerges: new Map(),
    nodeDeletes: new Set(),
    labelDeletes: new Set(),
    fanOuts: new Map(),
    relMerges: new Map(),
    relDeletes: new Set(),
  };
}
