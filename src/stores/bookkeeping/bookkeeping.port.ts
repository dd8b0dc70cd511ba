/**
 * The two small ports a view store implements so that the registry, the generation lifecycle and the
 * parking records are written once (bookkeeping.ts), whatever the store:
 *
 *  - `BookkeepingRecords`: reads and writes Prism's own records (registry entries, generation records,
 *    checkpoints, parked events and resolutions) in the store's own persistence: tables, a bookkeeping
 *    index, nodes. Every call gets the store's session `S`, so that records written in one
 *    `transaction` commit together with the view's writes where the store has transactions.
 *  - `ViewStorage`: the physical side of a generation (a table and its SQL view, an index and its alias, a
 *    label namespace), which only the store knows how to create, swap and remove.
 *
 * Records are facts, not logic: a method does one read or one write and never decides (no "refuse",
 * no "unless active"): the decisions are in bookkeeping.ts.
 */
import type { TargetKind, TargetShape } from '../../core/view-shape';
import type {
  CheckpointRange,
  CommitBatch,
  Generation,
  GenerationSpec,
  GenerationStatus,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';

/**
 * A generation's status as stored. `dropping` marks a generation whose `drop` began: readers that resolved
 * it re-check and retry, and a drop interrupted by a crash is reported `retired`, so it is dropped again.
 */
export type StoredGenerationStatus = GenerationStatus | 'dropping';

export interface StoredGeneration extends GenerationSpec {
  readonly status: StoredGenerationStatus;
  readonly createdAt: Date;
}

/** What a new generation's record holds (see ViewStorage.recorded for `shape` and `names`). */
export interface NewGeneration extends GenerationSpec {
  /** The names the generation claims for its projection (ViewStorage.recorded). */
  readonly names: readonly string[];
  readonly createdAt: Date;
}

/** The fields of a registry entry to write; an entry created by the write gets defaults for the others. */
export interface ProjectionChange {
  /** null: no generation is active any more (a projection being retired). */
  readonly activeGeneration?: Generation | null;
  readonly paused?: boolean;
}

/**
 * A generation's checkpoint as stored: the position and the fence (issue #15: the lease epoch of the last
 * writer that carried one; 0 for a new checkpoint and for checkpoints written before fences existed).
 */
export interface StoredCheckpoint {
  readonly position: bigint;
  readonly fence: bigint;
}

/**
 * First step of a commit (`BookkeepingRecords.claimCheckpoint`): the stored checkpoint was `from` and is
 * now held for this commit (locked, or already moved where the transaction makes that safe), with whatever
 * the store needs to finish the move (`token`, e.g. Elasticsearch's seq_no and primary term); or it was
 * somewhere else (`moved`: another runner, or a stale caller) and nothing was written. Either way with the
 * stored fence, read in the same step, which bookkeeping.ts compares with the batch's (undefined: no
 * checkpoint at all).
 */
export type CheckpointClaim =
  | { readonly kind: 'claimed'; readonly fence: bigint; readonly token?: unknown }
  | { readonly kind: 'moved'; readonly actual: bigint | undefined; readonly fence: bigint | undefined };

/** The parking records a commit writes with its batch (CommitBatch's park, release and resolve). */
export type ParkingChanges = Pick<CommitBatch, 'park' | 'release' | 'resolve'>;

export interface BookkeepingRecords<S> {
  /**
   * Runs `work` in one store transaction where the store has them (all of it commits, or none); without
   * transactions, simply in order. A `Rollback` thrown by `work` (rollback.ts) rolls back and returns its
   * value.
   */
  transaction<T>(work: (session: S) => Promise<T>): Promise<T>;
  /** Runs reads (a read-only session where the store has them). */
  read<T>(work: (session: S) => Promise<T>): Promise<T>;

  // Registry
  readProjection(session: S, name: string): Promise<ProjectionRecord | undefined>;
  /** Every registry entry, in any order. */
  listProjections(session: S): Promise<ProjectionRecord[]>;
  /** Removes a registry entry and whatever claims on read names the store keeps apart from generations. */
  deleteProjection(session: S, name: string): Promise<void>;
  /** Creates the entry if missing (no active generation, not paused), then sets the given fields. */
  writeProjection(session: S, name: string, change: ProjectionChange): Promise<void>;

  // Generations
  /** Every generation record of a projection, any status, in any order. */
  listGenerations(session: S, projection: string): Promise<StoredGeneration[]>;
  /**
   * Whether another projection holds one of `names`: its name and the shared names, or undefined. Stores
   * without transactions record the claim here (create-if-absent), so two racing projections cannot both
   * pass; the others find it in the generation records, which `createGeneration` writes in the same
   * transaction.
   */
  claimNames(
    session: S,
    projection: string,
    names: readonly string[],
  ): Promise<{ readonly owner: string; readonly names: readonly string[] } | undefined>;
  /** Creates the generation's record unless it exists (an existing one is left exactly as it is). */
  createGeneration(session: S, generation: NewGeneration): Promise<void>;
  /** Sets a generation's status; a generation without a record is left alone. */
  setGenerationStatus(
    session: S,
    projection: string,
    generation: Generation,
    status: StoredGenerationStatus,
  ): Promise<void>;
  deleteGeneration(session: S, projection: string, generation: Generation): Promise<void>;

  // Checkpoints
  /** Creates the checkpoint at position 0 with fence 0 unless it exists (an existing one is never reset). */
  createCheckpoint(session: S, view: ViewRef): Promise<void>;
  /** The stored checkpoint; `lock` holds it for the rest of the transaction where the store can. */
  readCheckpoint(session: S, view: ViewRef, lock?: boolean): Promise<StoredCheckpoint | undefined>;
  /** First step of a commit, before the view's writes (see CheckpointClaim). */
  claimCheckpoint(session: S, view: ViewRef, range: CheckpointRange): Promise<CheckpointClaim>;
  /**
   * Last step of a commit, after the view's writes and parking records: stores `range.to` and `fence`
   * (the claim's fence, or the batch's when that is higher). Stores without transactions make this the
   * compare-and-set (the claim's token); `moved` (with the fence found) when it lost.
   */
  settleCheckpoint(
    session: S,
    view: ViewRef,
    range: CheckpointRange,
    claim: Extract<CheckpointClaim, { kind: 'claimed' }>,
    fence: bigint,
  ): Promise<CheckpointClaim>;
  deleteCheckpoint(session: S, view: ViewRef): Promise<void>;
  /**
   * Removes the checkpoints of segments 1.. of a generation (issue #15; recorded under `name#k`, see
   * bookkeeping.ts checkpointOf). Stores that support segmented projections implement it; without it a
   * store's capabilities must not claim `segments`.
   */
  deleteSegmentCheckpoints?(session: S, view: ViewRef): Promise<void>;

  // Parking
  /** Records parked/held events (replacing one at the same position), removes released ones, adds resolutions. */
  writeParking(session: S, view: ViewRef, changes: ParkingChanges): Promise<void>;
  /** Parked and held events of a generation, in any order. */
  listParked(session: S, view: ViewRef): Promise<ParkedEvent[]>;
  /** Resolutions of a generation, in any order. */
  listResolutions(session: S, view: ViewRef): Promise<ParkingResolution[]>;
  /** Removes every parked event and resolution of a generation. */
  deleteParking(session: S, view: ViewRef): Promise<void>;
}

export interface ViewStorage<S> {
  readonly kind: TargetKind;
  /**
   * What a generation's record keeps: the shape as the store normalized it (throws when the store cannot
   * hold the declared shape, before anything is written) and the names it claims for its projection (a
   * table name, an alias, labels), which no other projection may use.
   */
  recorded(spec: GenerationSpec): { readonly shape: TargetShape; readonly names: readonly string[] };
  /** The store's error for names another projection already claims. */
  claimedError(spec: GenerationSpec, owner: string, names: readonly string[]): Error;
  /** Creates the generation's physical storage if missing (after its records were written). */
  createStorage(spec: GenerationSpec): Promise<void>;
  /**
   * Inside `activate`'s transaction, after the checkpoint re-check: points readers at `view` (the stable
   * name), leaving `previous` (the generation active so far, if any) to be retired.
   */
  swapReaders(session: S, view: ViewRef, previous: StoredGeneration | undefined): Promise<void>;
  /** The store's own names of a generation's storage: a table, an index, labels and relationship types. */
  physicalNames(generation: GenerationSpec): string[];
  /** The names readers query the active generation by (empty when reads go through the registry). */
  readNames(active: GenerationSpec | undefined): string[];
  /** Inside a transaction where the store has one: readers lose these generations' read names. */
  removeReaders(session: S, active: readonly GenerationSpec[]): Promise<void>;
  /**
   * Whether the store removes a generation's storage inside the records' transaction (relational: DROP
   * TABLE is transactional, so the whole drop is atomic); otherwise it is removed between the
   * transaction that marks the generation `dropping` and the one that deletes its records.
   */
  readonly dropsInTransaction: boolean;
  /**
   * Removes a generation's physical storage (idempotent); its records are removed by the caller. `session`
   * is the records' transaction when `dropsInTransaction`.
   */
  dropStorage(view: ViewRef, session?: S): Promise<void>;
}
