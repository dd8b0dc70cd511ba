/**
 * An in-memory view that applies ViewOperations exactly as a real target must: a document table keyed by
 * document key, or a graph of nodes (label + key) and relationships (type + from + to). Projection tests as
 * data run on it, and runtime tests use it as the reference target.
 *
 * Semantics every target shares: `put` replaces the whole document; `mergeNode` creates or updates a node,
 * setting only the given properties; `mergeRelationship` creates missing end nodes as placeholders (key
 * only) and is one relationship per (type, from, to); `deleteNode` removes the node's relationships too
 * (DETACH DELETE); `updateNodes` sets properties on every node of its label whose property holds its value
 * at that point, and fails the whole call (nothing applied) when more than its `max` match. Applying an
 * operation twice leaves the same view.
 */
import { FanOutCapError } from '../../core/fan-out';
import type { JsonValue } from '../../core/json';
import type { DocumentKey, NodeRef, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import { isNeo4jShape, type Neo4jTargetShape } from '../neo4j/neo4j-view-shape';
import { findKeysIn } from './unique-indexes';

export interface MemoryNode {
  readonly label: string;
  readonly key: string | number;
  /** Properties other than the key property (the key is `key`). */
  readonly properties: Readonly<Record<string, JsonValue>>;
}

export interface MemoryRelationship {
  readonly type: string;
  readonly from: NodeRef;
  readonly to: NodeRef;
  readonly properties: Readonly<Record<string, JsonValue>>;
}

/** An operation of the wrong family for the view (a graph operation on a document view, or vice versa). */
export class UnsupportedViewOperationError extends Error {
  override readonly name = 'UnsupportedViewOperationError';
  constructor(
    readonly operation: ViewOperation['kind'],
    readonly view: 'document' | 'graph',
  ) {
    super(
      `A ${view} view cannot apply "${operation}" operations; check that the plan was compiled for this target kind.`,
    );
  }
}

export class MemoryDocumentView {
  readonly kind = 'document' as const;
  /** Position of the last applied operation: the view's checkpoint. */
  position = 0n;

  /**
   * `documents` is the table: a plain map, or one that keeps the view's unique indexes
   * (unique-indexes.ts), as the memory target uses it.
   */
  constructor(private readonly documents: Map<DocumentKey, ViewDocument> = new Map()) {}

  apply(operations: readonly ViewOperation[]): void {
    for (const operation of operations) {
      switch (operation.kind) {
        case 'put':
          this.documents.set(operation.key, cloneDocument(operation.document));
          break;
        case 'delete':
          this.documents.delete(operation.key);
          break;
        default:
          throw new UnsupportedViewOperationError(operation.kind, 'document');
      }
      if (operation.position > this.position) this.position = operation.position;
    }
  }

  /** Current documents for `keys` (absent keys are left out), as CompiledProjection.apply expects. */
  state(keys: readonly string[]): Map<DocumentKey, ViewDocument> {
    const state = new Map<DocumentKey, ViewDocument>();
    for (const key of keys) {
      const document = this.documents.get(key);
      if (document) state.set(key, cloneDocument(document));
    }
    return state;
  }

  get(key: DocumentKey): ViewDocument | undefined {
    return this.documents.get(key);
  }

  /** Per value, the keys of the documents whose `field` holds it, at most `limit` (fan-out updates). */
  findKeys(field: string, values: readonly (string | number)[], limit: number): DocumentKey[][] {
    return findKeysIn(this.documents, field, values, limit);
  }

  /** Every key and a copy of its document, in code unit order of the keys (as `COLLATE "C"` sorts). */
  entries(): [DocumentKey, ViewDocument][] {
    return [...this.documents.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => [key, cloneDocument(this.documents.get(key)!)]);
  }

  /** All documents, ordered by key. */
  all(): ViewDocument[] {
    return [...this.documents.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, document]) => document);
  }

  get size(): number {
    return this.documents.size;
  }
}

/** A deep copy, so callers can never change the view through a document they were given. */
function cloneDocument(document: ViewDocument): ViewDocument {
  return JSON.parse(JSON.stringify(document)) as ViewDocument;
}

export function nodeId(node: NodeRef): string {
  return `${node.label}:${String(node.key)}`;
}

export function relationshipId(type: string, from: NodeRef, to: NodeRef): string {
  return `${nodeId(from)}-[${type}]->${nodeId(to)}`;
}

export class MemoryGraphView {
  readonly kind = 'graph' as const;
  private readonly nodes = new Map<string, MemoryNode>();
  private readonly relationships = new Map<string, MemoryRelationship>();
  /**
   * Per node id, the ids of the relationships at either end: `deleteNode` detaches through it instead of
   * going through every relationship (issue #17: quadratic, 32 of the 56 s a verify of 20k orders folded).
   */
  private readonly attached = new Map<string, Set<string>>();
  position = 0n;

  /** The shape is kept for callers that render the view (key property names per label). */
  constructor(
    readonly shape: Neo4jTargetShape,
    /** Named in the error of an updateNodes over its cap. */
    private readonly projection = 'graph',
  ) {}

  /** Applies the operations in order; an updateNodes over its cap throws FanOutCapError and applies none. */
  apply(operations: readonly ViewOperation[]): void {
    if (!operations.some((operation) => operation.kind === 'updateNodes')) {
      this.applyAll(operations);
      return;
    }
    // nodes and relationships are replaced, never changed in place: copies of the maps undo a failure
    const nodes = new Map(this.nodes);
    const relationships = new Map(this.relationships);
    const position = this.position;
    try {
      this.applyAll(operations);
    } catch (error) {
      this.restore(nodes, relationships, position);
      throw error;
    }
  }

  private restore(
    nodes: Map<string, MemoryNode>,
    relationships: Map<string, MemoryRelationship>,
    position: bigint,
  ): void {
    this.nodes.clear();
    for (const [id, node] of nodes) this.nodes.set(id, node);
    this.relationships.clear();
    this.attached.clear();
    for (const [id, relationship] of relationships) {
      this.relationships.set(id, relationship);
      this.attach(nodeId(relationship.from), id);
      this.attach(nodeId(relationship.to), id);
    }
    this.position = position;
  }

  private applyAll(operations: readonly ViewOperation[]): void {
    for (const operation of operations) {
      switch (operation.kind) {
        case 'mergeNode': {
          const node = this.ensureNode(operation.node);
          this.nodes.set(nodeId(operation.node), {
            ...node,
            properties: { ...node.properties, ...operation.set },
          });
          break;
        }
        case 'deleteNode': {
          const id = nodeId(operation.node);
          this.nodes.delete(id);
          for (const key of this.attached.get(id) ?? []) this.removeRelationship(key);
          this.attached.delete(id);
          break;
        }
        case 'mergeRelationship': {
          this.ensureNode(operation.from);
          this.ensureNode(operation.to);
          const id = relationshipId(operation.type, operation.from, operation.to);
          const existing = this.relationships.get(id);
          if (existing === undefined) {
            this.attach(nodeId(operation.from), id);
            this.attach(nodeId(operation.to), id);
          }
          this.relationships.set(id, {
            type: operation.type,
            from: operation.from,
            to: operation.to,
            properties: { ...(existing?.properties ?? {}), ...operation.set },
          });
          break;
        }
        case 'deleteRelationship':
          this.removeRelationship(relationshipId(operation.type, operation.from, operation.to));
          break;
        case 'updateNodes':
          this.updateNodes(operation);
          break;
        default:
          throw new UnsupportedViewOperationError(operation.kind, 'graph');
      }
      if (operation.position > this.position) this.position = operation.position;
    }
  }

  private updateNodes(operation: Extract<ViewOperation, { kind: 'updateNodes' }>): void {
    const matched: [string, MemoryNode][] = [];
    for (const [id, node] of this.nodes) {
      if (node.label === operation.label && node.properties[operation.property] === operation.value)
        matched.push([id, node]);
    }
    if (matched.length > operation.max) {
      const selector = { field: operation.property, value: operation.value, max: operation.max };
      throw new FanOutCapError(this.projection, operation.label, selector, operation.position);
    }
    for (const [id, node] of matched)
      this.nodes.set(id, { ...node, properties: { ...node.properties, ...operation.set } });
  }

  /** Graph plans read no state: always empty (the signature matches the document view's). */
  state(_keys: readonly string[]): Map<DocumentKey, ViewDocument> {
    return new Map();
  }

  node(label: string, key: string | number): MemoryNode | undefined {
    return this.nodes.get(nodeId({ label, key }));
  }

  /** All nodes, ordered by label then key. */
  allNodes(): MemoryNode[] {
    return [...this.nodes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, node]) => node);
  }

  /** All relationships, ordered by type, from, to. */
  allRelationships(): MemoryRelationship[] {
    return [...this.relationships.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, relationship]) => relationship);
  }

  private attach(node: string, relationship: string): void {
    let ids = this.attached.get(node);
    if (ids === undefined) this.attached.set(node, (ids = new Set()));
    ids.add(relationship);
  }

  private removeRelationship(id: string): void {
    const relationship = this.relationships.get(id);
    if (relationship === undefined) return;
    this.relationships.delete(id);
    this.attached.get(nodeId(relationship.from))?.delete(id);
    this.attached.get(nodeId(relationship.to))?.delete(id);
  }

  private ensureNode(ref: NodeRef): MemoryNode {
    const id = nodeId(ref);
    let node = this.nodes.get(id);
    if (!node) {
      // A placeholder: the node's own event may come later (events of different streams are not ordered).
      node = { label: ref.label, key: ref.key, properties: {} };
      this.nodes.set(id, node);
    }
    return node;
  }
}

export type MemoryView = MemoryDocumentView | MemoryGraphView;

export function createMemoryView(shape: TargetShape, projection?: string): MemoryView {
  return isNeo4jShape(shape) ? new MemoryGraphView(shape, projection) : new MemoryDocumentView();
}
