import type { NamedQuery } from '../../../core/plan';
import type { ElasticsearchTargetShape } from '../elasticsearch-view-shape';
import { guardRawQuery } from './raw-query.guard';
import { encodeCursor, parseSearchRequest } from './search-request.parser';
import { renderSearchTemplate } from './search-template.renderer';

const SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'orders',
  id: 'order_id',
  fields: {
    order_id: { type: 'keyword', facet: false, filter: false },
    note: { type: 'text', facet: false, filter: false },
    status: { type: 'keyword', facet: true, filter: true },
    total: { type: 'long', facet: false, filter: true },
    placed_at: { type: 'date', facet: false, filter: true },
  },
};
const TOMBSTONE = { term: { _prism_deleted: true } };

/** A text field with a keyword sub-field, and a keyword field with a text sub-field (issue #16). */
const MULTI: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'people',
  id: 'id',
  fields: {
    id: { type: 'keyword', facet: false, filter: false },
    city: {
      type: 'text',
      facet: false,
      filter: false,
      fields: { raw: { type: 'keyword', facet: true, filter: true } },
    },
    code: {
      type: 'keyword',
      facet: false,
      filter: false,
      fields: { words: { type: 'text', facet: false, filter: true } },
    },
  },
};

describe('search request parser over sub-fields', () => {
  it('facets, filters and sorts a sub-field by its path, and searches text sub-fields', () => {
    const parsed = parseSearchRequest(MULTI, {
      q: 'york',
      'filter.city.raw': 'New York',
      'filter.code.words': 'a b',
      sort: 'city.raw:desc',
    });
    expect(parsed.facets).toEqual(['city.raw']);
    expect(parsed.body).toMatchObject({
      query: {
        bool: {
          must: [{ simple_query_string: { query: 'york', fields: ['city', 'code.words'] } }],
          filter: [{ term: { 'city.raw': 'New York' } }, { match: { 'code.words': { query: 'a b' } } }],
        },
      },
      sort: [{ 'city.raw': 'desc' }, { id: 'asc' }],
      aggs: { 'city.raw': { terms: { field: 'city.raw', size: 20 } } },
    });
  });

  it('refuses a sort on the text field, naming its keyword sub-field, and an undeclared sub-field', () => {
    expect(() => parseSearchRequest(MULTI, { sort: 'city:asc' })).toThrow(
      'text field "city" cannot be sorted on; sort on its keyword sub-field: city.raw',
    );
    expect(() => parseSearchRequest(MULTI, { 'filter.city.rw': 'x' })).toThrow(
      'the view has no field "city.rw"; "city" has the sub-fields city.raw',
    );
    expect(() => parseSearchRequest(MULTI, { 'filter.city': 'x' })).toThrow('not declared with filter: true');
  });
});

describe('search request parser', () => {
  it('builds one bool query: text, typed filters, tombstones excluded, id as the last sort key', () => {
    const parsed = parseSearchRequest(SHAPE, {
      q: 'gift',
      'filter.status': ['placed', 'shipped'],
      'filter.total.gte': '100',
      'filter.total.lt': '500',
      'filter.placed_at.gte': '2024-01-01',
      sort: 'total:desc',
      size: '5',
      cursor: encodeCursor([250, 'o-9']),
    });
    expect(parsed.body).toEqual({
      size: 5,
      track_total_hits: true,
      query: {
        bool: {
          must: [{ simple_query_string: { query: 'gift', fields: ['note'], default_operator: 'and' } }],
          filter: [
            { terms: { status: ['placed', 'shipped'] } },
            { range: { total: { gte: 100, lt: 500 } } },
            { range: { placed_at: { gte: '2024-01-01' } } },
          ],
          must_not: [TOMBSTONE],
        },
      },
      sort: [{ total: 'desc' }, { order_id: 'asc' }],
      search_after: [250, 'o-9'],
      highlight: { fields: { note: {} } },
      aggs: { status: { terms: { field: 'status', size: 20 } } },
    });
  });
});

describe('search template renderer', () => {
  const query: NamedQuery = {
    name: 'byStatus',
    parameters: {
      status: { type: 'string', required: true },
      min: { type: 'integer', required: false, default: 0 },
    },
    body: {
      size: 10,
      query: {
        bool: { filter: [{ term: { status: '{{status}}' } }, { range: { total: { gte: '{{ min }}' } } }] },
      },
      _source: ['label {{status}}'],
    },
  };

  it('puts typed values where the holes are, without ever building JSON text', () => {
    const rendered = renderSearchTemplate('orders', query, { status: '"}}]}', min: '42' });
    expect(rendered).toEqual({
      size: 10,
      query: { bool: { filter: [{ term: { status: '"}}]}' } }, { range: { total: { gte: 42 } } }] } },
      _source: ['label "}}]}'],
    });
    expect(renderSearchTemplate('orders', query, { status: 'x' }).query).toEqual({
      bool: { filter: [{ term: { status: 'x' } }, { range: { total: { gte: 0 } } }] },
    });
  });

  it('rejects missing, unknown and mistyped parameters, naming them', () => {
    expect(() => renderSearchTemplate('orders', query, {})).toThrow(/"status": required/);
    expect(() => renderSearchTemplate('orders', query, { status: 'x', other: '1' })).toThrow(/"other"/);
    expect(() => renderSearchTemplate('orders', query, { status: 'x', min: '1.5' })).toThrow(
      /"min": expected an integer/,
    );
  });
});

describe('raw query guard', () => {
  const limits = { timeout: '2s', terminateAfter: 1000 };
  it('keeps the query, hides tombstones and enforces timeout and terminate_after', () => {
    expect(
      guardRawQuery({ query: { term: { status: 'placed' } }, size: 3, timeout: '1h' }, limits, TOMBSTONE),
    ).toEqual(
      expect.objectContaining({
        size: 3,
        query: { bool: { must: [{ term: { status: 'placed' } }], must_not: [TOMBSTONE] } },
        timeout: '2s',
        terminate_after: 1000,
      }),
    );
  });
  // Every refusal (scripts, other indices, depth) is in raw-query.guard.unit.spec.ts.
});
