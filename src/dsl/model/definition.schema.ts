/**
 * The projection definition model: the ONE source of truth for the DSL.
 *
 * These zod schemas give the TypeScript types (`z.output`), the structural validator (YAML and the TS
 * builder both go through `ProjectionDefinitionSchema`), and the JSON Schema editors use for completion
 * (`z.toJSONSchema`, see definition-json-schema.ts). Everything here must stay expressible in JSON Schema
 * (no refinements): checks that need more than one field live in validation/semantic.validator.ts.
 */
import { z } from 'zod';
import { Expression } from './expression';
import { expressionSource } from './expression-source';

const POSTGRES_COLUMN_TYPES = [
  'text',
  'integer',
  'bigint',
  'double',
  'numeric',
  'boolean',
  'timestamptz',
  'jsonb',
  'uuid',
] as const;
const ELASTICSEARCH_FIELD_TYPES = [
  'keyword',
  'text',
  'integer',
  'long',
  'double',
  'boolean',
  'date',
] as const;
const GRAPH_PROPERTY_TYPES = ['string', 'integer', 'float', 'boolean', 'datetime'] as const;
const QUERY_PARAMETER_TYPES = ['string', 'integer', 'float', 'boolean'] as const;

/** Names, with the pattern and a human description used in error messages. */
export const NAME_PATTERNS = {
  projection: { pattern: /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/, human: 'snake_case or kebab-case' },
  column: { pattern: /^[a-z_][a-z0-9_]*$/, human: 'snake_case' },
  field: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, human: 'a letter or _ followed by letters, digits or _' },
  label: { pattern: /^[A-Z][A-Za-z0-9]*$/, human: 'PascalCase' },
  relationshipType: { pattern: /^[A-Z][A-Z0-9_]*$/, human: 'UPPER_SNAKE_CASE' },
  property: { pattern: /^[a-z][A-Za-z0-9_]*$/, human: 'camelCase or snake_case' },
  eventType: { pattern: /^[A-Za-z][A-Za-z0-9_.:-]*$/, human: 'an event type name such as OrderPlaced' },
  parameter: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, human: 'a letter or _ followed by letters, digits or _' },
} as const;

function named(kind: keyof typeof NAME_PATTERNS, description: string) {
  return z.string().regex(NAME_PATTERNS[kind].pattern).describe(description);
}

const ProjectionName = named('projection', 'Projection name, snake_case or kebab-case; unique in a folder.');
const ColumnName = named('column', 'A column of the target table (snake_case).');
const FieldName = named('field', 'A field of the document.');
const Label = named('label', 'A node label (PascalCase).');
const RelationshipType = named('relationshipType', 'A relationship type (UPPER_SNAKE_CASE).');
const PropertyName = named('property', 'A node or relationship property.');
const EventType = named('eventType', 'An event type, e.g. OrderPlaced.');
const ParameterName = named('parameter', 'A query parameter name.');

/**
 * A CEL expression. YAML scalars that are numbers, booleans or null are literals: `0`, `true`, `null`.
 * Strings are CEL source, so a string literal needs CEL quotes inside the YAML: `'"placed"'`.
 */
export const ExpressionSchema = z
  .union([z.string().min(1), z.number(), z.boolean(), z.null()])
  .transform((value) => Expression.of(expressionSource(value)))
  .describe(
    'A CEL expression over `event` (type, streamId, revision, position, data, metadata) and, for document ' +
      'views, `doc` (the current document, or null). Quote string literals: \'"placed"\'.',
  );

const Assignments = z
  .record(z.string(), ExpressionSchema)
  .describe('Field name -> CEL expression computing its new value.');

// ---------------------------------------------------------------------------------------------- targets

export const PostgresColumnSchema = z.strictObject({
  type: z.enum(POSTGRES_COLUMN_TYPES).describe('PostgreSQL column type.'),
  nullable: z.boolean().default(false).describe('Columns are NOT NULL unless nullable: true.'),
});

export const PostgresTargetSchema = z.strictObject({
  kind: z.literal('postgres'),
  table: ColumnName.describe('Logical table name (snake_case).'),
  key: ColumnName.describe('Primary-key column; one of `columns`.'),
  columns: z.record(ColumnName, PostgresColumnSchema).describe('Column name -> type.'),
  indexes: z
    .array(
      z.strictObject({
        columns: z.array(ColumnName).min(1),
        unique: z.boolean().default(false),
      }),
    )
    .default([]),
});

/**
 * Analyzers every Elasticsearch 8 distribution has built in. `standard`, `simple`, `whitespace`, `stop`
 * and `keyword` live in the server itself; the others come with the analysis-common module, which every
 * distribution ships (the jar-launched test node lacks it, so the tests use the first five).
 */
export const ELASTICSEARCH_ANALYZERS = [
  'standard',
  'simple',
  'whitespace',
  'stop',
  'keyword',
  'pattern',
  'fingerprint',
  'arabic',
  'armenian',
  'basque',
  'bengali',
  'brazilian',
  'bulgarian',
  'catalan',
  'cjk',
  'czech',
  'danish',
  'dutch',
  'english',
  'estonian',
  'finnish',
  'french',
  'galician',
  'german',
  'greek',
  'hindi',
  'hungarian',
  'indonesian',
  'irish',
  'italian',
  'latvian',
  'lithuanian',
  'norwegian',
  'persian',
  'portuguese',
  'romanian',
  'russian',
  'serbian',
  'sorani',
  'spanish',
  'swedish',
  'turkish',
  'thai',
] as const;

export const ElasticsearchSettingsSchema = z
  .strictObject({
    shards: z
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe('Primary shards of each generation index (default 1).'),
    replicas: z
      .union([z.int().min(0).max(32), z.literal('auto')])
      .default('auto')
      .describe(
        'Replica shards: a number, or auto (default): 0 on a one-node cluster, 1 as soon as there is a second node (index.auto_expand_replicas 0-1).',
      ),
    refreshInterval: z
      .string()
      .regex(/^(-1|[1-9][0-9]{0,5}(ms|s|m))$/, 'expected a duration such as 1s, 500ms or 30s, or -1 (off)')
      .optional()
      .describe("How often new documents become searchable (Elasticsearch's default 1s when unset)."),
  })
  .describe('Index settings of every generation of this view; a change rebuilds the view.');

export const ElasticsearchFieldSchema = z.strictObject({
  type: z.enum(ELASTICSEARCH_FIELD_TYPES).describe('Elasticsearch field type.'),
  facet: z.boolean().default(false).describe('Offered as a facet (terms aggregation) by the search API.'),
  filter: z.boolean().default(false).describe('Accepted as a structured filter by the search API.'),
  array: z.boolean().default(false).describe('The field holds a list of values (e.g. tags).'),
  analyzer: z
    .enum(ELASTICSEARCH_ANALYZERS)
    .optional()
    .describe('Analyzer of a text field (default standard).'),
  searchAnalyzer: z
    .enum(ELASTICSEARCH_ANALYZERS)
    .optional()
    .describe('Analyzer applied to search text for this field (default: the field analyzer).'),
});

export const ElasticsearchTargetSchema = z.strictObject({
  kind: z.literal('elasticsearch'),
  index: ColumnName.describe('Logical index name: the alias readers use.'),
  id: FieldName.describe('Field whose value is the document _id; one of `fields`.'),
  fields: z.record(FieldName, ElasticsearchFieldSchema),
  // Optional, not defaulted: a definition without settings keeps the fingerprint it had before settings
  // existed, so upgrading Prism rebuilds no view; declaring or changing them does.
  settings: ElasticsearchSettingsSchema.optional(),
});

export const Neo4jTargetSchema = z.strictObject({
  kind: z.literal('neo4j'),
  nodes: z.record(
    Label,
    z.strictObject({
      key: PropertyName.describe('Property that identifies a node; one of `properties`.'),
      properties: z.record(PropertyName, z.enum(GRAPH_PROPERTY_TYPES)),
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

export const TargetSchema = z.discriminatedUnion('kind', [
  PostgresTargetSchema,
  ElasticsearchTargetSchema,
  Neo4jTargetSchema,
]);

// ---------------------------------------------------------------------------------------------- actions

const when = ExpressionSchema.optional().describe('Apply the action only when this CEL condition is true.');
const documentKey = ExpressionSchema.describe('CEL expression over `event` giving the document key.');

const DocumentWriteBody = {
  key: documentKey,
  when,
  set: Assignments.optional(),
  increment: Assignments.optional().describe('Column -> amount added to its current value (0 when absent).'),
  append: Assignments.optional().describe('Array column -> value appended to its current list.'),
};

export const UpsertActionSchema = z.strictObject({
  upsert: z
    .strictObject(DocumentWriteBody)
    .describe('Create the document when absent, otherwise change it; the key column comes from `key`.'),
});
export const UpdateActionSchema = z.strictObject({
  update: z
    .strictObject({
      ...DocumentWriteBody,
      ifMissing: z
        .enum(['ignore', 'fail'])
        .default('ignore')
        .describe('When no document has the key: ignore the event (default) or fail it (poison).'),
    })
    .describe('Change an existing document.'),
});
export const DeleteActionSchema = z.strictObject({
  delete: z.strictObject({ key: documentKey, when }).describe('Delete the document.'),
});

const NodeMatch = z.strictObject({
  label: Label.optional().describe("Node label; defaults to the relationship's declared label."),
  key: ExpressionSchema.describe('CEL expression over `event` giving the node key.'),
});

export const MergeNodeActionSchema = z.strictObject({
  mergeNode: z.strictObject({
    label: Label,
    key: ExpressionSchema.describe('CEL expression over `event` giving the node key.'),
    when,
    set: Assignments.optional(),
  }),
});
export const MergeRelationshipActionSchema = z.strictObject({
  mergeRelationship: z.strictObject({
    type: RelationshipType,
    from: NodeMatch,
    to: NodeMatch,
    when,
    set: Assignments.optional(),
  }),
});
export const DeleteNodeActionSchema = z.strictObject({
  deleteNode: z
    .strictObject({ label: Label, key: ExpressionSchema, when })
    .describe('Delete a node and its relationships.'),
});
export const DeleteRelationshipActionSchema = z.strictObject({
  deleteRelationship: z.strictObject({ type: RelationshipType, from: NodeMatch, to: NodeMatch, when }),
});

/** Every action kind, keyed by the one property that names it as written (the model tags it by `kind`). */
export const ACTION_SCHEMAS = {
  upsert: UpsertActionSchema,
  update: UpdateActionSchema,
  delete: DeleteActionSchema,
  mergeNode: MergeNodeActionSchema,
  mergeRelationship: MergeRelationshipActionSchema,
  deleteNode: DeleteNodeActionSchema,
  deleteRelationship: DeleteRelationshipActionSchema,
} as const;
export type ActionKind = keyof typeof ACTION_SCHEMAS;
export const ACTION_KINDS = Object.keys(ACTION_SCHEMAS) as ActionKind[];
export const DOCUMENT_ACTION_KINDS: readonly ActionKind[] = ['upsert', 'update', 'delete'];
export const GRAPH_ACTION_KINDS: readonly ActionKind[] = [
  'mergeNode',
  'mergeRelationship',
  'deleteNode',
  'deleteRelationship',
];

export const ActionSchema = z.union([
  UpsertActionSchema,
  UpdateActionSchema,
  DeleteActionSchema,
  MergeNodeActionSchema,
  MergeRelationshipActionSchema,
  DeleteNodeActionSchema,
  DeleteRelationshipActionSchema,
]);

// ---------------------------------------------------------------------------------------------- queries

export const QueryParameterSchema = z.strictObject({
  type: z.enum(QUERY_PARAMETER_TYPES),
  required: z.boolean().optional().describe('Defaults to true unless a default is given.'),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().optional(),
});

export const QuerySchema = z.strictObject({
  description: z.string().optional(),
  parameters: z.record(ParameterName, QueryParameterSchema).default({}),
  cypher: z.string().min(1).optional().describe('Read-only Cypher (neo4j views); parameters as $name.'),
  search: z
    .record(z.string(), z.json())
    .optional()
    .describe('Elasticsearch query template (elasticsearch views); parameters as "{{name}}".'),
});

// ---------------------------------------------------------------------------------------------- definition

export const SourceSchema = z.strictObject({
  events: z.array(EventType).min(1).describe('Event types this projection reads.'),
  streamPrefix: z
    .string()
    .min(1)
    .optional()
    .describe('Only streams whose id starts with this prefix (a category `order` is the prefix `order-`).'),
});

export const ProjectionDefinitionSchema = z.strictObject({
  $schema: z.string().optional().describe('Path of this JSON Schema, for editors.'),
  name: ProjectionName,
  version: z.number().int().min(1).describe('Bump to rebuild the view from scratch.'),
  description: z.string().optional(),
  source: SourceSchema,
  target: TargetSchema,
  onPoison: z
    .enum(['sequenced', 'skip'])
    .default('sequenced')
    .describe('After a parked (poison) event: hold later events of the same key (sequenced) or skip on.'),
  handlers: z
    .record(EventType, z.array(ActionSchema).min(1))
    .describe('Event type -> list of actions, applied in order.'),
  queries: z.record(ParameterName, QuerySchema).default({}).describe('Named read queries.'),
});

/** A definition as written, in YAML or by the TS builder, before validation. */
export type WrittenDefinition = z.input<typeof ProjectionDefinitionSchema>;
/**
 * What the schema makes of a written definition: defaults filled in, expressions as Expression nodes, each
 * action still keyed by its kind. Only the model builder reads it (projection.model.ts), to make the
 * ProjectionModel everything else uses.
 */
export type ParsedDefinition = z.output<typeof ProjectionDefinitionSchema>;
export type SourceDefinition = ParsedDefinition['source'];
export type TargetDefinition = ParsedDefinition['target'];
export type PostgresTargetDefinition = z.output<typeof PostgresTargetSchema>;
export type ElasticsearchTargetDefinition = z.output<typeof ElasticsearchTargetSchema>;
export type Neo4jTargetDefinition = z.output<typeof Neo4jTargetSchema>;
/** An action as the schema parses it: `{ upsert: { key, ... } }` (the model tags it instead). */
export type ParsedAction = z.output<typeof ActionSchema>;
export type QueryDefinition = z.output<typeof QuerySchema>;
export type QueryParameterDefinition = z.output<typeof QueryParameterSchema>;
export type PostgresColumnType = (typeof POSTGRES_COLUMN_TYPES)[number];
export type ElasticsearchFieldType = (typeof ELASTICSEARCH_FIELD_TYPES)[number];
export type GraphPropertyType = (typeof GRAPH_PROPERTY_TYPES)[number];
