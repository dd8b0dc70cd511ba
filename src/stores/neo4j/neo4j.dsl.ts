/**
 * The Neo4j store's DSL section (see ../store-dsl.ts): node labels with a key property and relationship
 * types, a graph view written by merges, and named queries in read-only Cypher (`cypher:`).
 */
import type { ValueKind, ValueType } from '../../dsl/expressions/value-types';
import type { GraphView, StoreDsl } from '../store-dsl';
import { checkCypherQuery } from './dsl/cypher-query.check';
import {
  checkCypherLength,
  checkNeo4jLimits,
  checkNeo4jSection,
  salvageNeo4jSection,
} from './dsl/neo4j-section.checks';
import { CypherSchema, Neo4jSectionSchema, type Neo4jSection } from './dsl/neo4j-section.schema';
import { NEO4J_SHAPE_KIND, type GraphPropertyType, type Neo4jTargetShape } from './neo4j-view-shape';

const VALUE_KINDS: Record<GraphPropertyType, ValueKind> = {
  string: 'string',
  datetime: 'timestamp',
  integer: 'int',
  float: 'double',
  boolean: 'bool',
};

/** Setting a graph property to null removes it, so every property is nullable (a key is made non-null). */
export function graphValueType(type: GraphPropertyType): ValueType {
  return { kind: VALUE_KINDS[type], nullable: true, array: false, declared: type };
}

const typed = (properties: Readonly<Record<string, GraphPropertyType>>): Record<string, ValueType> =>
  Object.fromEntries(Object.entries(properties).map(([name, type]) => [name, graphValueType(type)]));

function view(section: Neo4jSection): GraphView {
  return {
    family: 'graph',
    nodes: Object.fromEntries(
      Object.entries(section.nodes).map(([label, node]) => [
        label,
        {
          key: node.key,
          properties: typed(node.properties),
          ...(node.indexes !== undefined && { secondaryKeys: [...node.indexes] }),
        },
      ]),
    ),
    relationships: Object.fromEntries(
      Object.entries(section.relationships).map(([type, relationship]) => [
        type,
        { from: relationship.from, to: relationship.to, properties: typed(relationship.properties) },
      ]),
    ),
  };
}

function shapeOf(section: Neo4jSection): Neo4jTargetShape {
  return {
    kind: NEO4J_SHAPE_KIND,
    nodes: Object.fromEntries(
      Object.entries(section.nodes).map(([label, node]) => [
        label,
        {
          key: node.key,
          properties: { ...node.properties },
          ...(node.indexes !== undefined && { indexes: [...node.indexes] }),
        },
      ]),
    ),
    relationships: Object.fromEntries(
      Object.entries(section.relationships).map(([type, relationship]) => [
        type,
        { from: relationship.from, to: relationship.to, properties: { ...relationship.properties } },
      ]),
    ),
  };
}

export const neo4jDsl: StoreDsl<Neo4jSection, Neo4jTargetShape> = {
  schema: Neo4jSectionSchema,
  family: 'graph',
  queries: { field: 'cypher', schema: CypherSchema, checkLimits: checkCypherLength, check: checkCypherQuery },
  checkLimits: checkNeo4jLimits,
  salvage: salvageNeo4jSection,
  check: checkNeo4jSection,
  view,
  shapeOf,
};
