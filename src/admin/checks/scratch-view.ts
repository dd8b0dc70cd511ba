/**
 * A projection rebuilt in memory from the log, with the runtime's own batch semantics (foldBatch: poison
 * events parked, later events of their keys held), so it holds what the live view should hold at the
 * same position. `foldTo(position)` can be called again with a later position to catch up, which is how
 * `verify` follows a live projection that keeps applying events.
 *
 * Entries are keyed like `Target.scan` keys them: document keys, or graph entry keys
 * (src/targets/graph-entity-keys.ts) for graph views.
 */
import type { JsonObject } from '../../core/json';
import type { CompiledProjection, DocumentKey, ViewDocument } from '../../core/plan';
import type { EventStore, StoredEvent } from '../../eventstore/event-store.port';
import { foldBatch, keyEvents } from '../../runtime/batch-fold';
import { graphNodeEntryKey, graphRelationshipEntryKey } from '../../targets/graph-entity-keys';
import { MemoryGraphView } from '../../targets/memory/memory.view';
import { matchesSource } from '../../targets/memory/run-projection';
import type { ViewRef } from '../../targets/target.port';

export interface FoldProgress {
  readonly eventsFolded: number;
  /** Position reached so far, and the one being folded to. */
  readonly position: bigint;
  readonly upTo: bigint;
}

export interface ScratchViewOptions {
  readonly plan: CompiledProjection;
  readonly view: ViewRef;
  /** The log `foldTo` reads; absent when events are only given with `applyEvents`. */
  readonly store?: EventStore;
  /** Why a document does not fit the view (Target.validate), as the runtime checks it. */
  readonly validate: (document: ViewDocument) => string | undefined;
  /** Events read from the log per page. Default 1,000. */
  readonly pageSize?: number;
  readonly onProgress?: (progress: FoldProgress) => void;
}

export class ScratchView {
  /** Every event of the log up to here (inclusive) has been folded. */
  position = 0n;
  eventsFolded = 0;
  /** Events set aside as poison (parked) or held behind one, as the runtime would. */
  setAside = 0;
  private readonly documents = new Map<DocumentKey, ViewDocument>();
  private readonly graph: MemoryGraphView | undefined;
  private blocked = new Set<string>();

  constructor(private readonly options: ScratchViewOptions) {
    const shape = options.plan.target;
    this.graph = shape.kind === 'neo4j' ? new MemoryGraphView(shape) : undefined;
  }

  /** Folds every source event with a position in (this.position, upTo]. */
  async foldTo(upTo: bigint): Promise<void> {
    const { plan, store } = this.options;
    if (store === undefined) throw new Error('ScratchView.foldTo needs the event store');
    const pageSize = this.options.pageSize ?? 1_000;
    while (this.position < upTo) {
      const page = await store.readAll({
        after: this.position,
        maxCount: pageSize,
        filter: { eventTypes: plan.source.eventTypes, streamPrefix: plan.source.streamPrefix },
      });
      const events = page.filter((event) => event.position <= upTo);
      this.apply(events);
      const last = events[events.length - 1];
      this.position =
        page.length < pageSize || events.length < page.length || last === undefined ? upTo : last.position;
      this.options.onProgress?.({ eventsFolded: this.eventsFolded, position: this.position, upTo });
    }
  }

  /** The rebuilt entry for a key, or undefined. */
  get(key: string): JsonObject | undefined {
    return this.graph === undefined ? this.documents.get(key) : this.graphEntries().get(key);
  }

  /** Every rebuilt entry by key (a fresh map for graphs; the live map for documents: do not change it). */
  entries(): ReadonlyMap<string, JsonObject> {
    return this.graph === undefined ? this.documents : this.graphEntries();
  }

  /** Folds events given directly (in log order), e.g. the events of sampled streams (`prism plan`). */
  applyEvents(events: readonly StoredEvent[]): void {
    this.apply(events.filter((event) => matchesSource(this.options.plan, event)));
  }

  private apply(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const result = foldBatch({
      plan: this.options.plan,
      view: this.options.view,
      events: keyEvents(this.options.plan, events),
      // The whole rebuilt view is the state: foldBatch reads and updates the documents in place.
      state: this.documents,
      blocked: this.blocked,
      validate: this.graph === undefined ? this.options.validate : () => undefined,
      now: new Date(),
    });
    this.blocked = result.blocked;
    this.setAside += result.parked.length;
    this.eventsFolded += events.length;
    if (this.graph !== undefined) {
      this.graph.apply(result.operations);
      this.cachedGraph = undefined;
    }
  }

  private cachedGraph: Map<string, JsonObject> | undefined;

  private graphEntries(): Map<string, JsonObject> {
    const graph = this.graph!;
    if (this.cachedGraph !== undefined) return this.cachedGraph;
    const entries = new Map<string, JsonObject>();
    for (const node of graph.allNodes()) {
      const keyProperty = graph.shape.nodes[node.label]?.key ?? 'key';
      entries.set(graphNodeEntryKey(node.label, node.key), { ...node.properties, [keyProperty]: node.key });
    }
    for (const relationship of graph.allRelationships()) {
      entries.set(graphRelationshipEntryKey(relationship.type, relationship.from.key, relationship.to.key), {
        ...relationship.properties,
      });
    }
    this.cachedGraph = entries;
    return entries;
  }
}
