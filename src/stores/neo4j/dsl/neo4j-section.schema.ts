/** The `target:` section of a Neo4j view (node labels and relationship types), its Cypher queries and limits. */
import { z } from 'zod';
import { named } from '../../../dsl/model/names';
import { GRAPH_PROPERTY_TYPES } from '../neo4j-view-shape';

const Label = named('label', 'A node label (PascalCase).');
const RelationshipType = named('relationshipType', 'A relationship type (UPPER_SNAKE_CASE).');
const PropertyName = named('property', 'A node or relationship property.');

export const Neo4jSectionSchema = z.strictObject({
  kind: z
    .literal('neo4j')
    .describe('A Neo4j graph of nodes and relationships, queried with read-only Cypher.'),
  nodes: z.record(
    Label,
    z.strictObject({
      key: PropertyName.describe('Property that identifies a node; one of `properties`.'),
      properties: z.record(PropertyName, z.enum(GRAPH_PROPERTY_TYPES)),
      indexes: z
        .array(PropertyName)
        .optional()
        .describe(
          'Secondary keys: properties with a RANGE index in each generation, which updateNodes may ' +
            'select nodes by (`where`). The key has its uniqueness constraint already.',
        ),
    }),
  ),
  relationships: z
    .record(
      RelationshipType,
      z.strictObject({
        from: Label.describe('Label of the start node.'),
        to: Label.describe('Label of the end node.'),
        properties: z.record(PropertyName, z.enum(GRAPH_PROPERTY_TYPES)).default({}),
      }),
    )
    .default({}),
});

export type Neo4jSection = z.output<typeof Neo4jSectionSchema>;

/** Named queries: read-only Cypher (checked by cypher-read-only.ts). */
export const CypherSchema = z
  .string()
  .min(1)
  .describe('Read-only Cypher (neo4j views); parameters as $name.');

export const NEO4J_LIMITS = {
  labels: 100,
  relationshipTypes: 100,
  /** Properties per node label or relationship type. */
  properties: 500,
  /** Characters of a named query's Cypher text. */
  cypherLength: 16_384,
} as const;
