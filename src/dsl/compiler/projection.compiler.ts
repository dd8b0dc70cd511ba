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
import type {
  ElasticsearchTargetShape,
  Neo4jTargetShape,
  PostgresTargetShape,
  TargetShape,
} from '../../core/view-shape';
import type { StoredEvent } from '../../eventstore/event-store.port';
import {
  writtenFormOf,
  type ProjectionModel,
  type QueryModel,
  type TargetModel,
} from '../model/projection.model';
import type { CheckedDefinition } from '../validation/definition.validator';
import { DocumentPlan } from './document.plan';
import { GraphPlan } from './graph.plan';
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
    queries: queriesOf(definition.queries),
  };
  const plan =
    definition.target.kind === 'neo4j'
      ? new GraphPlan(checked, definition.target)
      : new DocumentPlan(checked, definition.target);
  const compiled: CompiledProjection = Object.freeze({
    ...common,
    keysOf: (event: StoredEvent) => plan.keysOf(event),
    apply: (event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>) => plan.apply(event, state),
  });
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

/** The target shape as src/core/view-shape.ts declares it (DSL-only details such as `array` stay behind). */
export function targetShapeOf(target: TargetModel): TargetShape {
  switch (target.kind) {
    case 'postgres':
      return {
        kind: 'postgres',
        table: target.table,
        key: target.key,
        columns: Object.fromEntries(
          Object.entries(target.columns).map(([name, column]) => [
            name,
            { type: column.type, nullable: column.nullable },
          ]),
        ),
        indexes: target.indexes.map((index) => ({ columns: [...index.columns], unique: index.unique })),
      } satisfies PostgresTargetShape;
    case 'elasticsearch':
      return {
        kind: 'elasticsearch',
        index: target.index,
        id: target.id,
        fields: Object.fromEntries(
          Object.entries(target.fields).map(([name, field]) => [
            name,
            {
              type: field.type,
              facet: field.facet,
              filter: field.filter,
              ...(field.analyzer !== undefined && { analyzer: field.analyzer }),
              ...(field.searchAnalyzer !== undefined && { searchAnalyzer: field.searchAnalyzer }),
            },
          ]),
        ),
        ...(target.settings !== undefined && { settings: { ...target.settings } }),
      } satisfies ElasticsearchTargetShape;
    case 'neo4j':
      return {
        kind: 'neo4j',
        nodes: Object.fromEntries(
          Object.entries(target.nodes).map(([label, node]) => [
            label,
            { key: node.key, properties: { ...node.properties } },
          ]),
        ),
        relationships: Object.fromEntries(
          Object.entries(target.relationships).map(([type, relationship]) => [
            type,
            { from: relationship.from, to: relationship.to, properties: { ...relationship.properties } },
          ]),
        ),
      } satisfies Neo4jTargetShape;
  }
}

function queriesOf(queries: ProjectionModel['queries']): Record<string, NamedQuery> {
  return Object.fromEntries(Object.entries(queries).map(([name, query]) => [name, namedQuery(name, query)]));
}

function namedQuery(name: string, query: QueryModel): NamedQuery {
  const parameters: Record<string, QueryParameter> = {};
  for (const [parameter, declaration] of Object.entries(query.parameters)) {
    parameters[parameter] = {
      type: declaration.type,
      required: declaration.required ?? declaration.default === undefined,
      ...(declaration.default === undefined ? {} : { default: declaration.default }),
    };
  }
  // the model is frozen; a search template is handed out as the plain object it was before the model was
  const search = query.search && (structuredClone(query.search) as JsonObject);
  return { name, parameters, body: query.cypher ?? search ?? {} };
}
