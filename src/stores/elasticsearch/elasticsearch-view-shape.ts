/**
 * The view shape of the Elasticsearch store: one index (behind an alias) per view, its fields and index
 * settings. The DSL section (dsl/elasticsearch-section.schema.ts) produces it; the target, the search API
 * and the checks build from it.
 */
import type { TargetShape } from '../../core/view-shape';

export const ELASTICSEARCH_SHAPE_KIND = 'elasticsearch';

export const ELASTICSEARCH_FIELD_TYPES = [
  'keyword',
  'text',
  'integer',
  'long',
  'double',
  'boolean',
  'date',
] as const;
export type ElasticsearchFieldType = (typeof ELASTICSEARCH_FIELD_TYPES)[number];

/** The types a sub-field (multi-field) may have: the same string indexed as a whole or analyzed. */
export const ELASTICSEARCH_SUB_FIELD_TYPES = ['keyword', 'text'] as const;
export type ElasticsearchSubFieldType = (typeof ELASTICSEARCH_SUB_FIELD_TYPES)[number];

/** A sub-field (Elasticsearch multi-field): the parent's value indexed another way, addressed `parent.sub`. */
export interface ElasticsearchSubField {
  readonly type: ElasticsearchSubFieldType;
  readonly facet: boolean;
  readonly filter: boolean;
  readonly analyzer?: string;
  readonly searchAnalyzer?: string;
}

export interface ElasticsearchField {
  readonly type: ElasticsearchFieldType;
  /** Offered as a facet (terms aggregation) by the search API. */
  readonly facet: boolean;
  /** Accepted as a structured filter by the search API. */
  readonly filter: boolean;
  /** Index and search analyzers of a text field (Elasticsearch's built-in names). */
  readonly analyzer?: string;
  readonly searchAnalyzer?: string;
  /** Multi-fields (issue #16), e.g. a keyword `raw` under a text field for facets and sort. */
  readonly fields?: Readonly<Record<string, ElasticsearchSubField>>;
}

/** Index settings of each generation; `replicas: 'auto'` expands 0-1 with the cluster's nodes. */
export interface ElasticsearchIndexSettings {
  readonly shards: number;
  readonly replicas: number | 'auto';
  readonly refreshInterval?: string;
}

export interface ElasticsearchTargetShape extends TargetShape {
  readonly kind: typeof ELASTICSEARCH_SHAPE_KIND;
  /** Logical index name: the alias readers use; physical indices are versioned behind it. */
  readonly index: string;
  /** Document field whose value is the document `_id`. */
  readonly id: string;
  readonly fields: Readonly<Record<string, ElasticsearchField>>;
  /** Absent in shapes recorded before index settings existed: read as the defaults. */
  readonly settings?: ElasticsearchIndexSettings;
}

export function isElasticsearchShape(shape: TargetShape): shape is ElasticsearchTargetShape {
  return shape.kind === ELASTICSEARCH_SHAPE_KIND;
}

/**
 * Every field the search API can address, by path: the declared fields (`city`) and their sub-fields
 * (`city.raw`), in declaration order. Own properties only (issue #12).
 */
export function fieldPaths(
  shape: ElasticsearchTargetShape,
): ReadonlyMap<string, ElasticsearchField | ElasticsearchSubField> {
  const paths = new Map<string, ElasticsearchField | ElasticsearchSubField>();
  for (const [name, field] of Object.entries(shape.fields)) {
    paths.set(name, field);
    for (const [sub, subField] of Object.entries(field.fields ?? {})) paths.set(`${name}.${sub}`, subField);
  }
  return paths;
}
