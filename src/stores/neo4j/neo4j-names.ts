/**
 * Names in Cypher. Community edition has one user database, so a generation is a *namespace of labels and
 * relationship types*: declared `Customer` in generation 3 of `social-graph` is stored as
 * `Customer__social_graph_g3`. Relationship types are namespaced the same way, so even a pattern without
 * labels (`()-[:FOLLOWS]->()`) only ever sees one generation.
 *
 * Labels, types and property names come only from the validated shape and are checked against
 * IDENTIFIER before they are backtick-quoted into Cypher; values are always parameters.
 */
import type { TargetShape } from '../../core/view-shape';
import { isNeo4jShape, NEO4J_SHAPE_KIND, type Neo4jTargetShape } from './neo4j-view-shape';
import { UnsupportedShapeError } from '../target.errors';
import { InvalidGraphNameError } from './neo4j.errors';

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Property that marks a node created only as the end of a relationship, before its own mergeNode. */
export const PLACEHOLDER_PROPERTY = '_prism_placeholder';
/** Properties starting with this prefix are Prism's own and hidden from query results. */
export const INTERNAL_PROPERTY_PREFIX = '_prism';

export function checkedName(what: string, value: string): string {
  if (!IDENTIFIER.test(value)) throw new InvalidGraphNameError(what, value);
  return value;
}

/** Backtick-quoted, after checking: the only way a name enters Cypher text. */
export function quoted(what: string, value: string): string {
  return `\`${checkedName(what, value)}\``;
}

/** The projection name as it appears inside physical names (`order-graph` -> `order_graph`). */
export function sanitizedProjection(projection: string): string {
  return projection.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Physical label or relationship type of a declared name in one generation. */
export function physicalName(declared: string, projection: string, generation: number): string {
  checkedName('label or relationship type', declared);
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new InvalidGraphNameError('generation', String(generation));
  }
  return `${declared}__${sanitizedProjection(projection)}_g${generation}`;
}

/** Declared name of a physical label/type of this generation, or undefined when it is not one. */
export function declaredName(physical: string, projection: string, generation: number): string | undefined {
  const suffix = `__${sanitizedProjection(projection)}_g${generation}`;
  return physical.endsWith(suffix) && physical.length > suffix.length
    ? physical.slice(0, -suffix.length)
    : undefined;
}

/** Every physical label and type of a generation (recorded so two projections never share one). */
export function physicalNames(shape: Neo4jTargetShape, projection: string, generation: number): string[] {
  return [...Object.keys(shape.nodes), ...Object.keys(shape.relationships)]
    .map((name) => physicalName(name, projection, generation))
    .sort();
}

/** Name of the uniqueness constraint on a node label's key in one generation. */
export function keyConstraintName(label: string, projection: string, generation: number): string {
  return `prism_key_${physicalName(label, projection, generation)}`;
}

/** Name of the RANGE index on a node label's declared index property in one generation (issue #16). */
export function propertyIndexName(
  label: string,
  property: string,
  projection: string,
  generation: number,
): string {
  return `prism_index_${physicalName(label, projection, generation)}_${checkedName('index property', property)}`;
}

/** The shape as a graph shape, with every name checked; throws for a document shape. */
export function graphShape(projection: string, shape: TargetShape): Neo4jTargetShape {
  if (!isNeo4jShape(shape)) throw new UnsupportedShapeError(projection, shape.kind, NEO4J_SHAPE_KIND);
  for (const [label, node] of Object.entries(shape.nodes)) {
    checkedName('node label', label);
    checkedName(`key of ${label}`, node.key);
    for (const property of Object.keys(node.properties)) checkedName(`property of ${label}`, property);
    for (const property of node.indexes ?? []) checkedName(`index of ${label}`, property);
  }
  for (const [type, relationship] of Object.entries(shape.relationships)) {
    checkedName('relationship type', type);
    for (const property of Object.keys(relationship.properties)) checkedName(`property of ${type}`, property);
  }
  return shape;
}
