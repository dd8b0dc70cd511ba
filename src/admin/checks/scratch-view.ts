/**
 * A projection rebuilt in memory from the log, with the runtime's own batch semantics (foldBatch: poison
 * events parked, later events of their keys held), so it holds what the live view should hold at the
 * same position. `foldTo(position)` can be called again with a later position to catch up, which is how
 * `verify` follows a live projection that keeps applying events.
 *
 * What the live view did besides folding the log is redone too (issue #12, where `verify` never came back
 * to 0 differences after a discard):
 *  - the store's constraints: a relational view's unique indexes are kept in memory, so a document the
 *    database refuses parks its event here as it did live (src/stores/memory/unique-indexes.ts);
 *  - operators' resolutions (`Target.listResolutions`): a parked event replayed or discarded at checkpoint
 *    C is replayed or discarded here right after folding up to C, then the events held behind it are
 *    released in log order, exactly as ProjectionRunner.resolveParked and releaseHeld do it.
 *
 * Entries are keyed like `Target.scan` keys them: document keys, or graph entry keys
 * (src/stores/graph-entity-keys.ts) for graph views.
 */
import type { JsonObject } from '../../core/json';
import { FanOutCapError } from '../../core/fan-out';
import type { CompiledProjection, DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { EventLog, StoredEvent } from '../../eventstore/event-store.port';
import {
  foldBatch,
  HELD_REASON,
  keyEvents,
  parkedRecord,
  type FoldResult,
  type KeyedEvent,
  type LookupState,
} from '../../runtime/batch-fold';
import { errorMessage } from '../../runtime/error-classifier';
import { withFanOutKeysNow } from '../../runtime/fan-out-keys';
import { graphNodeEntryKey, graphRelationshipEntryKey } from '../../stores/graph-entity-keys';
import { createMemoryView, MemoryGraphView } from '../../stores/memory/memory.view';
import { matchesSource } from '../../stores/memory/run-projection';
import { UniqueIndexedDocuments } from '../../stores/memory/unique-indexes';
import { SpilledDocuments } from '../../spill/spilled-documents';
import { SpilledGraph } from '../../spill/spilled-graph';
import type { RebuiltEntries } from './entry-comparison';
import { compareResolutions } from '../../stores/parking-resolution';
import { storeModule } from '../../stores/registry';
import type { ParkedEvent, ParkingResolution, ViewRef } from '../../stores/target.port';

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
  readonly store?: EventLog;
  /** Why a document does not fit the view (Target.validate), as the runtime checks it. */
  readonly validate: (document: ViewDocument) => string | undefined;
  /**
   * Whether the live target is transactional (Target.transactional). Without transactions the runner
   * skips, for a key, a released event at or below the position of that key's last stored write; so
   * does the rebuild then. Default true.
   */
  readonly transactional?: boolean;
  /** Events read from the log per page. Default 1,000. */
  readonly pageSize?: number;
  readonly onProgress?: (progress: FoldProgress) => void;
  /**
   * Keep the rebuilt view in a temporary SQLite file rather than the heap (`verify` of a large view, issue
   * #17): documents in SpilledDocuments, a graph in SpilledGraph. Call `close` when done.
   */
  /** `directory`: where the temporary folder goes (default: the OS's temporary directory). */
  readonly spill?: { readonly cacheSize?: number; readonly directory?: string };
  /** Stops a fold between pages (`foldTo` rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

export class ScratchView {
  /** Every event of the log up to here (inclusive) has been folded. */
  position = 0n;
  eventsFolded = 0;
  /** Operator resolutions redone so far (replays and discards). */
  resolutionsRedone = 0;
  private readonly documents: UniqueIndexedDocuments;
  /** Graph views: in memory, or spilled to a file (`spill`). */
  private readonly graph: MemoryGraphView | SpilledGraph | undefined;
  /** Parked and held events as the runner records them, in log order. */
  private parking: ParkedEvent[] = [];
  private blocked = new Set<string>();
  /** Per document key, the position of its last write (for targets without transactions). */
  private readonly written = new Map<DocumentKey, bigint>();
  /** Resolutions not redone yet, in the order they were made. */
  private pending: ParkingResolution[] = [];
  private readonly known = new Set<bigint>();
  /**
   * Every lookup entry rebuilt so far (plans with lookups): the whole state, like `documents`, which
   * keying updates as it goes (a remembered entry is written whether or not its event's view change is
   * parked, as the runner does it).
   */
  readonly lookups: LookupState = new Map();

  constructor(private readonly options: ScratchViewOptions) {
    const shape = options.plan.target;
    // Plans that read state fold documents; the others (graphs) write merges into an in-memory graph.
    const memory = storeModule(shape.kind).capabilities.readsState ? undefined : createMemoryView(shape);
    this.graph =
      memory instanceof MemoryGraphView && options.spill !== undefined
        ? new SpilledGraph(memory.shape, options.spill.cacheSize, options.plan.name, options.spill.directory)
        : memory instanceof MemoryGraphView
          ? memory
          : undefined;
    this.documents =
      options.spill !== undefined && this.graph === undefined
        ? SpilledDocuments.create(shape, options.spill.cacheSize, options.spill.directory)
        : UniqueIndexedDocuments.forShape(shape);
  }

  /** The rebuilt view when it is spilled to a file (`spill`), else undefined. */
  get spilled(): (RebuiltEntries & { readonly count: number }) | undefined {
    if (this.graph instanceof SpilledGraph) return this.graph;
    return this.documents instanceof SpilledDocuments ? this.documents : undefined;
  }

  /** Releases the spilled file, if any. */
  close(): void {
    if (this.graph instanceof SpilledGraph) this.graph.close();
    if (this.documents instanceof SpilledDocuments) this.documents.close();
  }

  /** Events set aside now as poison (parked) or held behind one. */
  get setAside(): number {
    return this.parking.length;
  }

  /**
   * Adds the live view's resolutions (Target.listResolutions); ones already known are ignored. Read them
   * AFTER the checkpoint handed to the next `foldTo`: a resolution made before the checkpoint read is
   * then included, and one made after it takes effect at or after that checkpoint.
   */
  addResolutions(resolutions: readonly ParkingResolution[]): void {
    for (const resolution of resolutions) {
      if (this.known.has(resolution.position)) continue;
      this.known.add(resolution.position);
      this.pending.push(resolution);
    }
    this.pending.sort(compareResolutions);
  }

  /** Folds every source event with a position in (this.position, upTo], redoing resolutions on the way. */
  async foldTo(upTo: bigint): Promise<void> {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || next.checkpoint > upTo) break;
      await this.foldEvents(next.checkpoint, upTo);
      this.pending.shift();
      this.resolve(next);
    }
    await this.foldEvents(upTo, upTo);
  }

  /** The rebuilt entry for a key, or undefined. */
  get(key: string): JsonObject | undefined {
    // A spilled graph is read by key (settle rounds read their suspects, never the whole graph).
    if (this.graph instanceof SpilledGraph) return this.graph.get(key);
    return this.graph === undefined ? this.documents.get(key) : this.graphEntries().get(key);
  }

  /**
   * Every rebuilt entry by key (a fresh map for graphs; the live map for documents: do not change it).
   * Not for spilled documents (they are not in memory): read those through `spilled`.
   */
  entries(): ReadonlyMap<string, JsonObject> {
    if (this.spilled !== undefined) throw new Error('ScratchView.entries: the view is spilled to a file');
    return this.graph === undefined ? this.documents : this.graphEntries();
  }

  /** Folds events given directly (in log order), e.g. the events of sampled streams (`prism plan`). */
  applyEvents(events: readonly StoredEvent[]): void {
    this.apply(events.filter((event) => matchesSource(this.options.plan, event)));
  }

  private async foldEvents(upTo: bigint, progressTarget: bigint): Promise<void> {
    const { plan, store } = this.options;
    if (store === undefined) throw new Error('ScratchView.foldTo needs the event store');
    const pageSize = this.options.pageSize ?? 1_000;
    const read = (after: bigint) => {
      const reading = store.readAll({
        after,
        maxCount: pageSize,
        filter: { eventTypes: plan.source.eventTypes, streamPrefix: plan.source.streamPrefix },
      });
      // a page read ahead and never awaited (aborted, or an earlier page failed) must not go unhandled
      reading.catch(() => undefined);
      return reading;
    };
    // The next page is read while this one is folded (issue #17: the fold of a graph verify waited on
    // the log for most of its time).
    let next = this.position < upTo ? read(this.position) : undefined;
    while (next !== undefined) {
      this.options.signal?.throwIfAborted();
      const page = await next;
      const events = page.filter((event) => event.position <= upTo);
      const last = events[events.length - 1];
      const reached =
        page.length < pageSize || events.length < page.length || last === undefined ? upTo : last.position;
      next = reached < upTo ? read(reached) : undefined;
      this.apply(events);
      this.position = reached;
      this.options.onProgress?.({
        eventsFolded: this.eventsFolded,
        position: this.position,
        upTo: progressTarget,
      });
    }
  }

  private apply(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const result = this.fold(events, this.blocked, false);
    this.blocked = result.blocked;
    this.parking.push(...result.parked);
    this.eventsFolded += events.length;
  }

  /** foldBatch over the whole rebuilt view, whose operations are then applied to it. */
  private fold(events: readonly StoredEvent[], blocked: ReadonlySet<string>, released: boolean): FoldResult {
    const graph = this.graph;
    const documents = this.documents;
    const { plan } = this.options;
    const keyed = keyEvents(plan, events, undefined, this.lookups);
    const result = foldBatch({
      plan,
      view: this.options.view,
      // fan-out keys are found in the rebuilt documents as they are before this fold, as the runner finds
      // them in the store before its batch
      events:
        plan.fanOutsOf === undefined
          ? keyed
          : withFanOutKeysNow(plan, keyed, (field, values, limit) =>
              documents.findKeys(field, values, limit),
            ),
      // The whole rebuilt view is the state: foldBatch reads and updates the documents in place.
      state: documents,
      // Only an event applied late (a release) can be at or below a key's last write.
      ...(released && this.options.transactional === false && { appliedUpTo: this.written }),
      blocked,
      validate:
        graph === undefined
          ? (document) => this.options.validate(document) ?? documents.violation(document)
          : () => undefined,
      now: new Date(),
    });
    if (this.options.transactional === false) {
      for (const operation of result.operations) {
        if (operation.kind === 'put' || operation.kind === 'delete')
          this.written.set(operation.key, operation.position);
      }
    }
    if (graph !== undefined && result.operations.length > 0) {
      this.cachedGraph = undefined;
      // One call for the whole fold, as a commit does; only a batch an updateNodes fails (which the
      // graph then leaves as it was) is applied event by event, as the runner's bisect would.
      try {
        graph.apply(result.operations);
        return result;
      } catch (error) {
        if (!(error instanceof FanOutCapError)) throw error;
      }
      return this.applyToGraph(graph, keyed, result);
    }
    return result;
  }

  /**
   * Applies a fold's graph operations event by event (after the whole fold failed as one call), as the
   * runner's commits end up applying them: an
   * updateNodes over its cap fails the store's commit, which the runner bisects down to that event and
   * parks alone (its keys then block later events of the batch, as the fold would have held them).
   */
  private applyToGraph(
    graph: MemoryGraphView | SpilledGraph,
    keyed: readonly KeyedEvent[],
    result: FoldResult,
  ): FoldResult {
    const byEvent = new Map<bigint, ViewOperation[]>();
    for (const operation of result.operations) {
      const list = byEvent.get(operation.position);
      if (list === undefined) byEvent.set(operation.position, [operation]);
      else list.push(operation);
    }
    const sequenced = this.options.plan.onPoison === 'sequenced';
    const parked = [...result.parked];
    const blocked = new Set(result.blocked);
    const parkedHere = new Set<string>();
    let applied = result.applied;
    for (const { event, keys = [] } of keyed) {
      const operations = byEvent.get(event.position);
      if (operations === undefined) continue;
      let reason: string | undefined;
      if (sequenced && keys.some((key) => parkedHere.has(key))) reason = HELD_REASON;
      else {
        try {
          graph.apply(operations);
          continue;
        } catch (error) {
          if (!(error instanceof FanOutCapError)) throw error;
          reason = errorMessage(error);
        }
      }
      const status = reason === HELD_REASON ? 'held' : 'parked';
      parked.push(parkedRecord(this.options.view, event, keys, reason, status, new Date()));
      applied -= 1;
      if (sequenced) {
        for (const key of keys) {
          parkedHere.add(key);
          blocked.add(key);
        }
      }
    }
    parked.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    return { ...result, parked, blocked, applied };
  }

  /** ProjectionRunner.resolveParked, in memory. */
  private resolve(resolution: ParkingResolution): void {
    const record = this.parking.find((r) => r.position === resolution.position && r.status === 'parked');
    // The rebuild did not park this event (it applied it): nothing to redo, and the comparison will tell.
    if (record === undefined) return;
    this.resolutionsRedone += 1;
    if (resolution.action === 'replayed') {
      if (this.applyAlone(record) !== undefined) {
        this.refreshBlocked();
        return;
      }
    } else {
      this.parking = this.parking.filter((r) => r !== record);
    }
    this.releaseHeld();
    this.refreshBlocked();
  }

  /** ProjectionRunner.releaseHeld: held events whose keys no longer wait, in log order. */
  private releaseHeld(): void {
    const stillBlocked = new Set(this.parking.filter((r) => r.status === 'parked').flatMap((r) => r.keys));
    for (const record of [...this.parking]) {
      if (record.status !== 'held') continue;
      if (record.keys.some((key) => stillBlocked.has(key))) {
        for (const key of record.keys) stillBlocked.add(key);
        continue;
      }
      if (this.applyAlone(record) !== undefined) for (const key of record.keys) stillBlocked.add(key);
    }
  }

  /** ProjectionRunner.applyReleased: applied on its own, or parked again; says why it failed. */
  private applyAlone(record: ParkedEvent): string | undefined {
    const failed = this.fold([record.event], new Set(), true).parked[0];
    const index = this.parking.indexOf(record);
    if (failed === undefined) {
      this.parking.splice(index, 1);
      return undefined;
    }
    this.parking[index] = { ...record, reason: failed.reason, status: 'parked' };
    return failed.reason;
  }

  /** ProjectionRunner.setParking: with sequenced parking, every key of a parked or held event waits. */
  private refreshBlocked(): void {
    this.blocked =
      this.options.plan.onPoison === 'sequenced'
        ? new Set(this.parking.flatMap((record) => record.keys))
        : new Set<string>();
  }

  private cachedGraph: Map<string, JsonObject> | undefined;

  /** The in-memory graph as one map of entries (`prism plan`'s samples: small). */
  private graphEntries(): Map<string, JsonObject> {
    const graph = this.graph as MemoryGraphView;
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
