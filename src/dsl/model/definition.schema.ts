/**
 * The projection definition model: the ONE source of truth for the DSL.
 *
 * These zod schemas give the TypeScript types (`z.output`), the structural validator (YAML and the TS
 * builder both go through `projectionDefinitionSchema()`), and the JSON Schema editors use for completion
 * (`z.toJSONSchema`, see definition-json-schema.ts). Everything here must stay expressible in JSON Schema
 * (no refinements): checks that need more than one field live in validation/semantic.validator.ts.
 * The target section and the query languages come from the registered store modules (store-sections.ts),
 * so the schemas that contain them are built by functions, at call time.
 */
import { z } from 'zod';
import { DEFAULT_FAN_OUT_CAP, MAX_FAN_OUT_CAP } from '../../core/fan-out';
import { MAX_SEGMENTS } from '../../core/plan';
import { Expression } from './expression';
import { expressionSource } from './expression-source';
import { named, NAME_PATTERNS } from './names';
import { queryLanguages, targetSchema } from './store-sections';

export { NAME_PATTERNS };

const QUERY_PARAMETER_TYPES = ['string', 'integer', 'float', 'boolean'] as const;

const ProjectionName = named('projection', 'Projection name, snake_case or kebab-case; unique in a folder.');
const Label = named('label', 'A node label (PascalCase).');
const RelationshipType = named('relationshipType', 'A relationship type (UPPER_SNAKE_CASE).');
const EventType = named('eventType', 'An event type, e.g. OrderPlaced.');
const ParameterName = named('parameter', 'A query parameter name.');
const LookupName = named('lookup', 'A lookup name (snake_case), read in expressions as lookup.<name>[key].');

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

// Each store's `target:` section is its own (src/stores/<store>/<store>.dsl.ts); store-sections.ts joins
// the registered ones into one union, at call time.

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
/** `max` of a fan-out action (updateAll, updateNodes): the most `what` one event may update. */
const fanOutCap = (what: 'documents' | 'nodes') =>
  z
    .number()
    .int()
    .min(1)
    .max(MAX_FAN_OUT_CAP)
    .optional()
    .describe(
      `The most ${what} one event may update (default ${DEFAULT_FAN_OUT_CAP}); an event matching more is ` +
        'parked (poison) with the reason.',
    );

export const UpdateAllActionSchema = z.strictObject({
  updateAll: z
    .strictObject({
      where: z
        .record(z.string(), ExpressionSchema)
        .describe(
          'One secondary key (an indexed column, a keyword field) -> CEL expression over `event` (and ' +
            'lookups) giving the value: every document holding it is updated.',
        ),
      when,
      set: Assignments.optional(),
      increment: DocumentWriteBody.increment,
      append: DocumentWriteBody.append,
      max: fanOutCap('documents'),
    })
    .describe(
      'Fan-out update: change every existing document whose secondary key holds a value of the event ' +
        '(CustomerRenamed -> every order of the customer); expressions see each document as `doc`.',
    ),
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
export const UpdateNodesActionSchema = z.strictObject({
  updateNodes: z
    .strictObject({
      label: Label,
      where: z
        .record(z.string(), ExpressionSchema)
        .describe(
          "One secondary key (a property listed in the label's `indexes`) -> CEL expression over `event` " +
            '(and lookups) giving the value: every node of the label holding it is updated.',
        ),
      when,
      set: Assignments.optional(),
      max: fanOutCap('nodes'),
    })
    .describe(
      'Fan-out update on a graph: set properties on every node of the label whose indexed property holds ' +
        'a value of the event (CustomerRenamed -> every Order of the customer), as the graph is at that ' +
        'point of the log.',
    ),
});
export const DeleteRelationshipActionSchema = z.strictObject({
  deleteRelationship: z.strictObject({ type: RelationshipType, from: NodeMatch, to: NodeMatch, when }),
});

export const RememberActionSchema = z.strictObject({
  remember: z
    .strictObject({
      lookup: LookupName.describe('The lookup (declared under `lookups`) to write to.'),
      key: ExpressionSchema.describe('CEL expression over `event` (and lookups) giving the entry key.'),
      value: ExpressionSchema.describe('CEL expression over `event` (and lookups) giving the entry value.'),
      when,
    })
    .describe(
      "Write one entry of the projection's private lookup (correlation state); later events read it as " +
        'lookup.<name>[key]. Works in every view.',
    ),
});

/** Every action kind, keyed by the one property that names it as written (the model tags it by `kind`). */
export const ACTION_SCHEMAS = {
  upsert: UpsertActionSchema,
  update: UpdateActionSchema,
  updateAll: UpdateAllActionSchema,
  delete: DeleteActionSchema,
  mergeNode: MergeNodeActionSchema,
  mergeRelationship: MergeRelationshipActionSchema,
  deleteNode: DeleteNodeActionSchema,
  deleteRelationship: DeleteRelationshipActionSchema,
  updateNodes: UpdateNodesActionSchema,
  remember: RememberActionSchema,
} as const;
export type ActionKind = keyof typeof ACTION_SCHEMAS;
export const ACTION_KINDS = Object.keys(ACTION_SCHEMAS) as ActionKind[];
export const DOCUMENT_ACTION_KINDS: readonly ActionKind[] = ['upsert', 'update', 'updateAll', 'delete'];
export const GRAPH_ACTION_KINDS: readonly ActionKind[] = [
  'mergeNode',
  'mergeRelationship',
  'deleteNode',
  'deleteRelationship',
  'updateNodes',
];

export const ActionSchema = z.union([
  UpsertActionSchema,
  UpdateActionSchema,
  UpdateAllActionSchema,
  DeleteActionSchema,
  MergeNodeActionSchema,
  MergeRelationshipActionSchema,
  DeleteNodeActionSchema,
  DeleteRelationshipActionSchema,
  UpdateNodesActionSchema,
  RememberActionSchema,
]);

export const LOOKUP_KEY_TYPES = ['string', 'integer'] as const;
export const LOOKUP_VALUE_TYPES = ['string', 'integer', 'float', 'boolean'] as const;

export const LookupSchema = z.strictObject({
  key: z.enum(LOOKUP_KEY_TYPES).default('string').describe('Type of the entry keys.'),
  value: z.enum(LOOKUP_VALUE_TYPES).describe('Type of the entry values.'),
  description: z.string().optional(),
});
export const LookupsSchema = z
  .record(LookupName, LookupSchema)
  .describe(
    "The projection's private lookups (correlation state): name -> key and value types. Written by " +
      '`remember` actions, read in expressions as lookup.<name>[key] or key in lookup.<name>; stored ' +
      'with the view, rebuilt and dropped with it.',
  );

// ---------------------------------------------------------------------------------------------- queries

export const QueryParameterSchema = z.strictObject({
  type: z.enum(QUERY_PARAMETER_TYPES),
  required: z.boolean().optional().describe('Defaults to true unless a default is given.'),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().optional(),
});

const QueryBase = {
  description: z.string().optional(),
  parameters: z.record(ParameterName, QueryParameterSchema).default({}),
};

let queryCache:
  { readonly languages: unknown; readonly schema: ReturnType<typeof buildQuerySchema> } | undefined;

/**
 * A named query: its parameters and its text in the language of the view's store, one field per
 * registered query language (`cypher`, `search`, ...; the semantic validator accepts only the view's own).
 */
export function querySchema() {
  const languages = queryLanguages();
  if (queryCache?.languages !== languages) queryCache = { languages, schema: buildQuerySchema(languages) };
  return queryCache.schema;
}
function buildQuerySchema(languages: ReturnType<typeof queryLanguages>) {
  const texts: Record<string, z.ZodOptional> = {};
  for (const language of languages) {
    texts[language.field] = language.schema.optional();
    for (const [field, schema] of Object.entries(language.options ?? {})) texts[field] = schema.optional();
  }
  return z.strictObject({ ...QueryBase, ...texts }) as unknown as z.ZodType<QueryOutput, QueryInput>;
}
interface QueryOutput {
  readonly description?: string;
  readonly parameters: Record<string, z.output<typeof QueryParameterSchema>>;
  /** The query text, under its language's field. */
  readonly [language: string]: unknown;
}
interface QueryInput {
  readonly description?: string;
  readonly parameters?: Record<string, z.input<typeof QueryParameterSchema>>;
  readonly [language: string]: unknown;
}

// ---------------------------------------------------------------------------------------------- definition

export const SourceSchema = z.strictObject({
  events: z.array(EventType).min(1).describe('Event types this projection reads.'),
  streamPrefix: z
    .string()
    .min(1)
    .optional()
    .describe('Only streams whose id starts with this prefix (a category `order` is the prefix `order-`).'),
});

function buildDefinitionSchema(
  target: ReturnType<typeof targetSchema>,
  query: ReturnType<typeof querySchema>,
) {
  return z.strictObject({
    $schema: z.string().optional().describe('Path of this JSON Schema, for editors.'),
    name: ProjectionName,
    version: z.number().int().min(1).describe('Bump to rebuild the view from scratch.'),
    description: z.string().optional(),
    source: SourceSchema,
    target,
    segments: z
      .number()
      .int()
      .min(1)
      .max(MAX_SEGMENTS)
      .optional()
      .describe(
        'Split the projection into this many segments (1-64): events are routed by a hash of their view ' +
          'key, each segment has its own checkpoint and lease, so that many workers share its catch-up and ' +
          'rebuild. Document views on stores whose capabilities allow segments only.',
      ),
    onPoison: z
      .enum(['sequenced', 'skip'])
      .default('sequenced')
      .describe('After a parked (poison) event: hold later events of the same key (sequenced) or skip on.'),
    lookups: LookupsSchema.optional(),
    handlers: z
      .record(EventType, z.array(ActionSchema).min(1))
      .describe('Event type -> list of actions, applied in order.'),
    queries: z.record(ParameterName, query).default({}).describe('Named read queries.'),
  });
}

let definitionCache:
  | {
      readonly target: unknown;
      readonly query: unknown;
      readonly schema: ReturnType<typeof buildDefinitionSchema>;
    }
  | undefined;

/**
 * The whole definition, with the target sections and query languages of the store modules registered
 * now (see store-sections.ts).
 */
export function projectionDefinitionSchema() {
  const [target, query] = [targetSchema(), querySchema()];
  if (definitionCache?.target !== target || definitionCache.query !== query)
    definitionCache = { target, query, schema: buildDefinitionSchema(target, query) };
  return definitionCache.schema;
}

/** A definition as written, in YAML or by the TS builder, before validation. */
export type WrittenDefinition = z.input<ReturnType<typeof projectionDefinitionSchema>>;
/**
 * What the schema makes of a written definition: defaults filled in, expressions as Expression nodes, each
 * action still keyed by its kind. Only the model builder reads it (projection.model.ts), to make the
 * ProjectionModel everything else uses.
 */
export type ParsedDefinition = z.output<ReturnType<typeof projectionDefinitionSchema>>;
export type SourceDefinition = ParsedDefinition['source'];
/** A target section as its store's schema parsed it (see src/stores/store-dsl.ts). */
export type TargetDefinition = ParsedDefinition['target'];
/** An action as the schema parses it: `{ upsert: { key, ... } }` (the model tags it instead). */
export type ParsedAction = z.output<typeof ActionSchema>;
export type QueryDefinition = QueryOutput;
export type LookupsDefinition = z.output<typeof LookupsSchema>;
export type QueryParameterDefinition = z.output<typeof QueryParameterSchema>;
