/**
 * The raw search guard is an allow-list (issue #12 item 5): every escape tried against the old deny-list,
 * and the neighbours of each, is refused with the JSON path of the offending key; ordinary searches pass.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject } from '../../../core/json';
import { AGGREGATION_TYPES, QUERY_TYPES, RAW_SEARCH_GRAMMAR, TOP_LEVEL } from './raw-query.allow-list';
import { guardRawQuery } from './raw-query.guard';
import { RawQueryRejectedError } from './search.errors';

const LIMITS = { timeout: '2s', terminateAfter: 1000 };
const TOMBSTONE = { term: { _prism_deleted: true } };

function rejection(body: unknown): RawQueryRejectedError {
  try {
    guardRawQuery(body, LIMITS, TOMBSTONE);
  } catch (error) {
    if (error instanceof RawQueryRejectedError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body).slice(0, 200)}`);
}

/** `{ bool: { must: [{ bool: { must: [ ... ] } }] } }`, `levels` bools deep. */
function nestedBools(levels: number): JsonObject {
  let clause: JsonObject = { match_all: {} };
  for (let i = 0; i < levels; i++) clause = { bool: { must: [clause] } };
  return clause;
}

describe('raw search guard: escapes are refused with the path of the offending key', () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      'a script in terms_set.minimum_should_match_script',
      {
        query: {
          bool: {
            must: [
              {
                terms_set: {
                  tags: { terms: ['a'], minimum_should_match_script: { source: 'params.num_terms' } },
                },
              },
            ],
          },
        },
      },
      'query.bool.must[0].terms_set.tags.minimum_should_match_script',
      /"minimum_should_match_script" is not allowed in terms_set \(scripts are not allowed\)/,
    ],
    [
      'a geo_shape query with an indexed shape of another index',
      {
        query: {
          geo_shape: { location: { indexed_shape: { index: 'shapes', id: 'deu', path: 'location' } } },
        },
      },
      'query.geo_shape',
      /"geo_shape" is not an allowed query type.*indexed shape reads another index/,
    ],
    [
      'a terms lookup into another index',
      { query: { terms: { status: { index: 'prism-meta', id: 'x', path: 'kind' } } } },
      'query.terms.status.index',
      /index references are not allowed/,
    ],
    [
      'more_like_this with a document of another index',
      { query: { more_like_this: { fields: ['title'], like: [{ _index: 'other', _id: '1' }] } } },
      'query.more_like_this',
      /more_like_this can read documents of other indices/,
    ],
    [
      'percolate naming an index',
      { query: { percolate: { field: 'q', index: 'other', id: '1' } } },
      'query.percolate',
      /percolate/,
    ],
    [
      'a script query',
      { query: { bool: { filter: { script: { script: { source: 'true' } } } } } },
      'query.bool.filter.script',
      /scripts are not allowed/,
    ],
    [
      'a script_score query',
      { query: { script_score: { query: { match_all: {} }, script: { source: '1' } } } },
      'query.script_score',
      /scripts are not allowed/,
    ],
    [
      'function_score with a script_score function',
      { query: { function_score: { script_score: { script: { source: '1' } } } } },
      'query.function_score',
      /function_score can run scripts/,
    ],
    ['runtime_mappings', { runtime_mappings: { x: { type: 'keyword' } } }, 'runtime_mappings', /scripts/],
    [
      'script_fields',
      { script_fields: { x: { script: { source: '1' } } } },
      'script_fields',
      /scripts are not allowed/,
    ],
    ['stored_fields', { stored_fields: ['*'] }, 'stored_fields', /use _source/],
    ['docvalue_fields', { docvalue_fields: ['title'] }, 'docvalue_fields', /use _source/],
    ['the fields option', { fields: ['*'] }, 'fields', /use _source/],
    ['a point in time', { pit: { id: 'abc', keep_alive: '1m' } }, 'pit', /point-in-time/],
    ['indices_boost', { indices_boost: [{ other: 2 }] }, 'indices_boost', /index references/],
    ['an index at the top level', { index: 'other' }, 'index', /index references/],
    [
      'a scripted_metric aggregation',
      { aggs: { s: { scripted_metric: { map_script: 'state.x = 1' } } } },
      'aggs.s.scripted_metric',
      /scripts are not allowed/,
    ],
    [
      'a bucket_script aggregation under terms',
      { aggs: { a: { terms: { field: 'status' }, aggs: { b: { bucket_script: { script: '1' } } } } } },
      'aggs.a.aggs.b.bucket_script',
      /scripts are not allowed/,
    ],
    [
      'a bucket_selector aggregation',
      { aggregations: { a: { bucket_selector: { buckets_path: {}, script: '1' } } } },
      'aggregations.a.bucket_selector',
      /scripts are not allowed/,
    ],
    [
      'a script in a metric aggregation',
      { aggs: { a: { avg: { script: { source: 'doc.price.value * 2' } } } } },
      'aggs.a.avg.script',
      /scripts are not allowed/,
    ],
    [
      'significant_terms with a script heuristic',
      { aggs: { a: { significant_terms: { field: 'tags', script_heuristic: { script: '1' } } } } },
      'aggs.a.significant_terms.script_heuristic',
      /scripts are not allowed/,
    ],
    [
      'a global aggregation, which would count deleted documents',
      { aggs: { all: { global: {} } } },
      'aggs.all.global',
      /ignores the query/,
    ],
    ['search_after with objects', { search_after: [{ a: 1 }] }, 'search_after[0]', /expected a string/],
    ['a suggester', { suggest: { s: { text: 'x', phrase: { field: 'title' } } } }, 'suggest', /suggesters/],
    [
      'a rescorer',
      { rescore: { query: { rescore_query: { script_score: {} } } } },
      'rescore',
      /rescorers can run scripts/,
    ],
    [
      'a sort by script',
      { sort: [{ _script: { type: 'number', script: { source: '1' } } }] },
      'sort[0]._script',
      /sorting by a script runs code/,
    ],
    [
      'a script inside a sort option',
      { sort: [{ price: { order: 'asc', script: '1' } }] },
      'sort[0].price.script',
      /scripts are not allowed/,
    ],
    [
      'an unknown highlight option',
      { highlight: { fields: { title: { boundary_scanner_locale: 'x', script: '1' } } } },
      'highlight.fields.title.boundary_scanner_locale',
      /is not allowed in a highlighted field/,
    ],
    [
      'a highlight_query that hides a script',
      { highlight: { highlight_query: { script: { script: '1' } }, fields: { title: {} } } },
      'highlight.highlight_query.script',
      /scripts are not allowed/,
    ],
    ['knn', { knn: { field: 'v', query_vector: [1], k: 1 } }, 'knn', /vector search/],
    ['a wrapper query', { query: { wrapper: { query: 'e30=' } } }, 'query.wrapper', /wrapper/],
    [
      'inner_hits of a nested query',
      { query: { nested: { path: 'p', query: { match_all: {} }, inner_hits: {} } } },
      'query.nested.inner_hits',
      /inner hits/,
    ],
    [
      '_source with a script-ish option',
      { _source: { includes: ['title'], script: '1' } },
      '_source.script',
      /scripts are not allowed/,
    ],
    ['profile', { profile: true }, 'profile', /"profile" is not allowed in a search body; allowed: query/],
    [
      'a second key beside a query clause',
      { query: { match_all: {}, script: { script: '1' } } },
      'query',
      /expected one query clause/,
    ],
    [
      'a term query on two fields',
      { query: { term: { status: 'a', other: 'b' } } },
      'query.term',
      /exactly one field/,
    ],
    [
      'a prototype key as a query type',
      { query: { constructor: {} } },
      'query.constructor',
      /not an allowed/,
    ],
    ['a prototype key at the top level', JSON.parse('{"__proto__": {"x": 1}}'), '__proto__', /not allowed/],
    ['not an object', [], '$', /JSON object/],
    ['a size beyond the page size', { size: 1000 }, 'size', /0 to 100/],
    ['a from beyond the window', { from: 5000 }, 'from', /search_after/],
  ])('refuses %s', (_, body, path, message) => {
    const error = rejection(body);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${path}"`);
  });

  it('refuses a raw body nested ~1,000 deep with a 400-class error, never a RangeError (issue #12)', () => {
    const deep = rejection({ query: nestedBools(1_000) });
    expect(deep.message).toMatch(/nest deeper than 20 levels/);
    let aggs: JsonObject = { max: { field: 'price' } };
    for (let i = 0; i < 1_000; i++) aggs = { terms: { field: 'status' }, aggs: { a: aggs } };
    expect(rejection({ aggs: { a: aggs } }).message).toMatch(
      new RegExp(`nests deeper than ${RAW_SEARCH_GRAMMAR.maxDepth} levels`),
    );
    let arrays: unknown = 1;
    for (let i = 0; i < 1_000; i++) arrays = [arrays];
    expect(rejection({ search_after: arrays }).path).toBe('search_after[0]');
  });
});

describe('raw search guard: ordinary searches pass unchanged', () => {
  it.each<[string, JsonObject]>([
    ['match', { query: { match: { title: { query: 'dune', operator: 'and' } } } }],
    ['match, short form', { query: { match: { title: 'dune' } } }],
    ['term', { query: { term: { status: { value: 'placed', boost: 2 } } } }],
    ['terms with a boost', { query: { terms: { status: ['a', 'b'], boost: 1.5 } } }],
    [
      'terms_set with a field',
      { query: { terms_set: { tags: { terms: ['a'], minimum_should_match_field: 'n' } } } },
    ],
    ['range', { query: { range: { price: { gte: 10, lt: 100 } } } }],
    [
      'bool of everything',
      {
        query: {
          bool: {
            must: [{ multi_match: { query: 'x', fields: ['title^2', 'description'] } }],
            filter: { exists: { field: 'title' } },
            should: [{ prefix: { title: 'du' } }, { wildcard: { title: { value: 'd*' } } }],
            must_not: [{ ids: { values: ['p1'] } }],
            minimum_should_match: 1,
          },
        },
      },
    ],
    [
      'dis_max, constant_score, boosting, nested',
      {
        query: {
          dis_max: {
            queries: [
              { constant_score: { filter: { term: { a: 1 } } } },
              {
                boosting: { positive: { match_all: {} }, negative: { term: { b: 1 } }, negative_boost: 0.5 },
              },
              { nested: { path: 'items', query: { match: { 'items.name': 'x' } } } },
            ],
          },
        },
      },
    ],
    ['simple_query_string', { query: { simple_query_string: { query: 'a + b', fields: ['title'] } } }],
    [
      'aggregations terms/range/histogram/avg/sum',
      {
        size: 0,
        aggs: {
          by_category: {
            terms: { field: 'category', size: 5, order: { _count: 'desc' } },
            aggs: { avg_price: { avg: { field: 'price' } }, total: { sum: { field: 'price' } } },
          },
          bands: { range: { field: 'price', ranges: [{ to: 100 }, { from: 100, key: 'dear' }] } },
          spread: { histogram: { field: 'price', interval: 50, min_doc_count: 0 } },
          listed: { filter: { term: { listed: true } }, aggs: { n: { value_count: { field: 'price' } } } },
          top: { top_hits: { size: 1, sort: [{ price: 'desc' }], _source: ['title'] } },
        },
      },
    ],
    [
      'sort, _source, highlight, search_after, track_total_hits, post_filter',
      {
        sort: ['_score', { price: { order: 'asc', missing: '_last' } }, { product_id: 'asc' }],
        _source: { includes: ['title'], excludes: 'desc*' },
        highlight: { pre_tags: ['<b>'], fields: { title: { number_of_fragments: 1 } } },
        search_after: [1.5, 'p001'],
        track_total_hits: true,
        post_filter: { term: { listed: true } },
        min_score: 0.1,
      },
    ],
  ])('accepts %s', (_, body) => {
    const guarded = guardRawQuery(body, LIMITS, TOMBSTONE);
    expect(guarded.query).toEqual({
      bool: { must: [body.query ?? { match_all: {} }], must_not: [TOMBSTONE] },
    });
    expect(guarded).toMatchObject({ ...body, query: guarded.query, timeout: '2s', terminate_after: 1000 });
  });

  it('accepts bools nested up to the limit', () => {
    expect(() => guardRawQuery({ query: nestedBools(19) }, LIMITS, TOMBSTONE)).not.toThrow();
  });
});

describe('the search README lists every allowed name (docs that cannot rot)', () => {
  const readme = readFileSync(path.join(__dirname, 'README.md'), 'utf8');
  it.each([
    ['top-level key', Object.keys(TOP_LEVEL)],
    ['query type', Object.keys(QUERY_TYPES)],
    ['aggregation type', Object.keys(AGGREGATION_TYPES)],
  ])('every %s', (_, names) => {
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
