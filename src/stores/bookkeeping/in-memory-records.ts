/**
 * Bookkeeping records in process memory (BookkeepingRecords over plain maps), for stores that keep their
 * views in memory and for the unit tests of bookkeeping.ts. A transaction works on a copy and swaps it in
 * when the work succeeds, so a thrown Rollback (or any error) leaves nothing behind.
 */
import { MAX_SEGMENTS } from '../../core/plan';
import { segmentCheckpointName } from './bookkeeping';
import type {
  BookkeepingRecords,
  CheckpointClaim,
  NewGeneration,
  ParkingChanges,
  ProjectionChange,
  StoredCheckpoint,
  StoredGeneration,
  StoredGenerationStatus,
} from './bookkeeping.port';
import { returningRollback } from './rollback';
import type {
  CheckpointRange,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';

/** Everything the records hold; a session is the state a transaction works on. */
export interface MemoryBook {
  projections: Map<string, ProjectionRecord>;
  generations: Map<string, StoredGeneration & { names: readonly string[] }>;
  checkpoints: Map<string, StoredCheckpoint>;
  parked: Map<string, ParkedEvent>;
  resolutions: Map<string, ParkingResolution & { projection: string; generation: number }>;
}

const id = (projection: string, generation: number) => `${projection}\u0000${generation}`;
const at = (view: ViewRef, position: bigint) => `${id(view.projection, view.generation)}\u0000${position}`;

function copy(book: MemoryBook): MemoryBook {
  return {
    projections: new Map(book.projections),
    generations: new Map(book.generations),
    checkpoints: new Map(book.checkpoints),
    parked: new Map(book.parked),
    resolutions: new Map(book.resolutions),
  };
}

export class InMemoryRecords implements BookkeepingRecords<MemoryBook> {
  private book: MemoryBook = {
    projections: new Map(),
    generations: new Map(),
    checkpoints: new Map(),
    parked: new Map(),
    resolutions: new Map(),
  };

  async transaction<T>(work: (session: MemoryBook) => Promise<T>): Promise<T> {
    return returningRollback(async () => {
      const draft = copy(this.book);
      const result = await work(draft);
      this.book = draft;
      return result;
    });
  }

  read<T>(work: (session: MemoryBook) => Promise<T>): Promise<T> {
    return work(this.book);
  }

  readProjection(book: MemoryBook, name: string): Promise<ProjectionRecord | undefined> {
    return Promise.resolve(book.projections.get(name));
  }

  listProjections(book: MemoryBook): Promise<ProjectionRecord[]> {
    return Promise.resolve([...book.projections.values()]);
  }

  deleteProjection(book: MemoryBook, name: string): Promise<void> {
    book.projections.delete(name);
    return Promise.resolve();
  }

  writeProjection(book: MemoryBook, name: string, change: ProjectionChange): Promise<void> {
    const current = book.projections.get(name) ?? { name, activeGeneration: null, paused: false };
    book.projections.set(name, {
      name,
      activeGeneration:
        change.activeGeneration === undefined ? current.activeGeneration : change.activeGeneration,
      paused: change.paused ?? current.paused,
    });
    return Promise.resolve();
  }

  listGenerations(book: MemoryBook, projection: string): Promise<StoredGeneration[]> {
    return Promise.resolve([...book.generations.values()].filter((g) => g.projection === projection));
  }

  claimNames(book: MemoryBook, projection: string, names: readonly string[]) {
    for (const generation of book.generations.values()) {
      if (generation.projection === projection) continue;
      const shared = generation.names.filter((name) => names.includes(name));
      if (shared.length > 0) return Promise.resolve({ owner: generation.projection, names: shared });
    }
    return Promise.resolve(undefined);
  }

  createGeneration(book: MemoryBook, generation: NewGeneration): Promise<void> {
    const key = id(generation.projection, generation.generation);
    if (!book.generations.has(key)) book.generations.set(key, { ...generation, status: 'building' });
    return Promise.resolve();
  }

  setGenerationStatus(
    book: MemoryBook,
    projection: string,
    generation: number,
    status: StoredGenerationStatus,
  ): Promise<void> {
    const key = id(projection, generation);
    const current = book.generations.get(key);
    if (current !== undefined) book.generations.set(key, { ...current, status });
    return Promise.resolve();
  }

  deleteGeneration(book: MemoryBook, projection: string, generation: number): Promise<void> {
    book.generations.delete(id(projection, generation));
    return Promise.resolve();
  }

  createCheckpoint(book: MemoryBook, view: ViewRef): Promise<void> {
    const key = id(view.projection, view.generation);
    if (!book.checkpoints.has(key)) book.checkpoints.set(key, { position: 0n, fence: 0n });
    return Promise.resolve();
  }

  readCheckpoint(book: MemoryBook, view: ViewRef): Promise<StoredCheckpoint | undefined> {
    return Promise.resolve(book.checkpoints.get(id(view.projection, view.generation)));
  }

  async claimCheckpoint(book: MemoryBook, view: ViewRef, range: CheckpointRange): Promise<CheckpointClaim> {
    const stored = await this.readCheckpoint(book, view);
    return stored?.position === range.from
      ? { kind: 'claimed', fence: stored.fence }
      : { kind: 'moved', actual: stored?.position, fence: stored?.fence };
  }

  settleCheckpoint(
    book: MemoryBook,
    view: ViewRef,
    range: CheckpointRange,
    claim: Extract<CheckpointClaim, { kind: 'claimed' }>,
    fence: bigint,
  ): Promise<CheckpointClaim> {
    book.checkpoints.set(id(view.projection, view.generation), { position: range.to, fence });
    return Promise.resolve({ ...claim, fence });
  }

  deleteCheckpoint(book: MemoryBook, view: ViewRef): Promise<void> {
    book.checkpoints.delete(id(view.projection, view.generation));
    return Promise.resolve();
  }

  /** Segments 1.. (issue #15): every `name#k` checkpoint of the generation (see bookkeeping.ts). */
  deleteSegmentCheckpoints(book: MemoryBook, view: ViewRef): Promise<void> {
    for (let segment = 1; segment < MAX_SEGMENTS; segment += 1)
      book.checkpoints.delete(id(segmentCheckpointName(view.projection, segment), view.generation));
    return Promise.resolve();
  }

  writeParking(book: MemoryBook, view: ViewRef, changes: ParkingChanges): Promise<void> {
    for (const parked of changes.park ?? []) book.parked.set(at(view, parked.position), parked);
    for (const position of changes.release ?? []) book.parked.delete(at(view, position));
    for (const resolution of changes.resolve ?? []) {
      book.resolutions.set(at(view, resolution.position), {
        ...resolution,
        projection: view.projection,
        generation: view.generation,
      });
    }
    return Promise.resolve();
  }

  listParked(book: MemoryBook, view: ViewRef): Promise<ParkedEvent[]> {
    return Promise.resolve([...book.parked.values()].filter((p) => of(view, p)));
  }

  listResolutions(book: MemoryBook, view: ViewRef): Promise<ParkingResolution[]> {
    return Promise.resolve(
      [...book.resolutions.values()]
        .filter((r) => of(view, r))
        .map(({ position, action, checkpoint, resolvedAt }) => ({
          position,
          action,
          checkpoint,
          resolvedAt,
        })),
    );
  }

  deleteParking(book: MemoryBook, view: ViewRef): Promise<void> {
    for (const [key, parked] of book.parked) if (of(view, parked)) book.parked.delete(key);
    for (const [key, resolution] of book.resolutions) if (of(view, resolution)) book.resolutions.delete(key);
    return Promise.resolve();
  }
}

function of(view: ViewRef, record: { projection: string; generation: number }): boolean {
  return record.projection === view.projection && record.generation === view.generation;
}
