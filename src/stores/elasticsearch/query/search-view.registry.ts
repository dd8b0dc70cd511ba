/**
 * Which views the search API serves. The API asks the registry by name; the lead decides where the
 * answers come from (the loaded projection definitions, the target's registry of active generations).
 */
import type { CompiledProjection, NamedQuery } from '../../../core/plan';
import { isElasticsearchShape, type ElasticsearchTargetShape } from '../elasticsearch-view-shape';
import { IndexNaming } from '../elasticsearch-shape';

export interface SearchView {
  /** The alias the search runs against (the active generation behind it). */
  readonly alias: string;
  readonly shape: ElasticsearchTargetShape;
  /** Named search templates declared in the definition. */
  readonly queries: Readonly<Record<string, NamedQuery>>;
}

export interface SearchViewRegistry {
  get(name: string): SearchView | undefined;
}

/**
 * A registry over compiled projections: every projection with an elasticsearch target, by projection
 * name, searched through the alias the Elasticsearch target gives it (same `prefix` as the target).
 */
export function registryOfProjections(
  projections: readonly CompiledProjection[],
  prefix?: string,
): SearchViewRegistry {
  const naming = new IndexNaming(prefix);
  const views = new Map<string, SearchView>();
  for (const projection of projections) {
    const shape = projection.target;
    if (!isElasticsearchShape(shape)) continue;
    views.set(projection.name, { alias: naming.alias(shape), shape, queries: projection.queries });
  }
  return { get: (name) => views.get(name) };
}
