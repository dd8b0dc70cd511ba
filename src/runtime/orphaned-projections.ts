/**
 * Projections whose definition was removed from the folder while their views stayed behind (state
 * `orphaned`): found in the connected targets' registries under a name no loaded definition has. Nothing
 * runs them; `prism drop <name>` removes them (`Target.dropProjection`). A target without
 * `listProjections` is not searched.
 */
import type { TargetKind } from '../core/view-shape';
import type { GenerationRecord, ProjectionRecord, Target } from '../stores/target.port';

/** What one store still holds of an orphaned projection. */
export interface OrphanedView {
  readonly kind: TargetKind;
  readonly activeGeneration: number | null;
  readonly generations: readonly GenerationRecord[];
}

export interface OrphanedProjection {
  readonly name: string;
  /** Usually one store; more when the projection moved to another store before its file was removed. */
  readonly views: readonly OrphanedView[];
}

export interface FindOrphansOptions {
  /** Whether a definition of this name is loaded (a broken file that names it counts: it is not gone). */
  readonly defined: (name: string) => boolean;
  /** A store that does not answer within this is skipped (status must not hang on one store). */
  readonly timeoutMs: number;
  /** Told about each store that could not be read (failed or timed out); it is skipped. */
  readonly onUnreadable?: (kind: TargetKind, error: unknown) => void;
}

/** The orphaned projections of these targets, by name. */
export async function findOrphanedProjections(
  targets: readonly Target[],
  options: FindOrphansOptions,
): Promise<OrphanedProjection[]> {
  const found = await Promise.all(
    targets.map(async (target) => {
      try {
        return await within(options.timeoutMs, orphansOf(target, options.defined));
      } catch (error) {
        options.onUnreadable?.(target.kind, error);
        return [];
      }
    }),
  );
  const byName = new Map<string, OrphanedView[]>();
  for (const [name, view] of found.flat()) byName.set(name, [...(byName.get(name) ?? []), view]);
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, views]) => ({ name, views }));
}

async function orphansOf(
  target: Target,
  defined: (name: string) => boolean,
): Promise<[string, OrphanedView][]> {
  if (target.listProjections === undefined) return [];
  const records: ProjectionRecord[] = await target.listProjections();
  const orphans = records.filter((record) => !defined(record.name));
  return Promise.all(
    orphans.map(async (record): Promise<[string, OrphanedView]> => [
      record.name,
      {
        kind: target.kind,
        activeGeneration: record.activeGeneration,
        generations: await target.listGenerations(record.name),
      },
    ]),
  );
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
