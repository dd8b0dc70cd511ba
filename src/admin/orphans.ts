/**
 * Retiring a projection: a definition removed from the folder leaves its views behind. They are listed as
 * `orphaned` (found in a connected store's registry, no definition of that name loaded) and `drop` removes
 * them from every store that holds them: every generation's table, index or labels, the read names and
 * the bookkeeping (Target.dropProjection). Only orphans are dropped: a loaded definition (or a broken
 * file naming the projection) is refused, since something runs or will run it.
 */
import { Logger } from '@nestjs/common';
import type { ProjectionsService } from '../projection-host/projections.service';
import { findOrphanedProjections, type OrphanedProjection } from '../runtime/orphaned-projections';
import type { Target } from '../stores/target.port';
import type { ProjectionDropJson } from './admin.dto';
import { OrphanedProjectionNotFoundError, ProjectionStillDefinedError } from './admin.errors';

/** How long listing orphans waits for one store's registry before leaving that store out. */
export const ORPHAN_LISTING_TIMEOUT_MS = 2_000;

const logger = new Logger('Admin');

/** The orphaned projections of the connected view stores. */
export function listOrphans(projections: ProjectionsService): Promise<OrphanedProjection[]> {
  return findOrphanedProjections(connectedTargets(projections), {
    defined: (name) => definitionOf(projections, name) !== undefined,
    timeoutMs: ORPHAN_LISTING_TIMEOUT_MS,
    onUnreadable: (kind, error) =>
      logger.warn(
        `Orphaned projections of the ${kind} view store are not listed: its registry could not be read ` +
          `(${error instanceof Error ? error.message : String(error)}).`,
      ),
  });
}

/** Drops (or, with dryRun, lists) what every connected store holds of an orphaned projection. */
export async function dropOrphan(
  projections: ProjectionsService,
  name: string,
  dryRun: boolean,
): Promise<ProjectionDropJson> {
  const definition = definitionOf(projections, name);
  if (definition !== undefined) throw new ProjectionStillDefinedError(name, definition.file);
  const targets = connectedTargets(projections).filter((t) => t.dropProjection !== undefined);
  // Read without a time box: a store that does not answer fails the drop instead of being skipped.
  const holders: Target[] = [];
  for (const target of targets) {
    if ((await target.readProjection(name)) !== undefined) holders.push(target);
  }
  if (holders.length === 0) {
    const orphaned = (await listOrphans(projections)).map((orphan) => orphan.name);
    throw new OrphanedProjectionNotFoundError(name, orphaned);
  }
  const stores = [];
  for (const target of holders) {
    const drop = await target.dropProjection!(name, { dryRun });
    stores.push({
      kind: target.kind,
      readNames: [...drop.readNames],
      generations: drop.generations.map((g) => ({ ...g, physical: [...g.physical] })),
    });
    if (!dryRun) logger.log(`Dropped "${name}" from the ${target.kind} view store: ${describe(drop)}.`);
  }
  const generations = stores.reduce((sum, store) => sum + store.generations.length, 0);
  return {
    projection: name,
    dryRun,
    stores,
    message: dryRun
      ? `Dry run: dropping "${name}" would remove ${generations} generation(s) from ${stores.length} store(s), ` +
        'listed here with their physical names, and its bookkeeping. Nothing was deleted.'
      : `Dropped "${name}": ${generations} generation(s) from ${stores.length} store(s) and its bookkeeping.`,
  };
}

/** The definition of this projection, if one is loaded or a broken file names it (then with its file). */
function definitionOf(projections: ProjectionsService, name: string): { readonly file?: string } | undefined {
  if (projections.catalog.projections.some((plan) => plan.name === name)) return {};
  const broken = projections.brokenDefinitions.find((b) => b.name === name);
  return broken === undefined ? undefined : { file: broken.file };
}

function connectedTargets(projections: ProjectionsService): Target[] {
  const kinds = projections.viewStores().map((store) => store.kind);
  return kinds.flatMap((kind) => projections.target(kind) ?? []);
}

function describe(drop: {
  readonly generations: readonly { readonly physical: readonly string[] }[];
}): string {
  return drop.generations.flatMap((g) => g.physical).join(', ') || 'no generations';
}
