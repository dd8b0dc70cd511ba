/** The `target:` section of an Elasticsearch view, its analyzers, index settings and limits. */
import { z } from 'zod';
import { named } from '../../../dsl/model/names';
import { ELASTICSEARCH_FIELD_TYPES, ELASTICSEARCH_SUB_FIELD_TYPES } from '../elasticsearch-view-shape';

const IndexName = named('column', 'Logical index name: the alias readers use.');
const FieldName = named('field', 'A field of the document.');

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

const SubFieldName = named('field', 'A sub-field name: the search API addresses it as <field>.<name>.');

/** A multi-field: the parent's value indexed once more, e.g. a text field's `raw: { type: keyword }`. */
export const ElasticsearchSubFieldSchema = z.strictObject({
  type: z
    .enum(ELASTICSEARCH_SUB_FIELD_TYPES)
    .describe('keyword (facets, sort, exact filters) or text (full text).'),
  facet: z
    .boolean()
    .default(false)
    .describe('Offered as a facet named <field>.<sub-field> by the search API.'),
  filter: z.boolean().default(false).describe('Accepted as filter.<field>.<sub-field> by the search API.'),
  analyzer: z.enum(ELASTICSEARCH_ANALYZERS).optional().describe('Analyzer of a text sub-field.'),
  searchAnalyzer: z
    .enum(ELASTICSEARCH_ANALYZERS)
    .optional()
    .describe('Analyzer applied to search text for this sub-field.'),
});

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
  // Optional, not defaulted: a field without sub-fields keeps the fingerprint it had before they existed.
  fields: z
    .record(SubFieldName, ElasticsearchSubFieldSchema)
    .optional()
    .describe(
      "Multi-fields (Elasticsearch's own `fields`): the same value indexed another way, e.g. a text field with raw: { type: keyword, facet: true } for facets and sort on <field>.raw. A change rebuilds the view.",
    ),
});

export const ElasticsearchSectionSchema = z.strictObject({
  kind: z.literal('elasticsearch').describe('An Elasticsearch index, searched through the search API.'),
  index: IndexName,
  id: FieldName.describe('Field whose value is the document _id; one of `fields`.'),
  fields: z.record(FieldName, ElasticsearchFieldSchema),
  // Optional, not defaulted: a definition without settings keeps the fingerprint it had before settings
  // existed, so upgrading Prism rebuilds no view; declaring or changing them does.
  settings: ElasticsearchSettingsSchema.optional(),
});

export type ElasticsearchSection = z.output<typeof ElasticsearchSectionSchema>;

/** Named queries: a query template, parameters as "{{name}}" (checked by search-template.analyzer.ts). */
export const SearchTemplateSchema = z
  .record(z.string(), z.json())
  .describe('Elasticsearch query template (elasticsearch views); parameters as "{{name}}".');

/**
 * A named template's facets (issue #16): the fields (or sub-fields, `city.raw`) whose terms the template's
 * answer counts, like the ad-hoc search's facets.
 */
export const SearchFacetsSchema = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/, 'expected a field or field.sub-field'),
  )
  .max(50)
  .describe(
    'Facets of this template (elasticsearch views): fields or sub-fields (city.raw) of an aggregatable type, counted over the hits like the search API does.',
  );

export const ELASTICSEARCH_LIMITS = {
  /** Elasticsearch's index.mapping.total_fields.limit is 1,000 and Prism maps one field of its own. */
  fields: 999,
  indexName: 100,
} as const;
