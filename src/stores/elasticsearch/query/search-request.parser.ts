/**
 * Turns the query string of `GET /views/:name/search` into an Elasticsearch search body, checking every
 * parameter against the declared fields (a typo or a bad value is a 400 naming the parameter, never an
 * Elasticsearch error or a silently ignored filter).
 *
 *   q=dune                         simple_query_string over the declared text fields (+ highlights)
 *   filter.category=books          keyword/boolean equality; repeat or comma-separate for "any of"
 *   filter.price.gte=100           ranges (gt, gte, lt, lte) on numeric and date fields
 *   filter.city.raw=London         a sub-field (multi-field) by its path, like a field
 *   sort=price:asc,placed_at:desc  declared, non-text fields or sub-fields; the id breaks ties so cursors are stable
 *   size=20                        1..100
 *   cursor=<token>                 the `next` token of the previous page (search_after)
 */
import type { JsonObject, JsonValue } from '../../../core/json';
import {
  fieldPaths,
  type ElasticsearchField,
  type ElasticsearchSubField,
  type ElasticsearchTargetShape,
} from '../elasticsearch-view-shape';
import { excludeTombstones } from '../elasticsearch-shape';
import { SearchRequestError } from './search.errors';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const FACET_SIZE = 20;
const RANGE_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte']);

export type QueryParameters = Readonly<Record<string, unknown>>;

export interface ParsedSearch {
  readonly body: JsonObject;
  readonly size: number;
  readonly facets: readonly string[];
}

export function parseSearchRequest(
  shape: ElasticsearchTargetShape,
  parameters: QueryParameters,
): ParsedSearch {
  const filters: JsonObject[] = [];
  const ranges = new Map<string, JsonObject>();
  let q: string | undefined;
  let size = DEFAULT_PAGE_SIZE;
  let sort: JsonValue[] | undefined;
  let cursor: JsonValue[] | undefined;
  const paths = fieldPaths(shape);

  for (const [name, raw] of Object.entries(parameters)) {
    const values = stringValues(name, raw);
    if (name === 'q') q = single(name, values);
    else if (name === 'size') size = pageSize(single(name, values));
    else if (name === 'sort') sort = sortClause(paths, single(name, values));
    else if (name === 'cursor') cursor = decodeCursor(single(name, values));
    else if (name.startsWith('filter.')) {
      const { fieldName, operator } = filterTarget(paths, name);
      const field = filterField(paths, name, fieldName);
      if (operator === undefined) filters.push(equality(name, fieldName, field, values));
      else {
        if (!RANGE_OPERATORS.has(operator)) {
          throw new SearchRequestError(name, `unknown operator "${operator}"; use gt, gte, lt or lte`);
        }
        if (!['integer', 'long', 'double', 'date'].includes(field.type)) {
          throw new SearchRequestError(
            name,
            `ranges apply to numeric and date fields; "${fieldName}" is ${field.type}`,
          );
        }
        const range = ranges.get(fieldName) ?? {};
        range[operator] = typedValue(name, field, single(name, values));
        ranges.set(fieldName, range);
      }
    } else {
      throw new SearchRequestError(name, 'unknown parameter; use q, filter.<field>, sort, size or cursor');
    }
  }
  for (const [fieldName, range] of ranges) filters.push({ range: { [fieldName]: range } });

  // text sub-fields too: a keyword field with a text sub-field is searchable by q
  const textFields = [...paths].filter(([, field]) => field.type === 'text').map(([name]) => name);
  const must: JsonObject[] = [];
  if (q !== undefined && q.trim() !== '') {
    if (textFields.length === 0)
      throw new SearchRequestError('q', 'this view declares no text fields to search');
    must.push({ simple_query_string: { query: q, fields: textFields, default_operator: 'and' } });
  }
  const facets = [...paths].filter(([, field]) => field.facet).map(([name]) => name);

  const body: JsonObject = {
    size,
    track_total_hits: true,
    query: { bool: { must, filter: filters, must_not: [excludeTombstones()] } },
    // The id field breaks ties: search_after needs a total order to page without gaps or repeats.
    sort: [...(sort ?? (must.length > 0 ? [{ _score: 'desc' }] : [])), { [shape.id]: 'asc' }],
  };
  if (cursor !== undefined) body.search_after = cursor;
  if (must.length > 0 && textFields.length > 0) {
    body.highlight = { fields: Object.fromEntries(textFields.map((name) => [name, {}])) };
  }
  if (facets.length > 0) body.aggs = facetAggregations(facets);
  return { body, size, facets };
}

/** One terms aggregation per facet, named by the field's path (`status`, `city.raw`). */
export function facetAggregations(facets: readonly string[]): JsonObject {
  return Object.fromEntries(facets.map((name) => [name, { terms: { field: name, size: FACET_SIZE } }]));
}

/** The opaque cursor: the last hit's sort values, base64url-encoded JSON. */
export function encodeCursor(sortValues: readonly JsonValue[]): string {
  return Buffer.from(JSON.stringify(sortValues)).toString('base64url');
}

function decodeCursor(token: string): JsonValue[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new SearchRequestError(
      'cursor',
      'not a cursor this API issued; pass the `next` value of the previous page',
    );
  }
  if (!Array.isArray(decoded) || decoded.some((value) => value !== null && typeof value === 'object')) {
    throw new SearchRequestError(
      'cursor',
      'not a cursor this API issued; pass the `next` value of the previous page',
    );
  }
  return decoded as JsonValue[];
}

type AddressedField = ElasticsearchField | ElasticsearchSubField;
type FieldPaths = ReadonlyMap<string, AddressedField>;

/**
 * `filter.<path>` or `filter.<path>.<operator>`, where a path may itself hold a dot (`city.raw`): the
 * whole rest is tried as a field first, so a sub-field named like an operator still reads as a field.
 */
function filterTarget(paths: FieldPaths, parameter: string): { fieldName: string; operator?: string } {
  const rest = parameter.slice('filter.'.length);
  const dot = rest.lastIndexOf('.');
  if (paths.has(rest) || dot <= 0) return { fieldName: rest };
  const [fieldName, operator] = [rest.slice(0, dot), rest.slice(dot + 1)];
  // `filter.city.rw` on a field with sub-fields is a misspelt sub-field rather than an operator
  const subFields = [...paths.keys()].filter((path) => path.startsWith(`${fieldName}.`));
  if (!RANGE_OPERATORS.has(operator) && subFields.length > 0)
    throw new SearchRequestError(
      parameter,
      `the view has no field "${rest}"; "${fieldName}" has the sub-fields ${subFields.join(', ')}`,
    );
  return { fieldName, operator };
}

function stringValues(name: string, raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.some((value) => typeof value !== 'string'))
    throw new SearchRequestError(name, 'expected a plain value');
  return values as string[];
}

function single(name: string, values: readonly string[]): string {
  if (values.length !== 1) throw new SearchRequestError(name, 'given more than once');
  return values[0]!;
}

function pageSize(text: string): number {
  const size = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new SearchRequestError('size', `expected an integer from 1 to ${MAX_PAGE_SIZE}, got "${text}"`);
  }
  return size;
}

function filterField(paths: FieldPaths, parameter: string, name: string): AddressedField {
  const field = paths.get(name);
  if (field === undefined) throw new SearchRequestError(parameter, `the view has no field "${name}"`);
  if (!field.filter)
    throw new SearchRequestError(parameter, `field "${name}" is not declared with filter: true`);
  return field;
}

function equality(
  parameter: string,
  name: string,
  field: AddressedField,
  values: readonly string[],
): JsonObject {
  if (field.type === 'text') return { match: { [name]: { query: values.join(' '), operator: 'and' } } };
  const all = values.flatMap((value) => (field.type === 'keyword' ? value.split(',') : [value]));
  const typed = all.map((value) => typedValue(parameter, field, value));
  return typed.length === 1 ? { term: { [name]: typed[0]! } } : { terms: { [name]: typed } };
}

function typedValue(parameter: string, field: AddressedField, text: string): JsonValue {
  switch (field.type) {
    case 'keyword':
    case 'text':
      return text;
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new SearchRequestError(parameter, `expected true or false, got "${text}"`);
    case 'integer':
    case 'long':
      if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      throw new SearchRequestError(parameter, `expected an integer, got "${text}"`);
    case 'double':
      if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
      throw new SearchRequestError(parameter, `expected a number, got "${text}"`);
    case 'date':
      if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) return text;
      throw new SearchRequestError(parameter, `expected an ISO-8601 date, got "${text}"`);
  }
}

function sortClause(paths: FieldPaths, text: string): JsonValue[] {
  return text.split(',').map((part) => {
    const [name = '', direction = 'asc', ...rest] = part.trim().split(':');
    if (name === '_score' && rest.length === 0 && (direction === 'asc' || direction === 'desc')) {
      return { _score: direction };
    }
    const field = paths.get(name);
    if (field === undefined) throw new SearchRequestError('sort', `the view has no field "${name}"`);
    if (field.type === 'text') {
      const keyword = [...paths].find(([path, sub]) => path.startsWith(`${name}.`) && sub.type === 'keyword');
      throw new SearchRequestError(
        'sort',
        `text field "${name}" cannot be sorted on` +
          (keyword
            ? `; sort on its keyword sub-field: ${keyword[0]}`
            : '; declare a keyword sub-field to sort on'),
      );
    }
    if (rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) {
      throw new SearchRequestError('sort', `expected <field>:asc or <field>:desc, got "${part}"`);
    }
    return { [name]: direction };
  });
}
