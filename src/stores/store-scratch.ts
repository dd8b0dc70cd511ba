/**
 * Throwaway views for `prism test --stores` (issue #16): a store builds a test's view in a namespace of its
 * own that nothing else uses (a unique index prefix, a unique label namespace), runs the view's named
 * queries there through its query API's own code, and removes everything it made when closed.
 */
import type { JsonObject, JsonValue } from '../core/json';
import type { CompiledProjection } from '../core/plan';
import type { Target } from './target.port';

/** What a named query answered, in the parts a `*.test.yaml` can expect. */
export interface NamedQueryAnswer {
  /** Search templates: the hits' ids, in order. */
  readonly ids?: readonly string[];
  /** Search templates: how many documents matched. */
  readonly total?: number;
  /** Search templates with facets: per facet, its buckets in the store's order. */
  readonly facets?: Readonly<
    Record<string, readonly { readonly value: JsonValue; readonly count: number }[]>
  >;
  /** Row-returning queries (Cypher): the rows, in order. */
  readonly rows?: readonly JsonObject[];
}

export interface ScratchStore {
  /** A target over the scratch namespace; views are written through it like the runtime does. */
  readonly target: Target;
  /**
   * Runs `query` of `projection`, whose view was built under the name `view` (unique per run), against
   * that view's active generation. Parameters are given as a query string would give them.
   */
  query(
    projection: CompiledProjection,
    view: string,
    query: string,
    parameters: Readonly<Record<string, string>>,
  ): Promise<NamedQueryAnswer>;
  /** Removes every generation of the view built under `view`. */
  drop(view: string): Promise<void>;
  /** Removes whatever else the namespace made (bookkeeping of its own) and closes the connection. */
  close(): Promise<void>;
}

export interface StoreScratch<Settings = unknown> {
  /** Connects with the configured settings; `namespace` is unique per run (lowercase letters, digits, _). */
  open(settings: Settings, namespace: string): Promise<ScratchStore>;
}
