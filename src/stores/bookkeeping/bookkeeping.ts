/**
 * The registry, the generation lifecycle and the parking records, written once for every view store over
 * its `BookkeepingRecords` and `ViewStorage` (bookkeeping.port.ts). What a Target promises about them
 * (target.port.ts) is decided here; the store only reads and writes.
 *
 * Transactions. Each step runs in `records.transaction`: one store transaction where the store has them
 * (relational, Neo4j), in order where it has not (Elasticsearch, whose steps are ordered so a crash between
 * them leaves a state the next call completes). A commit's checkpoint is claimed first and settled last in
 * the same transaction as the view's writes and its parking records.
 *
 * Fencing (issue #15). Each checkpoint stores a fence: the lease epoch of the last writer that carried one.
 * A commit or an activate whose fence is below it is refused (`fenced`) in the same step that checks the
 * checkpoint, before the checkpoint compare (a writer that lost its lease is told so, whatever it thinks
 * the checkpoint is); a commit with a fence at or above it stores its fence. `admitCommit`, `fenceAfter`
 * and `isFenced` are that decision, shared with the memory target.
 */
import type { JsonValue } from '../../core/json';
import { compareResolutions } from '../parking-resolution';
import { dropWholeProjection, type ProjectionDrop, type ProjectionDropOptions } from '../projection-drop';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import type {
  ActivateOptions,
  ActivateResult,
  CommitBatch,
  CommitResult,
  GenerationRecord,
  GenerationSpec,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';
import type { BookkeepingRecords, CheckpointClaim, StoredGeneration, ViewStorage } from './bookkeeping.port';
import { Rollback } from './rollback';
import { migrateBookkeeping, type Migration, type SchemaVersionStore } from './schema-migrations';

/** The members of the Target port that bookkeeping implements (Target forwards them here). */
export interface GenerationBookkeeping {
  readProjection(name: string): Promise<ProjectionRecord | undefined>;
  listGenerations(projection: string): Promise<GenerationRecord[]>;
  setPaused(name: string, paused: boolean): Promise<void>;
  prepare(spec: GenerationSpec): Promise<void>;
  readCheckpoint(view: ViewRef): Promise<bigint | undefined>;
  activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult>;
  drop(view: ViewRef): Promise<void>;
  listParked(view: ViewRef): Promise<ParkedEvent[]>;
  listResolutions(view: ViewRef): Promise<ParkingResolution[]>;
  listProjections(): Promise<ProjectionRecord[]>;
  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop>;
}

/** Prism's schema version of the store's bookkeeping, and the steps that bring it to this version. */
export interface BookkeepingSchema {
  readonly store: SchemaVersionStore;
  readonly migrations: readonly Migration[];
}

export class Bookkeeping<S> implements GenerationBookkeeping {
  constructor(
    readonly records: BookkeepingRecords<S>,
    private readonly storage: ViewStorage<S>,
    private readonly schema: BookkeepingSchema,
  ) {}

  /** Creates or upgrades the store's bookkeeping to this Prism's schema version (schema-migrations.ts). */
  async initialize(): Promise<void> {
    await migrateBookkeeping(this.schema.store, this.schema.migrations);
  }

  // Registry ---------------------------------------------------------------------------------------

  readProjection(name: string): Promise<ProjectionRecord | undefined> {
    return this.records.read((s) => this.records.readProjection(s, name));
  }

  async listGenerations(projection: string): Promise<GenerationRecord[]> {
    const stored = await this.records.read((s) => this.records.listGenerations(s, projection));
    return stored.map(reported).sort((a, b) => a.generation - b.generation);
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.records.transaction((s) => this.records.writeProjection(s, name, { paused }));
  }

  // Generations ------------------------------------------------------------------------------------

  /**
   * Records first (registry entry, generation, checkpoint at 0: each create-if-absent, so a second call
   * completes what a crash left and never resets a checkpoint), then the physical storage.
   */
  async prepare(spec: GenerationSpec): Promise<void> {
    const { shape, names } = this.storage.recorded(spec);
    await this.records.transaction(async (s) => {
      const claimed = await this.records.claimNames(s, spec.projection, names);
      if (claimed !== undefined) throw this.storage.claimedError(spec, claimed.owner, claimed.names);
      await this.records.writeProjection(s, spec.projection, {});
      await this.records.createGeneration(s, { ...spec, shape, names, createdAt: new Date() });
      for (let segment = 0; segment < Math.max(1, spec.segments ?? 1); segment += 1)
        await this.records.createCheckpoint(s, checkpointOf({ ...spec, segment }));
    });
    await this.storage.createStorage(spec);
  }

  async readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return (await this.records.read((s) => this.records.readCheckpoint(s, checkpointOf(view))))?.position;
  }

  /**
   * Re-checks the fence, then the checkpoint, inside the swap (locked where the store can; elsewhere
   * checkpoints only move forward, so a value read just before is a lower bound, and a fence raised just
   * after the read is a lease lost while swapping: the swap was due, and the new holder finds it done),
   * swaps the readers, then moves the registry before the statuses: a crash between them leaves the
   * registry naming the new generation, and the restart's activate retires whatever else is still marked
   * active (never the other way round, which would let a restart drop a generation the registry still
   * calls active).
   */
  async activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult> {
    return this.records.transaction<ActivateResult>(async (s) => {
      const stored = await this.records.readCheckpoint(s, checkpointOf(view), true);
      if (stored === undefined)
        throw new UnknownGenerationError(view.projection, view.generation, this.storage.kind);
      if (isFenced(stored.fence, options?.fence))
        throw new Rollback<ActivateResult>({ kind: 'fenced', fence: stored.fence });
      if (options?.minCheckpoint !== undefined && stored.position < options.minCheckpoint)
        throw new Rollback<ActivateResult>({ kind: 'behind', checkpoint: stored.position });
      const registry = await this.records.readProjection(s, view.projection);
      const generations = await this.records.listGenerations(s, view.projection);
      const previousNumber =
        registry?.activeGeneration ?? generations.find((g) => g.status === 'active')?.generation ?? null;
      const previous = generations.find((g) => g.generation === previousNumber);
      await this.storage.swapReaders(s, view, previous);
      await this.records.writeProjection(s, view.projection, { activeGeneration: view.generation });
      for (const generation of generations) {
        if (generation.generation === view.generation) continue;
        if (generation.status === 'active' || generation.generation === previousNumber)
          await this.records.setGenerationStatus(s, view.projection, generation.generation, 'retired');
      }
      await this.records.setGenerationStatus(s, view.projection, view.generation, 'active');
      return {
        kind: 'activated',
        previous: previousNumber !== null && previousNumber !== view.generation ? previousNumber : null,
      };
    });
  }

  /**
   * Refuses the active generation. Where the store drops storage in a transaction, everything goes in
   * one. Elsewhere: mark the generation `dropping` and remove its checkpoint (a runner still writing to it
   * sees a mismatch and stops; a reader that resolved it retries), remove its storage, and last its parking
   * records and generation record. A crash anywhere leaves a generation reported `retired`, which the next
   * drop removes.
   */
  async drop(view: ViewRef): Promise<void> {
    const inOne = this.storage.dropsInTransaction;
    await this.records.transaction(async (s) => {
      const registry = await this.records.readProjection(s, view.projection);
      const generations = await this.records.listGenerations(s, view.projection);
      const record = generations.find((g) => g.generation === view.generation);
      if (record?.status === 'active' || registry?.activeGeneration === view.generation)
        throw new ActiveGenerationDropError(view.projection, view.generation);
      if (record !== undefined && !inOne)
        await this.records.setGenerationStatus(s, view.projection, view.generation, 'dropping');
      await this.records.deleteCheckpoint(s, checkpointOf(view));
      await this.records.deleteSegmentCheckpoints?.(s, view);
      if (inOne) {
        await this.storage.dropStorage(view, s);
        await this.removeRecords(s, view);
      }
    });
    if (inOne) return;
    await this.storage.dropStorage(view);
    await this.records.transaction((s) => this.removeRecords(s, view));
  }

  private async removeRecords(s: S, view: ViewRef): Promise<void> {
    await this.records.deleteParking(s, view);
    await this.records.deleteGeneration(s, view.projection, view.generation);
  }

  // Retiring a projection (see ../projection-drop.ts) ----------------------------------------------

  async listProjections(): Promise<ProjectionRecord[]> {
    const projections = await this.records.read((s) => this.records.listProjections(s));
    return projections.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop> {
    return dropWholeProjection(this, projection, options, {
      physicalNames: (g) => this.storage.physicalNames(g),
      readNames: (active) => this.storage.readNames(active),
      // Readers lose the read names, the registry no longer names an active generation, and none is `active`.
      deactivate: (name, generations) =>
        this.records.transaction(async (s) => {
          const active = generations.filter((g) => g.status === 'active');
          await this.storage.removeReaders(s, active);
          if ((await this.records.readProjection(s, name)) !== undefined)
            await this.records.writeProjection(s, name, { activeGeneration: null });
          for (const g of active) await this.records.setGenerationStatus(s, name, g.generation, 'retired');
        }),
      forget: (name) => this.records.transaction((s) => this.records.deleteProjection(s, name)),
    });
  }

  // Commits ----------------------------------------------------------------------------------------

  /**
   * The frame of every commit: claim the checkpoint (a stale fence or a mismatch writes nothing), let the
   * store write the view (`writeView`), record the parking changes, settle the checkpoint with the fence;
   * all in one transaction where the store has one. Without transactions the settle is the
   * compare-and-set, and a fence raised between claim and settle makes it lose: `fenced`.
   */
  commit(view: ViewRef, batch: CommitBatch, writeView: (session: S) => Promise<void>): Promise<CommitResult> {
    return this.records.transaction<CommitResult>(async (s) => {
      const checkpoint = checkpointOf(view);
      const claim = admitCommit(await this.records.claimCheckpoint(s, checkpoint, batch.checkpoint), batch);
      if (claim.kind !== 'claimed') throw new Rollback<CommitResult>(claim);
      await writeView(s);
      if (hasParkingChanges(batch)) await this.records.writeParking(s, view, batch);
      const fence = fenceAfter(claim.fence, batch);
      const settled = await this.records.settleCheckpoint(s, checkpoint, batch.checkpoint, claim, fence);
      const kept = admitCommit(settled, batch);
      if (kept.kind !== 'claimed') throw new Rollback<CommitResult>(kept);
      return { kind: 'committed', checkpoint: batch.checkpoint.to };
    });
  }

  // Parking ----------------------------------------------------------------------------------------

  async listParked(view: ViewRef): Promise<ParkedEvent[]> {
    const parked = await this.records.read((s) => this.records.listParked(s, view));
    return parked.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  }

  async listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    const resolutions = await this.records.read((s) => this.records.listResolutions(s, view));
    return resolutions.sort(compareResolutions);
  }
}

/**
 * The record a view's checkpoint is kept under. Segment 0 (every unsegmented projection) keeps the record
 * it always had; segment k of a segmented projection (issue #15) is recorded under the projection name
 * `name#k`, which no projection can have (names are snake_case or kebab-case), so no store's bookkeeping
 * layout changes. `BookkeepingRecords.deleteSegmentCheckpoints` removes those with their generation.
 */
export function checkpointOf(view: ViewRef): ViewRef {
  if (view.segment === undefined || view.segment === 0) return view;
  const { segment, ...rest } = view;
  return { ...rest, projection: segmentCheckpointName(view.projection, segment) };
}

/** The projection name segment k's checkpoint record is kept under (see checkpointOf). */
export function segmentCheckpointName(projection: string, segment: number): string {
  return `${projection}#${segment}`;
}

/** A commit's answer when it is refused. */
export type CommitRefusal = Extract<CommitResult, { kind: 'fenced' | 'checkpoint-mismatch' }>;

/**
 * Whether a commit that found `claim` may go on (the claim), or why it is refused (issue #15): a stored
 * fence above the batch's comes first (the writer lost its lease: a stronger reason than a stale
 * checkpoint, and the answer that stops it), then a checkpoint that was not `from`. A batch without a
 * fence is never fenced.
 */
export function admitCommit(
  claim: CheckpointClaim,
  batch: CommitBatch,
): Extract<CheckpointClaim, { kind: 'claimed' }> | CommitRefusal {
  if (isFenced(claim.fence, batch.fence)) return { kind: 'fenced', fence: claim.fence };
  return claim.kind === 'moved' ? { kind: 'checkpoint-mismatch', actual: claim.actual } : claim;
}

/** The fence a commit that was not refused stores: the batch's (at least the stored one), or the stored one. */
export function fenceAfter(stored: bigint, batch: CommitBatch): bigint {
  return batch.fence !== undefined && batch.fence > stored ? batch.fence : stored;
}

/** Whether a stored fence refuses a writer carrying `fence` (absent: the writer holds no lease). */
export function isFenced(stored: bigint | undefined, fence: bigint | undefined): stored is bigint {
  return fence !== undefined && stored !== undefined && stored > fence;
}

function hasParkingChanges(batch: CommitBatch): boolean {
  return (batch.park?.length ?? 0) + (batch.release?.length ?? 0) + (batch.resolve?.length ?? 0) > 0;
}

/** A stored generation as the Target reports it: an interrupted drop is `retired`, so it is dropped again. */
function reported(generation: StoredGeneration): GenerationRecord {
  return {
    projection: generation.projection,
    generation: generation.generation,
    fingerprint: generation.fingerprint,
    definition: generation.definition satisfies JsonValue | null,
    shape: generation.shape,
    status: generation.status === 'dropping' ? 'retired' : generation.status,
    createdAt: generation.createdAt,
  };
}
