/**
 * Checked definition -> CompiledProjection (src/core/plan.ts): the pure function the runtime drives.
 *
 * The plan follows the model's action family: document views (document.plan.ts: upsert, update, delete)
 * or graph views (graph.plan.ts: mergeNode, mergeRelationship, deleteNode, deleteRelationship); both
 * evaluate expressions compiled once at load (bound-expression.ts), never parsed per event. Operations
 * come out in action order. Any failure while evaluating is deterministic, so it is a
 * ProjectionEvaluationError.
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type {
  CompiledProjection,
  DocumentKey,
  NamedQuery,
  QueryParameter,
  ViewDocument,
} from '../../core/plan';
import type { LookupValues } from '../../core/lookups';
import type { TargetShape } from '../../core/view-shape';
import type { StoredEvent } from '../../eventstore/event-store.port';
import {
  writtenFormOf,
  type ProjectionModel,
  type QueryModel,
  type TargetModel,
} from '../model/projection.model';
import { storeDslOf, targetViewOf } from '../model/store-sections';
import type { StoreQueryLanguage } from '../../stores/store-dsl';
import type { CheckedDefinition } from '../validation/definition.validator';
import { withUpcasting } from '../../events-catalog/upcasting-plan';
import { DocumentPlan } from './document.plan';
import { GraphPlan } from './graph.plan';
import { CompiledLookups } from './lookup.plan';
import { fingerprintOf } from './projection.fingerprint';

export function compileProjection(checked: CheckedDefinition): CompiledProjection {
  const { definition } = checked;
  const common = {
    name: definition.name,
    version: definition.version,
    fingerprint: fingerprintOf(definition),
    source: {
      eventTypes: [...definition.source.events],
      ...(definition.source.streamPrefix === undefined
        ? {}
        : { streamPrefix: definition.source.streamPrefix }),
    },
    target: targetShapeOf(definition.target),
    onPoison: definition.onPoison,
    ...(definition.segments !== undefined && definition.segments > 1 && { segments: definition.segments }),
    queries: queriesOf(definition.target, definition.queries),
  };
  const view = targetViewOf(definition.target);
  const plan = view.family === 'graph' ? new GraphPlan(checked, view) : new DocumentPlan(checked, view);
  // Fan-out updates (updateAll): only a plan that declares one says what its events select.
  const fanOut =
    plan instanceof DocumentPlan && plan.fansOut
      ? {
          fanOutsOf: (event: StoredEvent, lookups?: LookupValues) => plan.fanOutsOf(event, lookups),
        }
      : {};
  // A plan without lookups keeps exactly the calls it had before lookups existed (issue #16: no cost).
  const pure: CompiledProjection =
    Object.keys(definition.lookups ?? {}).length === 0
      ? Object.freeze({
          ...common,
          ...fanOut,
          keysOf: (event: StoredEvent) => plan.keysOf(event),
          apply: (event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>) =>
            plan.apply(event, state),
        })
      : Object.freeze({
          ...common,
          ...fanOut,
          lookups: new CompiledLookups(checked),
          keysOf: (event: StoredEvent, lookups?: LookupValues) => plan.keysOf(event, lookups),
          apply: (
            event: StoredEvent,
            state: ReadonlyMap<DocumentKey, ViewDocument>,
            lookups?: LookupValues,
          ) => plan.apply(event, state, lookups),
        });
  // every path that folds events goes through keysOf/apply, so they all see upcast events (issue #16)
  const compiled = checked.catalog ? withUpcasting(pure, checked.catalog) : pure;
  models.set(compiled, definition);
  return compiled;
}

const models = new WeakMap<CompiledProjection, ProjectionModel>();

/**
 * The definition a plan was compiled from, in its written form as plain JSON (model/projection.model.ts
 * writtenFormOf): what the runtime stores with a view generation so a later process can recompile it
 * through the same validation as a file (see recompileDefinition). Null for plans not made here.
 */
export function definitionModelOf(projection: CompiledProjection): JsonValue | null {
  const definition = models.get(projection);
  return definition === undefined
    ? null
    : (JSON.parse(JSON.stringify(writtenFormOf(definition))) as JsonValue);
}

// ------------------------------------------------------------------------------------------------ shapes

/** The target shape as its store declares it (`shapeOf` of src/stores/<store>/<store>.dsl.ts). */
export function targetShapeOf(target: TargetModel): TargetShape {
  return storeDslOf(target).shapeOf(target);
}

function queriesOf(target: TargetModel, queries: ProjectionModel['queries']): Record<string, NamedQuery> {
  const language = storeDslOf(target).queries;
  return Object.fromEntries(
    Object.entries(queries).map(([name, query]) => [name, namedQuery(name, query, language)]),
  );
}

/** `body` is the query in the view store's language (its field of the query). */
function namedQuery(name: string, query: QueryModel, language: StoreQueryLanguage | undefined): NamedQuery {
  const parameters: Record<string, QueryParameter> = {};
  for (const [parameter, declaration] of Object.entries(query.parameters)) {
    parameters[parameter] = {
      type: declaration.type,
      required: declaration.required ?? declaration.default === undefined,
      ...(declaration.default === undefined ? {} : { default: declaration.default }),
    };
  }
  // the model is frozen; a template is handed out as the plain object it was before the model was
  const text =
    language === undefined ? undefined : (query[language.field] as string | JsonObject | undefined);
  const body = typeof text === 'object' ? structuredClone<JsonObject>(text) : text;
  const options = Object.keys(language?.options ?? {})
    .filter((option) => query[option] !== undefined)
    .map((option) => [option, structuredClone(query[option]) as JsonValue] as const);
  return {
    name,
    parameters,
    body: body ?? {},
    ...(options.length > 0 && { options: Object.fromEntries(options) }),
  };
}
