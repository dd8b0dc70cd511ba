/**
 * The Target port: the one interface every view store implements (relational, Elasticsearch, Neo4j,
 * in-memory) and test/contract/target.contract.ts defines.
 *
 * A target stores, per projection, numbered *generations*: each one a complete physical copy of the view
 * (a table, an index, a label namespace) with its own checkpoint. Readers see exactly one of them, the
 * active one, through a stable name (a SQL view, an alias). A rebuild is the same subscriber run into a
 * fresh generation until it reaches the head, then `activate` swaps it in atomically and `drop` removes
 * the old one.
 *
 * Checkpoints. `commit` writes a batch of operations and advances the generation's checkpoint from
 * `checkpoint.from` to `checkpoint.to` as a compare-and-set: when the stored checkpoint is not `from`,
 * nothing is advanced and the result says `checkpoint-mismatch` with the actual value (a typed outcome,
 * never an exception: another runner moved it, or this one restarted from a stale value).
 *
 * Implementing it. The registry, generation and parking members are written once for every store in
 * src/stores/bookkeeping/ (see its README): a store extends `BookkeepingTarget` and implements a small
 * records port and its physical storage; it writes `load`, `validate`, the view writes of `commit`,
 * `scan`, `classifyError` and `close` itself.
 *
 * Targets with transactions (`capabilities.transactional`, e.g. PostgreSQL) apply the operations, the parking
 * records and the checkpoint in ONE transaction, so a crash leaves either all of a batch or none of it.
 *
 * Targets without transactions (not `capabilities.transactional`, e.g. Elasticsearch) cannot do that; they make
 * re-application harmless instead:
 *  - every write carries the position of the event that produced it (`ViewOperation.position`) and the
 *    store refuses to overwrite a newer position with an older one (Elasticsearch: `version_type:
 *    external` with version = position; deletes leave a versioned tombstone);
 *  - the checkpoint lives in the same store, as one document per projection and generation in a
 *    bookkeeping index, written last, after the batch's operations and parking records succeeded, with
 *    the store's own optimistic concurrency (`if_seq_no`/`if_primary_term`) as the compare-and-set;
 *  - `load` returns, per document, the position of the last operation applied to it (`LoadedDocument.
 *    position`, `document: null` for a tombstone), and the runner skips events at or below that position
 *    for that key. A crash between the writes and the checkpoint therefore re-delivers events whose
 *    effect is already stored, and they change nothing.
 */
import type { JsonValue } from '../core/json';
import type { LookupEntryRef, LookupWrite, StoredLookups } from '../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../core/plan';
import type { TargetKind, TargetShape } from '../core/view-shape';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { ProjectionDrop, ProjectionDropOptions } from './projection-drop';
import type { StoreCapabilities } from './store-capabilities';

/** A generation number: 1 for a projection's first build, incremented by every rebuild. */
export type Generation = number;

/** Addresses one generation of one projection's view, with the shape it was (or will be) built from. */
export interface ViewRef {
  readonly projection: string;
  readonly generation: Generation;
  readonly shape: TargetShape;
  /**
   * Which segment's checkpoint a segmented projection's runner reads and moves (issue #15); the view's
   * storage is shared by all segments. Absent or 0: segment 0, the checkpoint every projection has.
   */
  readonly segment?: number;
}

/** What a generation was built from; recorded so a later process can recompile and explain it. */
export interface GenerationSpec extends ViewRef {
  /** Fingerprint of the definition (CompiledProjection.fingerprint). */
  readonly fingerprint: string;
  /** The normalized definition model, so the generation can be recompiled after a restart; null if unknown. */
  readonly definition: JsonValue | null;
  /** How many segment checkpoints `prepare` creates (CompiledProjection.segments); absent: one. */
  readonly segments?: number;
}

export type GenerationStatus = 'building' | 'active' | 'retired';

export interface GenerationRecord extends GenerationSpec {
  readonly status: GenerationStatus;
  readonly createdAt: Date;
}

/** A projection's registry entry: which generation readers see, and whether an operator paused it. */
export interface ProjectionRecord {
  readonly name: string;
  readonly activeGeneration: Generation | null;
  readonly paused: boolean;
}

/** The checkpoint move a commit asks for: compare-and-set from `from` to `to` (both inclusive positions). */
export interface CheckpointRange {
  readonly from: bigint;
  readonly to: bigint;
}

export type CommitResult =
  | { readonly kind: 'committed'; readonly checkpoint: bigint }
  /** Nothing was written (or, without transactions, only harmless re-applicable writes). */
  | { readonly kind: 'checkpoint-mismatch'; readonly actual: bigint | undefined }
  /**
   * The generation's stored fence is above the batch's `fence`: a newer lease holder took this projection
   * over, so the writer lost its lease and must stop (issue #15). Nothing was written (or, without
   * transactions, only harmless re-applicable writes), and the fence is unchanged.
   */
  | { readonly kind: 'fenced'; readonly fence: bigint };

/**
 * An event the runtime could not apply (parked) or applied-later-on-purpose (held behind a parked event
 * for the same view key, so that each key still sees its events in log order).
 */
export interface ParkedEvent {
  readonly projection: string;
  readonly generation: Generation;
  readonly position: bigint;
  readonly streamId: string;
  readonly eventType: string;
  readonly event: StoredEvent;
  /** keysOf(event); empty when the keys themselves could not be computed. */
  readonly keys: readonly string[];
  readonly reason: string;
  readonly status: 'parked' | 'held';
  readonly parkedAt: Date;
}

/**
 * What an operator did to a parked event, kept for the generation's lifetime (issue #12: `verify` redoes
 * these at the same checkpoints, so its in-memory rebuild ends where the live view did). A replay that
 * failed again changed nothing and is not recorded; held events released afterwards follow from it.
 */
export interface ParkingResolution {
  /** Position of the parked event. */
  readonly position: bigint;
  readonly action: 'replayed' | 'discarded';
  /** The generation's checkpoint when it was resolved: it took effect after every event up to here. */
  readonly checkpoint: bigint;
  readonly resolvedAt: Date;
}

export interface CommitBatch {
  /** The operations to apply, at most one document operation per key (the runner collapses them). */
  readonly operations: readonly ViewOperation[];
  readonly checkpoint: CheckpointRange;
  /** Parked or held events to record (an existing record for the same position is replaced). */
  readonly park?: readonly ParkedEvent[];
  /** Positions of parked or held events that are resolved (replayed, released or discarded). */
  readonly release?: readonly bigint[];
  /** Operator resolutions to record with the batch (see ParkingResolution). */
  readonly resolve?: readonly ParkingResolution[];
  /**
   * Lookup entries to write (correlation state, src/core/lookups.ts), stored with the batch exactly as
   * safely as its view operations (in the transaction, or with the same external versions = position). An
   * entry is replaced only by a write of an equal or later position.
   */
  readonly lookups?: readonly LookupWrite[];
  /**
   * The writer's lease epoch (issue #15). Stored with the checkpoint, in the checkpoint's compare-and-set:
   * a batch whose fence is below the stored one is refused (`fenced`); an equal or higher one is applied
   * and raises the stored fence to it. A new lease holder raises the fence of every generation it runs
   * with an empty commit at the checkpoint (`from` = `to`, no operations) before it runs them, so a
   * frozen former holder can commit nothing afterwards. Absent: not checked (one process, no leases).
   */
  readonly fence?: bigint;
}

export interface LoadedDocument {
  /** The current document, or null for a tombstone (only targets without transactions report those). */
  readonly document: ViewDocument | null;
  /** Position of the last operation applied to this document; only targets without transactions report it. */
  readonly position?: bigint;
}

/** One page request of `Target.scan`. */
export interface ScanOptions {
  /** Continue after this key (the `key` of the last entry of the previous page); absent: from the start. */
  readonly after?: string;
  /** Most entries to return (at least 1). */
  readonly limit: number;
}

/**
 * One entry of a generation, as `scan` lists it. Document views: the document and its key (as `load`
 * returns them; tombstones are never listed). Graph views: one entry per node (`node:<Label>:<json key>`,
 * its properties with the key) and per relationship (`rel:<TYPE>:<json [from key, to key]>`, its
 * properties), see src/stores/graph-entity-keys.ts.
 */
export interface ScannedDocument {
  readonly key: string;
  readonly document: ViewDocument;
}

export type ActivateResult =
  | { readonly kind: 'activated'; readonly previous: Generation | null }
  /** The generation's checkpoint was below `minCheckpoint` when checked inside the swap: nothing changed. */
  | { readonly kind: 'behind'; readonly checkpoint: bigint }
  /** The generation's stored fence is above `options.fence`: the caller lost its lease; nothing changed. */
  | { readonly kind: 'fenced'; readonly fence: bigint };

/** Options of `Target.activate`. */
export interface ActivateOptions {
  /** Re-checked inside the swap: the generation's checkpoint must be at least this. */
  readonly minCheckpoint?: bigint;
  /** The caller's lease epoch, checked against the generation's stored fence inside the swap. */
  readonly fence?: bigint;
}

export interface Target {
  readonly kind: TargetKind;
  /**
   * What the store can do: `capabilities.transactional` says whether `commit` is atomic (see the file comment
   * for what a target without transactions does instead); `readsState` whether plans load current documents.
   */
  readonly capabilities: StoreCapabilities;

  /** Creates the target's bookkeeping (registry, checkpoints, parked events) if missing. Idempotent. */
  initialize(): Promise<void>;

  // Registry ---------------------------------------------------------------------------------------

  readProjection(name: string): Promise<ProjectionRecord | undefined>;
  /** Every generation of a projection (any status), oldest first. */
  listGenerations(projection: string): Promise<GenerationRecord[]>;
  setPaused(name: string, paused: boolean): Promise<void>;

  // Generations ------------------------------------------------------------------------------------

  /**
   * Registers the generation (status `building`, checkpoint 0) and creates its physical storage from the
   * declared shape. Idempotent: after a crash, calling it again completes what is missing and never
   * resets an existing checkpoint or touches existing data.
   */
  prepare(spec: GenerationSpec): Promise<void>;
  /** The generation's checkpoint, or undefined when it was never prepared (or was dropped). */
  readCheckpoint(view: ViewRef): Promise<bigint | undefined>;
  /** The current documents for these keys; absent keys have no document. */
  load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>>;
  /**
   * Why a document would be rejected by this view's declared shape (wrong type, missing non-nullable
   * column), or undefined when it is fine. The runner checks each document as it is produced, so a bad
   * one parks the event that made it, whatever the batch boundaries were.
   */
  validate(view: ViewRef, document: ViewDocument): string | undefined;
  /**
   * The stored lookup entries of a generation (correlation state); absent ones have none. Required for
   * projections that declare lookups: a store without it cannot run them. A generation's entries are
   * written by `commit` (CommitBatch.lookups) and removed by `drop` with the rest of the generation.
   */
  loadLookups?(view: ViewRef, entries: readonly LookupEntryRef[]): Promise<StoredLookups>;
  /**
   * Fan-out updates (issue #16, src/core/fan-out.ts): for each value, the keys of the generation's
   * documents whose `field` (a secondary key the DSL accepted: an indexed column, a keyword field) holds
   * it, at most `limit` of them, in the order of `values`. Required for projections with `updateAll`
   * (`capabilities.findsKeys`). A target without transactions must see every write it acknowledged.
   */
  findKeys?(
    view: ViewRef,
    field: string,
    values: readonly (string | number)[],
    limit: number,
  ): Promise<readonly (readonly DocumentKey[])[]>;
  /** Every lookup entry of a generation, by lookup then key (for `verify` and tests). */
  scanLookups?(view: ViewRef): Promise<StoredLookups>;
  /** Applies a batch and advances the checkpoint (see the file comment). */
  commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult>;
  /**
   * Makes this generation the one readers see, atomically (readers see the old generation or the new one,
   * never a mix), after re-checking inside the swap that its checkpoint is at least `minCheckpoint`.
   * The previously active generation becomes `retired`; call `drop` on it once its runner stopped.
   */
  activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult>;
  /**
   * Removes a generation's storage, checkpoint and parked events. Refuses the active generation.
   * Idempotent.
   */
  drop(view: ViewRef): Promise<void>;

  /**
   * Lists a generation's entries in pages, in a stable order of their keys (the store's order of the key
   * value; for graphs: labels, then relationship types, each by key), for whole-view checks (`prism
   * verify`). A page shorter than `limit` is the last one. Not a snapshot: entries written meanwhile may
   * or may not be listed.
   */
  scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]>;
  /**
   * The entries with these keys (as `scan` keys and lists them; keys with no entry are left out), for views
   * without `load` (graphs): `prism verify` re-reads the entries it suspects with it instead of scanning
   * the whole view again each round (issue #17). Optional: without it, verify rescans.
   */
  readEntries?(view: ViewRef, keys: readonly string[]): Promise<ScannedDocument[]>;

  // Parking ----------------------------------------------------------------------------------------

  /** Parked and held events of a generation, in log order. */
  listParked(view: ViewRef): Promise<ParkedEvent[]>;

  /** The resolutions recorded for a generation, in the order they were made (checkpoint, then time). */
  listResolutions(view: ViewRef): Promise<ParkingResolution[]>;

  /**
   * Whether one of this store's errors is worth retrying (`transient`: unavailable, a lost race), will fail
   * again for this data (`poison`: a constraint or value the store rejects), or undefined when the error is
   * not one this store recognizes. The runtime applies it to each error of a failure's cause chain.
   */
  classifyError(error: unknown): 'transient' | 'poison' | undefined;

  // Retiring a projection (optional: without them, a store's orphaned projections are neither listed
  // nor dropped) -------------------------------------------------------------------------------------

  /** Every projection in this store's registry, whether or not a definition of it is loaded. */
  listProjections?(): Promise<ProjectionRecord[]>;
  /**
   * Removes a projection for good: every generation (the active one too), its read names, its registry
   * entry (see projection-drop.ts); a dry run only lists them. Only for a projection no runner runs: the
   * caller checks that no definition of it is loaded. Running it again finishes an interrupted drop.
   */
  dropProjection?(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop>;

  close(): Promise<void>;
}
