/**
 * A compiled projection: the pure function at the heart of Prism.
 *
 *   (event, current state of the keys it touches) -> operations on the view
 *
 * The DSL compiles YAML or TypeScript definitions into this shape; the runtime batches events through it
 * and hands the operations to a target. Nothing here does I/O, so the same plan runs against every store
 * module's target, or an in-memory view in tests.
 */
import type { StoredEvent } from '../eventstore/event-store.port';
import type { JsonObject, JsonValue } from './json';
import type { FanOutSelector } from './fan-out';
import type { LookupPlan, LookupValues } from './lookups';
import type { TargetShape } from './view-shape';

/** A document of a document view (a table row, an indexed document), keyed by its key field. */
export type ViewDocument = JsonObject;

/** Identifies one document of a document view: the string form of its key value. */
export type DocumentKey = string;

/** Identifies one node of a graph view. */
export interface NodeRef {
  readonly label: string;
  readonly key: string | number;
}

/**
 * Operations on a view. Document operations carry the whole new document (the plan computed it from the
 * current one), so applying one twice is harmless and the last one for a key is all a batch must write.
 * `position` is the global position of the event that produced the operation.
 */
export type ViewOperation =
  | {
      readonly kind: 'put';
      readonly key: DocumentKey;
      readonly document: ViewDocument;
      readonly position: bigint;
    }
  | { readonly kind: 'delete'; readonly key: DocumentKey; readonly position: bigint }
  | {
      readonly kind: 'mergeNode';
      readonly node: NodeRef;
      readonly set: Readonly<Record<string, JsonValue>>;
      readonly position: bigint;
    }
  | { readonly kind: 'deleteNode'; readonly node: NodeRef; readonly position: bigint }
  | {
      /**
       * Fan-out on a graph (issue #16): set properties on every node of `label` whose `property` (a
       * declared index of the label) holds `value`, as the graph is at this point of the log. More than
       * `max` such nodes is a poison event (FanOutCapError, src/core/fan-out.ts).
       */
      readonly kind: 'updateNodes';
      readonly label: string;
      readonly property: string;
      readonly value: string | number;
      readonly set: Readonly<Record<string, JsonValue>>;
      readonly max: number;
      readonly position: bigint;
    }
  | {
      readonly kind: 'mergeRelationship';
      readonly type: string;
      readonly from: NodeRef;
      readonly to: NodeRef;
      readonly set: Readonly<Record<string, JsonValue>>;
      readonly position: bigint;
    }
  | {
      readonly kind: 'deleteRelationship';
      readonly type: string;
      readonly from: NodeRef;
      readonly to: NodeRef;
      readonly position: bigint;
    };

export type ViewOperationKind = ViewOperation['kind'];

/** A typed parameter of a named read query. */
export interface QueryParameter {
  readonly type: 'string' | 'integer' | 'float' | 'boolean';
  readonly required: boolean;
  readonly default?: string | number | boolean;
}

/** A named read query declared in a definition: Cypher for graph views, a search template for search views. */
export interface NamedQuery {
  readonly name: string;
  readonly parameters: Readonly<Record<string, QueryParameter>>;
  /** The query in its store's language: text (e.g. read-only Cypher) or a JSON template with {{param}} holes. */
  readonly body: string | JsonObject;
  /** The query's further fields its store's language reads (e.g. a search template's `facets`). */
  readonly options?: Readonly<Record<string, JsonValue>>;
}

/**
 * The evaluation of an event failed in a way that will fail again on every retry (a poison event):
 * an expression error, a missing key, a value of the wrong type. The runtime parks such events.
 */
export class ProjectionEvaluationError extends Error {
  override readonly name = 'ProjectionEvaluationError';
  constructor(
    readonly projection: string,
    readonly eventType: string,
    readonly reason: string,
  ) {
    super(`Projection "${projection}" could not apply ${eventType}: ${reason}`);
  }
}

/** The most segments a projection may declare (issue #15; the DSL checks it). */
export const MAX_SEGMENTS = 64;

export interface CompiledProjection<Shape extends TargetShape = TargetShape> {
  readonly name: string;
  readonly version: number;
  /** Hash of the normalized definition: a change means the view must be rebuilt. */
  readonly fingerprint: string;
  readonly source: { readonly eventTypes: readonly string[]; readonly streamPrefix?: string };
  readonly target: Shape;
  /** What to do with events that arrive after a parked one for the same key. */
  readonly onPoison: 'sequenced' | 'skip';
  /**
   * How many segments share the projection's work (issue #15): events are routed by a hash of their view
   * key, each segment has its own checkpoint and lease (src/runtime/segments.ts). Absent: one (unsegmented).
   */
  readonly segments?: number;
  readonly queries: Readonly<Record<string, NamedQuery>>;
  /**
   * The projection's lookups (correlation state, see lookups.ts), or undefined when it declares none:
   * then the runtime loads and writes no lookup state at all, and `lookups` below is never passed.
   */
  readonly lookups?: LookupPlan;
  /**
   * The view keys this event touches, as strings: document keys for document views, `Label:key` for nodes
   * of graph views. The runtime loads current state for them and orders and parks per key with them.
   * `lookups`: the lookup entries the event reads, after its own `remember`s (plans with lookups only).
   * @throws ProjectionEvaluationError when a key cannot be computed.
   */
  keysOf(event: StoredEvent, lookups?: LookupValues): readonly string[];
  /**
   * Fan-out updates (issue #16, src/core/fan-out.ts): what each `updateAll` of this event selects, computed
   * from the event (and its lookup entries) alone. Present only on plans that declare one: the runtime
   * then finds the stored documents that match (`Target.findKeys`) and adds their keys to `keysOf`'s,
   * and `apply` updates every document of `state` that matches.
   * @throws ProjectionEvaluationError when a selected value cannot be computed.
   */
  fanOutsOf?(event: StoredEvent, lookups?: LookupValues): readonly FanOutSelector[];
  /**
   * Pure: the operations this event causes, given the current documents for `keysOf(event)` (absent keys
   * have no document yet). Graph views receive an empty map: their operations do not read state.
   * @throws ProjectionEvaluationError for a deterministic failure (the runtime parks the event).
   */
  apply(
    event: StoredEvent,
    state: ReadonlyMap<DocumentKey, ViewDocument>,
    lookups?: LookupValues,
  ): readonly ViewOperation[];
}
