/**
 * The view shape of the Neo4j store: node labels (each with a key property) and relationship types, with
 * their typed properties. The DSL section (dsl/neo4j-section.schema.ts) produces it; the target, the graph
 * query API and the checks build from it.
 */
import type { TargetShape } from '../../core/view-shape';

export const NEO4J_SHAPE_KIND = 'neo4j';

export const GRAPH_PROPERTY_TYPES = ['string', 'integer', 'float', 'boolean', 'datetime'] as const;
export type GraphPropertyType = (typeof GRAPH_PROPERTY_TYPES)[number];

export interface GraphNodeShape {
  /** Property that identifies a node of this label (a uniqueness constraint is created on it). */
  readonly key: string;
  readonly properties: Readonly<Record<string, GraphPropertyType>>;
  /**
   * Secondary keys (issue #16): properties with a RANGE index in each generation, which `updateNodes`
   * selects nodes by. Absent when none is declared (so shapes written before it are unchanged).
   */
  readonly indexes?: readonly string[];
}

export interface GraphRelationshipShape {
  readonly from: string;
  readonly to: string;
  readonly properties: Readonly<Record<string, GraphPropertyType>>;
}

export interface Neo4jTargetShape extends TargetShape {
  readonly kind: typeof NEO4J_SHAPE_KIND;
  /** Node labels as declared; the target namespaces them per generation. */
  readonly nodes: Readonly<Record<string, GraphNodeShape>>;
  /** Relationship types as declared. */
  readonly relationships: Readonly<Record<string, GraphRelationshipShape>>;
}

export function isNeo4jShape(shape: TargetShape): shape is Neo4jTargetShape {
  return shape.kind === NEO4J_SHAPE_KIND;
}
