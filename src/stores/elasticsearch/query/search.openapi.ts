/**
 * The search API in the OpenAPI document (issue #20): the generic answer and parameters
 * (search-request.parser.ts), and each search view's own paths from its declared fields: its document,
 * its filters and facets, and its named templates with their typed parameters.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { componentName, namedQueryParameters, type DescribeView } from '../../../query/view-openapi';
import { isElasticsearchShape, type ElasticsearchFieldType } from '../elasticsearch-view-shape';
import { TOP_LEVEL } from './raw-query.allow-list';
import type { Rule } from './raw-query.rules';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './search-request.parser';

/** A field's value as stored (elasticsearch-shape.ts `valueProblem`): a date is ISO text or epoch ms. */
const FIELD_SCHEMAS: Readonly<Record<ElasticsearchFieldType, SchemaObject>> = {
  keyword: { type: 'string' },
  text: { type: 'string' },
  integer: { type: 'integer' },
  long: { type: 'integer' },
  double: { type: 'number' },
  boolean: { type: 'boolean' },
  date: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
};
/** A facet bucket's value: Elasticsearch answers dates and booleans as their `key_as_string`. */
const FACET_VALUE_SCHEMAS: Readonly<Record<ElasticsearchFieldType, SchemaObject>> = {
  ...FIELD_SCHEMAS,
  boolean: { type: 'string', enum: ['true', 'false'] },
  date: { type: 'string' },
};
const RANGE_TYPES = new Set<ElasticsearchFieldType>(['integer', 'long', 'double', 'date']);

const ANY_DOCUMENT: SchemaObject = { type: 'object', additionalProperties: true };
const FACETS_OF_ANY: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'array', items: bucketOf({}) },
};

function bucketOf(value: SchemaObject): SchemaObject {
  return {
    type: 'object',
    required: ['value', 'count'],
    properties: { value, count: { type: 'integer' } },
  };
}

/** A search answer over documents of this schema, with these facets. */
export function searchResultSchema(
  document: SchemaObject | ReferenceObject = ANY_DOCUMENT,
  facets: SchemaObject = FACETS_OF_ANY,
): SchemaObject {
  return {
    type: 'object',
    required: ['total', 'hits', 'partial'],
    properties: {
      total: { type: 'integer' },
      hits: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'score', 'document'],
          properties: {
            id: { type: 'string' },
            score: { type: 'number', nullable: true },
            document,
            highlight: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
      facets: { ...facets, description: 'GET .../search only: buckets per facet field.' },
      next: {
        type: 'string',
        nullable: true,
        description: 'GET .../search only: pass as `cursor` for the next page; null on the last page.',
      },
      aggregations: { type: 'object', additionalProperties: true, description: 'A raw query’s, as given.' },
      partial: { type: 'boolean', description: 'Elasticsearch stopped early: the result may be partial.' },
    },
  };
}

/**
 * The body of `POST .../search/raw`: the top-level keys the allow-list takes (raw-query.allow-list.ts),
 * each loosely typed (the guard checks the rest and names what it refuses); any other key is refused.
 */
export const RAW_SEARCH_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'An Elasticsearch search body, limited to what raw-query.allow-list.ts allows (no scripts, no other indices).',
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(TOP_LEVEL).map(([key, rule]) => [key, looseSchema(rule)])),
};

function looseSchema(rule: Rule): SchemaObject {
  switch (rule.kind) {
    case 'number':
      return { type: 'number' };
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'query':
    case 'aggregations':
    case 'object':
    case 'map':
      return { type: 'object', additionalProperties: true };
    case 'list':
      return { type: 'array', items: {} };
    default:
      return {};
  }
}

/** The control parameters of `GET /views/{name}/search`; filters are per field (each view's own path). */
export const SearchParameters = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'q',
      required: false,
      schema: { type: 'string' },
      description: 'Full text over the text fields (simple_query_string), with highlights.',
    }),
    ApiQuery({
      name: 'sort',
      required: false,
      schema: { type: 'string', example: 'placed_at:desc' },
      description: 'Comma-separated `field:asc|desc` over declared non-text fields.',
    }),
    ApiQuery({
      name: 'size',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
      description: 'Hits per page.',
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      schema: { type: 'string' },
      description: 'The `next` of the previous page.',
    }),
  );

/** A search view's paths: its search with filters and facets, its raw search, and each named template. */
export const describeSearchView: DescribeView = (projection) => {
  if (!isElasticsearchShape(projection.target)) return undefined;
  const shape = projection.target;
  const documentName = `${componentName(projection.name)}Document`;
  const fields = Object.entries(shape.fields);
  const document: SchemaObject = {
    type: 'object',
    additionalProperties: false,
    description: `A document of ${projection.name} (id: ${shape.id}); a field may hold a list of its type.`,
    properties: Object.fromEntries(fields.map(([name, field]) => [name, orList(FIELD_SCHEMAS[field.type])])),
  };
  const ref = { $ref: `#/components/schemas/${documentName}` };
  const facets: SchemaObject = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      fields
        .filter(([, field]) => field.facet)
        .map(([name, field]) => [name, { type: 'array', items: bucketOf(FACET_VALUE_SCHEMAS[field.type]) }]),
    ),
  };
  const filters = fields
    .filter(([, field]) => field.filter)
    .flatMap(([name, field]): ParameterObject[] => [
      {
        name: `filter.${name}`,
        in: 'query',
        required: false,
        description: `Documents whose ${name} is this (comma-separate for any of).`,
        schema: { type: 'string' },
      },
      ...(RANGE_TYPES.has(field.type)
        ? (['gt', 'gte', 'lt', 'lte'] as const).map((operator): ParameterObject => ({
            name: `filter.${name}.${operator}`,
            in: 'query',
            required: false,
            description: `Documents whose ${name} is ${operator} this.`,
            schema: field.type === 'date' ? { type: 'string' } : FIELD_SCHEMAS[field.type],
          }))
        : []),
    ]);
  return {
    schemas: { [documentName]: document },
    operations: [
      {
        route: '/views/{name}/search',
        method: 'get',
        bind: { name: projection.name },
        summary: `Search ${projection.name}`,
        parameters: filters,
        response: searchResultSchema(ref, facets),
      },
      {
        route: '/views/{name}/search/raw',
        method: 'post',
        bind: { name: projection.name },
        summary: `Search ${projection.name} with an Elasticsearch query body`,
        response: searchResultSchema(ref, facets),
      },
      ...Object.values(projection.queries).map((query) => ({
        route: '/views/{name}/search/{template}',
        method: 'get' as const,
        bind: { name: projection.name, template: query.name },
        summary: `Run the search template ${query.name} of ${projection.name}`,
        parameters: namedQueryParameters(query.parameters),
        response: searchResultSchema(ref, facets),
      })),
    ],
  };
};

/** A field holds its type, a list of it, or null (OpenAPI 3.0: `nullable` only beside a `type`). */
function orList(schema: SchemaObject): SchemaObject {
  const nullable = (one: SchemaObject): SchemaObject =>
    one.anyOf !== undefined
      ? { anyOf: (one.anyOf as SchemaObject[]).map(nullable) }
      : { ...one, nullable: true };
  return { anyOf: [nullable(schema), { type: 'array', items: nullable(schema) }] };
}
