/**
 * What the graph query API needs to know about a view, supplied by whoever loads the projections (the
 * lead's app module). Which generation readers see is NOT part of it: the API reads the active generation
 * from the Neo4j target's registry inside the query's own transaction, so it switches with `activate`.
 */
import type { NamedQuery } from '../../../core/plan';

export interface GraphViewDefinition {
  /** The projection whose graph this view is (its name, as registered with the Neo4j target). */
  readonly projection: string;
  /** Named read queries, Cypher written with the labels and types as declared. */
  readonly queries: Readonly<Record<string, NamedQuery>>;
}

export interface GraphViewRegistry {
  /** The graph view of this name (by convention the projection name), or undefined. */
  get(name: string): GraphViewDefinition | undefined | Promise<GraphViewDefinition | undefined>;
}

/** A registry over compiled projections (those with a neo4j target), keyed by projection name. */
export function graphViewRegistryOf(
  projections: readonly {
    readonly name: string;
    readonly target: { readonly kind: string };
    readonly queries: Readonly<Record<string, NamedQuery>>;
  }[],
): GraphViewRegistry {
  const views = new Map(
    projections
      .filter((projection) => projection.target.kind === 'neo4j')
      .map((projection) => [projection.name, { projection: projection.name, queries: projection.queries }]),
  );
  return { get: (name) => views.get(name) };
}
