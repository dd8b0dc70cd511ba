/**
 * The Elasticsearch store's DSL section (see ../store-dsl.ts): an index of typed fields under an id
 * field, a document view with no NOT NULL (a missing or null field is simply absent), and named queries
 * written as search templates (`search:`).
 */
import type { ValueKind, ValueType } from '../../dsl/expressions/value-types';
import type { DocumentView, StoreDsl } from '../store-dsl';
import {
  checkElasticsearchLimits,
  checkElasticsearchSection,
  salvageElasticsearchSection,
} from './dsl/elasticsearch-section.checks';
import {
  ElasticsearchSectionSchema,
  SearchFacetsSchema,
  SearchTemplateSchema,
  type ElasticsearchSection,
} from './dsl/elasticsearch-section.schema';
import { checkSearchQuery } from './dsl/search-query.check';
import {
  ELASTICSEARCH_SHAPE_KIND,
  type ElasticsearchFieldType,
  type ElasticsearchSubField,
  type ElasticsearchTargetShape,
} from './elasticsearch-view-shape';

const VALUE_KINDS: Record<ElasticsearchFieldType, ValueKind> = {
  keyword: 'string',
  text: 'string',
  date: 'timestamp',
  integer: 'int32',
  long: 'int',
  double: 'double',
  boolean: 'bool',
};

/** Elasticsearch has no NOT NULL: a missing or null field is simply absent. */
export function elasticsearchValueType(type: ElasticsearchFieldType, array: boolean): ValueType {
  return { kind: VALUE_KINDS[type], nullable: true, array, declared: array ? `${type}[]` : type };
}

function view(section: ElasticsearchSection): DocumentView {
  return {
    family: 'document',
    noun: 'field',
    owner: `index ${section.index}`,
    key: section.id,
    fields: new Map(
      Object.entries(section.fields).map(([name, field]) => [
        name,
        elasticsearchValueType(field.type, field.array),
      ]),
    ),
    unknownCode: 'unknown-field',
    enforcesNotNull: false,
    // a keyword field holds the exact value (a term query finds it); one holding a list would match any
    // element, which `updateAll.where` does not mean
    secondaryKeys: new Set(
      Object.entries(section.fields)
        .filter(([, field]) => field.type === 'keyword' && field.array !== true)
        .map(([name]) => name),
    ),
    secondaryKeyHint: 'declare it `type: keyword`, not an array',
  };
}

/** DSL-only details (`array`) stay behind: the mapping of a field is the same for one value or a list. */
function shapeOf(section: ElasticsearchSection): ElasticsearchTargetShape {
  return {
    kind: ELASTICSEARCH_SHAPE_KIND,
    index: section.index,
    id: section.id,
    fields: Object.fromEntries(
      Object.entries(section.fields).map(([name, field]) => [
        name,
        {
          type: field.type,
          facet: field.facet,
          filter: field.filter,
          ...(field.analyzer !== undefined && { analyzer: field.analyzer }),
          ...(field.searchAnalyzer !== undefined && { searchAnalyzer: field.searchAnalyzer }),
          ...(field.fields !== undefined && { fields: subFieldsOf(field.fields) }),
        },
      ]),
    ),
    ...(section.settings !== undefined && { settings: { ...section.settings } }),
  };
}

function subFieldsOf(
  fields: NonNullable<ElasticsearchSection['fields'][string]['fields']>,
): Record<string, ElasticsearchSubField> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, sub]) => [
      name,
      {
        type: sub.type,
        facet: sub.facet,
        filter: sub.filter,
        ...(sub.analyzer !== undefined && { analyzer: sub.analyzer }),
        ...(sub.searchAnalyzer !== undefined && { searchAnalyzer: sub.searchAnalyzer }),
      },
    ]),
  );
}

export const elasticsearchDsl: StoreDsl<ElasticsearchSection, ElasticsearchTargetShape> = {
  schema: ElasticsearchSectionSchema,
  family: 'document',
  viewName: 'index',
  queries: {
    field: 'search',
    schema: SearchTemplateSchema,
    options: { facets: SearchFacetsSchema },
    check: checkSearchQuery,
  },
  checkLimits: checkElasticsearchLimits,
  salvage: salvageElasticsearchSection,
  check: checkElasticsearchSection,
  view,
  shapeOf,
  keyFieldOf: (shape) => shape.id,
};
