/**
 * The rebuilt graph of a `verify`, kept in a temporary SQLite file instead of the heap (issue #17: a verify
 * of purchase_graph held the whole MemoryGraphView plus a Map of its 185k entries, 318 MB of RSS for 20k
 * orders, and would not fit a 192 MB heap at 100k).
 *
 * `apply` has MemoryGraphView's semantics, operation by operation: `mergeNode` sets the given properties,
 * `mergeRelationship` creates missing ends as placeholders, `deleteNode` removes the node's relationships
 * too. The fold needs to know whether an end exists and which relationships a deleted node has: node
 * existence is read through the cache then the file (primary key), and a node's relationships are found
 * by index, through the shape (a type always joins the same two labels) on (type, from) and (type, to).
 *
 * Recent writes stay in a write-back cache of `cacheSize` entries; past it, the cache is written to the
 * file in one transaction and emptied. Deletes go to both at once, so a cached entry is always the newest
 * and an entry absent from both does not exist.
 *
 * Rows are ordered as `Neo4jTarget.scan` lists entries (labels, then types, by name; within one, string
 * keys by code point, then numbers by value: the `*_t` columns are 0 for a string, 1 for a number), so
 * `unseen` lists what the live view lacks in the live order. Keys are converted to the declared type of
 * the key property as the target stores them (`7` of a string key is `"7"`), so entry keys are the ones
 * the live scan returns.
 *
 * `updateNodes` (graph fan-out, issue #16) sets properties on every node of its label whose property holds
 * its value; over its cap it throws FanOutCapError and, as MemoryGraphView, the whole call applies
 * nothing: the cache is written to the file first, the call's writes stay in the cache and the file's
 * transaction, and a failure rolls the one back and empties the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FanOutCapError } from '../core/fan-out';
import type { JsonObject, JsonValue } from '../core/json';
import type { NodeRef, ViewOperation } from '../core/plan';
import {
  graphNodeEntryKey,
  graphRelationshipEntryKey,
  parseGraphEntryKey,
} from '../stores/graph-entity-keys';
import type { Neo4jTargetShape } from '../stores/neo4j/neo4j-view-shape';
import { GraphSpillTables, type GraphKey, type StoredEntry } from './graph-spill-tables';

const DEFAULT_CACHE_SIZE = 5_000;

type Cached =
  | { readonly kind: 'node'; readonly label: string; readonly key: GraphKey; readonly props: JsonObject }
  | {
      readonly kind: 'rel';
      readonly type: string;
      readonly from: GraphKey;
      readonly to: GraphKey;
      readonly props: JsonObject;
    };

export class SpilledGraph {
  private readonly folder: string;
  private database: Database.Database | undefined;
  private readonly tables: GraphSpillTables;
  /** Newest entries by entry key, not yet in the file. */
  private readonly cache = new Map<string, Cached>();
  /** Per cached node entry key, the cached relationships at either end (deleteNode detaches them). */
  private readonly cachedAttached = new Map<string, Set<string>>();

  /** A spilled graph for this shape, in a fresh temporary folder (removed by `close`) in `directory`. */
  constructor(
    readonly shape: Neo4jTargetShape,
    private readonly cacheSize = DEFAULT_CACHE_SIZE,
    /** Named in the error of an updateNodes over its cap. */
    private readonly projection = 'graph',
    directory = tmpdir(),
  ) {
    this.folder = mkdtempSync(path.join(directory, 'prism-verify-graph-'));
    this.database = new Database(path.join(this.folder, 'rebuilt.sqlite'));
    this.tables = new GraphSpillTables(this.database);
  }

  /** Applies the operations in order, as MemoryGraphView.apply does (one transaction on the file). */
  apply(operations: readonly ViewOperation[]): void {
    if (operations.some((operation) => operation.kind === 'updateNodes')) {
      this.applyAtomically(operations);
      return;
    }
    this.open().transaction(() => {
      for (const operation of operations) {
        this.applyOne(operation);
        // in the loop: a fold batch can hold more operations than the cache (a nested transaction)
        if (this.cache.size > this.cacheSize) this.flush();
      }
    })();
  }

  /** All or nothing (an updateNodes may fail): see the class comment. */
  private applyAtomically(operations: readonly ViewOperation[]): void {
    this.flush();
    try {
      this.open().transaction(() => {
        for (const operation of operations) this.applyOne(operation);
      })();
    } catch (error) {
      this.cache.clear();
      this.cachedAttached.clear();
      throw error;
    }
    if (this.cache.size > this.cacheSize) this.flush();
  }

  /** The rebuilt entry for an entry key (as the live scan lists it), or undefined. */
  get(entryKey: string): JsonObject | undefined {
    const key = parseGraphEntryKey(entryKey);
    if (key === undefined) return undefined;
    if (key.kind === 'node') {
      const node = this.shape.nodes[key.label];
      if (node === undefined || !isGraphKey(key.key)) return undefined;
      const props = this.nodeProps(key.label, key.key);
      return props === undefined ? undefined : { ...props, [node.key]: key.key };
    }
    if (this.shape.relationships[key.type] === undefined || !isGraphKey(key.from) || !isGraphKey(key.to))
      return undefined;
    return this.relProps(key.type, key.from, key.to);
  }

  /** The rebuilt entries for these keys (absent when there is none). */
  getMany(keys: readonly string[]): Map<string, JsonObject> {
    const found = new Map<string, JsonObject>();
    for (const key of keys) {
      const entry = this.get(key);
      if (entry !== undefined) found.set(key, entry);
    }
    return found;
  }

  /** These keys were listed by the live view (`unseen` leaves them out). */
  markSeen(keys: readonly string[]): void {
    this.flush();
    this.open().transaction(() => {
      for (const text of keys) {
        const key = parseGraphEntryKey(text);
        if (key?.kind === 'node' && isGraphKey(key.key)) this.tables.markNode(key.label, key.key);
        else if (key?.kind === 'rel' && isGraphKey(key.from) && isGraphKey(key.to))
          this.tables.markRel(key.type, key.from, key.to);
      }
    })();
  }

  /** The rebuilt entries the live view did not list, a page at a time, in the live scan's order. */
  *unseen(pageSize: number): Generator<[string, JsonObject][]> {
    yield* this.pages(pageSize, true);
  }

  /** Every rebuilt entry, a page at a time, in the live scan's order. */
  *allPages(pageSize: number): Generator<[string, JsonObject][]> {
    yield* this.pages(pageSize, false);
  }

  /** Nodes and relationships the rebuild holds. */
  get count(): number {
    this.flush();
    return this.tables.count();
  }

  /** Removes the temporary file. */
  close(): void {
    this.database?.close();
    this.database = undefined;
    rmSync(this.folder, { recursive: true, force: true });
  }

  private *pages(pageSize: number, unseenOnly: boolean): Generator<[string, JsonObject][]> {
    this.flush();
    for (const page of this.tables.pages(pageSize, unseenOnly)) yield page.map((row) => this.entryOf(row));
  }

  private entryOf(row: StoredEntry): [string, JsonObject] {
    const props = JSON.parse(row.props) as JsonObject;
    if (row.kind === 'node') {
      const keyProperty = this.shape.nodes[row.name]?.key ?? 'key';
      return [graphNodeEntryKey(row.name, row.key), { ...props, [keyProperty]: row.key }];
    }
    return [graphRelationshipEntryKey(row.name, row.key, row.to!), props];
  }

  private applyOne(operation: ViewOperation): void {
    switch (operation.kind) {
      case 'mergeNode': {
        const node = this.ref(operation.node);
        const props = this.nodeProps(node.label, node.key) ?? {};
        this.put({ kind: 'node', ...node, props: { ...props, ...operation.set } });
        return;
      }
      case 'deleteNode': {
        const node = this.ref(operation.node);
        const entryKey = graphNodeEntryKey(node.label, node.key);
        this.cache.delete(entryKey);
        for (const rel of this.cachedAttached.get(entryKey) ?? []) this.uncache(rel);
        this.cachedAttached.delete(entryKey);
        this.tables.deleteNode(node.label, node.key);
        // Its relationships: by type, through the labels the shape gives each type's ends.
        for (const [type, shape] of Object.entries(this.shape.relationships)) {
          if (shape.from === node.label) this.tables.deleteRelsFrom(type, node.key);
          if (shape.to === node.label) this.tables.deleteRelsTo(type, node.key);
        }
        return;
      }
      case 'mergeRelationship': {
        const from = this.ensureNode(operation.from);
        const to = this.ensureNode(operation.to);
        const props = this.relProps(operation.type, from.key, to.key) ?? {};
        this.put({
          kind: 'rel',
          type: operation.type,
          from: from.key,
          to: to.key,
          props: { ...props, ...operation.set },
        });
        const entryKey = graphRelationshipEntryKey(operation.type, from.key, to.key);
        this.attachCached(graphNodeEntryKey(from.label, from.key), entryKey);
        this.attachCached(graphNodeEntryKey(to.label, to.key), entryKey);
        return;
      }
      case 'deleteRelationship': {
        const from = this.ref(operation.from);
        const to = this.ref(operation.to);
        this.uncache(graphRelationshipEntryKey(operation.type, from.key, to.key));
        this.tables.deleteRel(operation.type, from.key, to.key);
        return;
      }
      case 'updateNodes': {
        this.updateNodes(operation);
        return;
      }
      default:
        throw new Error(`SpilledGraph cannot apply "${operation.kind}" operations`);
    }
  }

  /** MemoryGraphView.updateNodes: the nodes of the label whose property holds the value, cached or not. */
  private updateNodes(operation: Extract<ViewOperation, { kind: 'updateNodes' }>): void {
    const matched = new Map<string, { label: string; key: GraphKey; props: JsonObject }>();
    for (const [entryKey, entry] of this.cache) {
      if (
        entry.kind === 'node' &&
        entry.label === operation.label &&
        entry.props[operation.property] === operation.value
      )
        matched.set(entryKey, entry);
    }
    for (const node of this.tables.nodesWith(operation.label, operation.property, operation.value)) {
      const entryKey = graphNodeEntryKey(operation.label, node.key);
      // a cached node is newer than its row: it was matched (or not) above
      if (!this.cache.has(entryKey)) matched.set(entryKey, { label: operation.label, ...node });
    }
    if (matched.size > operation.max) {
      const selector = { field: operation.property, value: operation.value, max: operation.max };
      throw new FanOutCapError(this.projection, operation.label, selector, operation.position);
    }
    for (const node of matched.values())
      this.put({
        kind: 'node',
        label: node.label,
        key: node.key,
        props: { ...node.props, ...operation.set },
      });
  }

  /** A missing end becomes a placeholder (key only), as MemoryGraphView.ensureNode does it. */
  private ensureNode(ref: NodeRef): { label: string; key: GraphKey } {
    const node = this.ref(ref);
    if (this.nodeProps(node.label, node.key) === undefined) this.put({ kind: 'node', ...node, props: {} });
    return node;
  }

  private nodeProps(label: string, key: GraphKey): JsonObject | undefined {
    const cached = this.cache.get(graphNodeEntryKey(label, key));
    if (cached !== undefined) return cached.props;
    return this.tables.nodeProps(label, key);
  }

  private relProps(type: string, from: GraphKey, to: GraphKey): JsonObject | undefined {
    const cached = this.cache.get(graphRelationshipEntryKey(type, from, to));
    if (cached !== undefined) return cached.props;
    return this.tables.relProps(type, from, to);
  }

  private put(entry: Cached): void {
    const entryKey =
      entry.kind === 'node'
        ? graphNodeEntryKey(entry.label, entry.key)
        : graphRelationshipEntryKey(entry.type, entry.from, entry.to);
    this.cache.set(entryKey, entry);
  }

  private uncache(entryKey: string): void {
    // Its ends' sets may still name it: harmless, uncaching a key twice does nothing.
    this.cache.delete(entryKey);
  }

  private attachCached(node: string, rel: string): void {
    let rels = this.cachedAttached.get(node);
    if (rels === undefined) this.cachedAttached.set(node, (rels = new Set()));
    rels.add(rel);
  }

  /** The node's label and its key as the target stores it (converted to the key property's type). */
  private ref(ref: NodeRef): { label: string; key: GraphKey } {
    const node = this.shape.nodes[ref.label];
    const type = node?.properties[node.key];
    const key = ref.key;
    if (type === 'string' && typeof key === 'number') return { label: ref.label, key: String(key) };
    if (type === 'integer' && typeof key === 'string' && /^-?\d+$/.test(key))
      return { label: ref.label, key: Number(key) };
    return { label: ref.label, key };
  }

  /** Writes the cache to the file in one transaction and empties it. */
  private flush(): void {
    if (this.cache.size === 0) return;
    this.open().transaction(() => {
      for (const entry of this.cache.values()) {
        if (entry.kind === 'node') this.tables.putNode(entry.label, entry.key, entry.props);
        else this.tables.putRel(entry.type, entry.from, entry.to, entry.props);
      }
    })();
    this.cache.clear();
    this.cachedAttached.clear();
  }

  private open(): Database.Database {
    if (this.database === undefined) throw new Error('SpilledGraph: closed');
    return this.database;
  }
}

function isGraphKey(value: JsonValue): value is GraphKey {
  return typeof value === 'string' || typeof value === 'number';
}
