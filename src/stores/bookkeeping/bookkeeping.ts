/**
 * The registry, the generation lifecycle and the parking records, written once for every view store over
 * its `BookkeepingRecords` and `ViewStorage` (bookkeeping.port.ts). What a Target promises about them
 * (target.port.ts) is decided here; the store only reads and writes.
 *
 * Transactions. Each step runs in `records.transaction`: one store transaction where the store has them
 * (relational, Neo4j), in order where it has not (Elasticsearch, whose steps are ordered so a crash between
 * them leaves a state the next call completes). A commit's checkpoint is claimed first and settled last in
 * the same transaction as the view's writes and its parking records.
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
import type { BookkeepingRecords, StoredGeneration, ViewStorage } from './bookkeeping.port';
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
      await this.records.createCheckpoint(s, spec);
    });
    await this.storage.createStorage(spec);
  }

  readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return this.records.read((s) => this.records.readCheckpoint(s, view));
  }

  /**
   * Re-checks the checkpoint inside the swap (locked where the store can; elsewhere checkpoints only move
   * forward, so a value read just before is a lower bound), swaps the readers, then moves the registry
   * before the statuses: a crash between them leaves the registry naming the new generation, and the
   * restart's activate retires whatever else is still marked active (never the other way round, which
   * would let a restart drop a generation the registry still calls active).
   */
  async activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult> {
    return this.records.transaction<ActivateResult>(async (s) => {
      const checkpoint = await this.records.readCheckpoint(s, view, true);
      if (checkpoint === undefined)
        throw new UnknownGenerationError(view.projection, view.generation, this.storage.kind);
      if (options?.minCheckpoint !== undefined && checkpoint < options.minCheckpoint)
        throw new Rollback<ActivateResult>({ kind: 'behind', checkpoint });
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
      await this.records.deleteCheckpoint(s, view);
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
   * The frame of every commit: claim the checkpoint (a mismatch writes nothing), let the store write the
   * view (`writeView`), record the parking changes, settle the checkpoint; all in one transaction where
   * the store has one.
   */
  commit(view: ViewRef, batch: CommitBatch, writeView: (session: S) => Promise<void>): Promise<CommitResult> {
    return this.records.transaction<CommitResult>(async (s) => {
      const claim = await this.records.claimCheckpoint(s, view, batch.checkpoint);
      if (claim.kind === 'moved')
        throw new Rollback<CommitResult>({ kind: 'checkpoint-mismatch', actual: claim.actual });
      await writeView(s);
      if (hasParkingChanges(batch)) await this.records.writeParking(s, view, batch);
      const settled = await this.records.settleCheckpoint(s, view, batch.checkpoint, claim);
      if (settled.kind === 'moved')
        throw new Rollback<CommitResult>({ kind: 'checkpoint-mismatch', actual: settled.actual });
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
