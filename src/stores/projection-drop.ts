/**
 * Dropping a whole projection (`prism drop`, for a projection whose definition was removed from the
 * folder): every generation's storage, the active one included, its read names and its bookkeeping. The
 * order is the same in every store, so a drop interrupted half-way is finished by running it again:
 *
 *  1. deactivate: readers lose its read names and no generation is active any more (the registry entry
 *     stays, so the projection is still listed and found again);
 *  2. drop every generation with `Target.drop` (which refuses only an active one);
 *  3. forget: remove the registry entry and any claim on its read names.
 *
 * A store implements the three steps (`ProjectionDropSteps`) and this file runs them.
 */
import type { Generation, GenerationRecord, GenerationStatus, Target } from './target.port';

/** One generation a drop removes (or, in a dry run, would remove). */
export interface DroppedGeneration {
  readonly generation: Generation;
  readonly status: GenerationStatus;
  /** The store's own names of its storage: a table, an index, node labels and relationship types. */
  readonly physical: readonly string[];
}

/** What a drop removes (or would remove) in one store. */
export interface ProjectionDrop {
  readonly projection: string;
  /** Names readers query it by (a SQL view, an index alias); empty when reads go through the registry. */
  readonly readNames: readonly string[];
  readonly generations: readonly DroppedGeneration[];
}

export interface ProjectionDropOptions {
  /** Only say what would be removed. */
  readonly dryRun: boolean;
}

/** The store-specific parts of a drop (see the file comment). */
export interface ProjectionDropSteps {
  physicalNames(generation: GenerationRecord): string[];
  /** The read names of the active generation (undefined: none is active). */
  readNames(active: GenerationRecord | undefined): string[];
  deactivate(projection: string, generations: readonly GenerationRecord[]): Promise<void>;
  forget(projection: string, generations: readonly GenerationRecord[]): Promise<void>;
}

export async function dropWholeProjection(
  target: Pick<Target, 'readProjection' | 'listGenerations' | 'drop'>,
  projection: string,
  options: ProjectionDropOptions,
  steps: ProjectionDropSteps,
): Promise<ProjectionDrop> {
  const generations = await target.listGenerations(projection);
  const activeGeneration = (await target.readProjection(projection))?.activeGeneration ?? null;
  const active = generations.find((g) => g.generation === activeGeneration);
  const drop: ProjectionDrop = {
    projection,
    readNames: steps.readNames(active),
    generations: generations.map((g) => ({
      generation: g.generation,
      status: g.status,
      physical: steps.physicalNames(g),
    })),
  };
  if (options.dryRun) return drop;
  await steps.deactivate(projection, generations);
  for (const g of generations) await target.drop({ projection, generation: g.generation, shape: g.shape });
  await steps.forget(projection, generations);
  return drop;
}
