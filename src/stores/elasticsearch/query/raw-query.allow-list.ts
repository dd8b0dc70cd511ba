/**
 * What a raw search body may contain: the top-level keys, query types and aggregation types known to
 * stay inside the view's own index and to run no code, each with the parameters known to be safe.
 * Anything else is refused (issue #12: scripts in `terms_set.minimum_should_match_script` and a
 * `geo_shape` indexed shape reading another index got through the old deny-list).
 *
 * Deliberately absent, with the reason: scripts anywhere (`script`, `script_score`, `function_score`,
 * `scripted_metric`, `bucket_script`, `bucket_selector`, `runtime_mappings`, `script_fields`, sort
 * `_script`, significance heuristics, `rescore`, phrase-suggester collate); other indices (`terms`
 * lookups, `more_like_this` docs, `percolate`, `geo_shape` indexed shapes, `pit`, `indices_boost`); the
 * `global` aggregation (it ignores the query, tombstones included); `stored_fields`, `docvalue_fields`,
 * `fields`, `suggest`, `knn`, `collapse`, `inner_hits`, `profile`, `explain`, `slice` and `query_string`
 * (use `simple_query_string`).
 */
import type { Grammar, Rule, RuleTable } from './raw-query.rules';

const string: Rule = { kind: 'string' };
const number: Rule = { kind: 'number' };
const boolean: Rule = { kind: 'boolean' };
const scalar: Rule = { kind: 'scalar' };
const query: Rule = { kind: 'query' };
const aggregations: Rule = { kind: 'aggregations' };
const list = (of: Rule, max?: number): Rule => ({ kind: 'list', of, ...(max === undefined ? {} : { max }) });
const object = (what: string, keys: RuleTable): Rule => ({ kind: 'object', what, keys });
const oneOrList = (of: Rule, expected: string): Rule => ({ kind: 'anyOf', rules: [of, list(of)], expected });
const strings = oneOrList(string, 'a string or an array of strings');
const queries = oneOrList(query, 'a query or an array of queries');

/** Every query type takes these. */
const COMMON = { boost: number, _name: string };

/** `term: { status: 'x' }` or `term: { status: { value: 'x', boost: 2 } }`. */
function fieldQuery(what: string, shortValue: Rule | undefined, keys: RuleTable): Rule {
  const long = object(what, { ...keys, ...COMMON });
  return {
    kind: 'field',
    what,
    value:
      shortValue === undefined
        ? long
        : { kind: 'anyOf', rules: [shortValue, long], expected: 'a value or an object of parameters' },
  };
}

const MATCH = {
  query: scalar,
  analyzer: string,
  operator: string,
  minimum_should_match: scalar,
  fuzziness: scalar,
  prefix_length: number,
  max_expansions: number,
  fuzzy_transpositions: boolean,
  lenient: boolean,
  zero_terms_query: string,
  auto_generate_synonyms_phrase_query: boolean,
};

export const QUERY_TYPES: RuleTable = {
  match_all: object('match_all', COMMON),
  match_none: object('match_none', { _name: string }),
  match: fieldQuery('match', scalar, MATCH),
  match_phrase: fieldQuery('match_phrase', scalar, {
    query: scalar,
    analyzer: string,
    slop: number,
    zero_terms_query: string,
  }),
  match_phrase_prefix: fieldQuery('match_phrase_prefix', scalar, {
    query: scalar,
    analyzer: string,
    slop: number,
    max_expansions: number,
    zero_terms_query: string,
  }),
  match_bool_prefix: fieldQuery('match_bool_prefix', scalar, {
    query: scalar,
    analyzer: string,
    operator: string,
    minimum_should_match: scalar,
    fuzziness: scalar,
    prefix_length: number,
    max_expansions: number,
    fuzzy_transpositions: boolean,
  }),
  multi_match: object('multi_match', {
    ...MATCH,
    ...COMMON,
    fields: strings,
    type: string,
    tie_breaker: number,
    slop: number,
  }),
  combined_fields: object('combined_fields', {
    ...COMMON,
    query: scalar,
    fields: list(string),
    operator: string,
    minimum_should_match: scalar,
    zero_terms_query: string,
    auto_generate_synonyms_phrase_query: boolean,
  }),
  simple_query_string: object('simple_query_string', {
    ...COMMON,
    query: string,
    fields: list(string),
    default_operator: string,
    analyzer: string,
    flags: string,
    lenient: boolean,
    minimum_should_match: scalar,
    quote_field_suffix: string,
    analyze_wildcard: boolean,
    auto_generate_synonyms_phrase_query: boolean,
    fuzzy_max_expansions: number,
    fuzzy_prefix_length: number,
    fuzzy_transpositions: boolean,
  }),
  term: fieldQuery('term', scalar, { value: scalar, case_insensitive: boolean }),
  // Only a list of values: the object form is a terms LOOKUP, which reads a document of another index.
  terms: {
    kind: 'field',
    what: 'terms',
    beside: COMMON,
    value: {
      kind: 'anyOf',
      expected: 'an array of values',
      rules: [list(scalar, 10_000), object('terms (give an array of values; a lookup is not allowed)', {})],
    },
  },
  // No minimum_should_match_script: it runs a script (issue #12).
  terms_set: fieldQuery('terms_set', undefined, {
    terms: list(scalar, 10_000),
    minimum_should_match_field: string,
    minimum_should_match: scalar,
  }),
  range: fieldQuery('range', undefined, {
    gt: scalar,
    gte: scalar,
    lt: scalar,
    lte: scalar,
    format: string,
    time_zone: string,
    relation: string,
  }),
  exists: object('exists', { ...COMMON, field: string }),
  ids: object('ids', { ...COMMON, values: list(scalar, 10_000) }),
  prefix: fieldQuery('prefix', scalar, { value: scalar, case_insensitive: boolean }),
  wildcard: fieldQuery('wildcard', scalar, { value: scalar, wildcard: scalar, case_insensitive: boolean }),
  regexp: fieldQuery('regexp', scalar, { value: scalar, flags: string, case_insensitive: boolean }),
  fuzzy: fieldQuery('fuzzy', scalar, {
    value: scalar,
    fuzziness: scalar,
    max_expansions: number,
    prefix_length: number,
    transpositions: boolean,
  }),
  bool: object('bool', {
    ...COMMON,
    must: queries,
    filter: queries,
    should: queries,
    must_not: queries,
    minimum_should_match: scalar,
  }),
  dis_max: object('dis_max', { ...COMMON, queries: list(query), tie_breaker: number }),
  constant_score: object('constant_score', { ...COMMON, filter: query }),
  boosting: object('boosting', { ...COMMON, positive: query, negative: query, negative_boost: number }),
  // No inner_hits: it takes script_fields, stored_fields and docvalue_fields of its own.
  nested: object('nested', {
    ...COMMON,
    path: string,
    query,
    score_mode: string,
    ignore_unmapped: boolean,
  }),
};

/** `{ _count: 'desc' }`, or an array of those. */
const ORDER: Rule = oneOrList({ kind: 'map', value: string }, 'an order object or an array of them');
const BOUNDS = (what: string): Rule => object(what, { min: scalar, max: scalar });
const INCLUDE: Rule = {
  kind: 'anyOf',
  rules: [string, list(scalar, 10_000)],
  expected: 'a pattern or an array of values',
};
const METRIC = (what: string, extra: RuleTable = {}): Rule =>
  object(what, { field: string, missing: scalar, format: string, ...extra });
const BUCKETS_PATH = (what: string, extra: RuleTable = {}): Rule =>
  object(what, { buckets_path: string, gap_policy: string, format: string, ...extra });
const RANGES = list(object('a range', { from: scalar, to: scalar, key: string }), 1_000);

/** A sort: `"price"`, `{ price: "asc" }`, `{ price: { order, missing, ... } }`, or an array of them. */
export const SORT: Rule = oneOrList(
  {
    kind: 'anyOf',
    expected: 'a field name or { <field>: <order> }',
    rules: [
      string,
      {
        kind: 'map',
        denied: {
          _script: 'sorting by a script runs code',
          _geo_distance: 'the view has no geo fields',
        },
        value: {
          kind: 'anyOf',
          expected: '"asc", "desc" or { order, missing, mode, unmapped_type, numeric_type, format }',
          rules: [
            string,
            object('a sort', {
              order: string,
              missing: scalar,
              mode: string,
              unmapped_type: string,
              numeric_type: string,
              format: string,
            }),
          ],
        },
      },
    ],
  },
  'a sort or an array of sorts',
);

/** `_source`: true/false, field patterns, or { includes, excludes }. */
export const SOURCE: Rule = {
  kind: 'anyOf',
  expected: 'a boolean, field patterns or { includes, excludes }',
  rules: [boolean, string, list(string), object('_source', { includes: strings, excludes: strings })],
};

export const AGGREGATION_TYPES: RuleTable = {
  avg: METRIC('avg'),
  sum: METRIC('sum'),
  min: METRIC('min'),
  max: METRIC('max'),
  stats: METRIC('stats'),
  extended_stats: METRIC('extended_stats', { sigma: number }),
  value_count: object('value_count', { field: string }),
  cardinality: METRIC('cardinality', { precision_threshold: number }),
  percentiles: METRIC('percentiles', { percents: list(number, 100), keyed: boolean }),
  percentile_ranks: METRIC('percentile_ranks', { values: list(number, 100), keyed: boolean }),
  median_absolute_deviation: METRIC('median_absolute_deviation', { compression: number }),
  top_hits: object('top_hits', { size: number, from: number, sort: SORT, _source: SOURCE }),
  terms: object('terms', {
    field: string,
    size: number,
    shard_size: number,
    min_doc_count: number,
    shard_min_doc_count: number,
    order: ORDER,
    missing: scalar,
    include: INCLUDE,
    exclude: INCLUDE,
    show_term_doc_count_error: boolean,
  }),
  // No significance heuristics: script_heuristic runs a script.
  significant_terms: object('significant_terms', {
    field: string,
    size: number,
    shard_size: number,
    min_doc_count: number,
    shard_min_doc_count: number,
    include: INCLUDE,
    exclude: INCLUDE,
    background_filter: query,
  }),
  rare_terms: object('rare_terms', {
    field: string,
    max_doc_count: number,
    include: INCLUDE,
    exclude: INCLUDE,
    missing: scalar,
  }),
  range: object('range', { field: string, ranges: RANGES, keyed: boolean, missing: scalar, format: string }),
  date_range: object('date_range', {
    field: string,
    ranges: RANGES,
    keyed: boolean,
    missing: scalar,
    format: string,
    time_zone: string,
  }),
  histogram: object('histogram', {
    field: string,
    interval: number,
    offset: number,
    min_doc_count: number,
    extended_bounds: BOUNDS('extended_bounds'),
    hard_bounds: BOUNDS('hard_bounds'),
    order: ORDER,
    keyed: boolean,
    missing: scalar,
  }),
  date_histogram: object('date_histogram', {
    field: string,
    calendar_interval: string,
    fixed_interval: string,
    format: string,
    time_zone: string,
    offset: scalar,
    min_doc_count: number,
    extended_bounds: BOUNDS('extended_bounds'),
    hard_bounds: BOUNDS('hard_bounds'),
    order: ORDER,
    keyed: boolean,
    missing: scalar,
  }),
  missing: object('missing', { field: string }),
  filter: query,
  filters: object('filters', {
    filters: {
      kind: 'anyOf',
      expected: 'named queries or an array of queries',
      rules: [{ kind: 'map', value: query }, list(query)],
    },
    other_bucket: boolean,
    other_bucket_key: string,
    keyed: boolean,
  }),
  nested: object('nested', { path: string }),
  reverse_nested: object('reverse_nested', { path: string }),
  avg_bucket: BUCKETS_PATH('avg_bucket'),
  sum_bucket: BUCKETS_PATH('sum_bucket'),
  min_bucket: BUCKETS_PATH('min_bucket'),
  max_bucket: BUCKETS_PATH('max_bucket'),
  stats_bucket: BUCKETS_PATH('stats_bucket'),
  cumulative_sum: BUCKETS_PATH('cumulative_sum'),
  derivative: BUCKETS_PATH('derivative', { unit: string }),
  bucket_sort: object('bucket_sort', { sort: SORT, from: number, size: number, gap_policy: string }),
};

const HIGHLIGHT_OPTIONS: RuleTable = {
  pre_tags: strings,
  post_tags: strings,
  fragment_size: number,
  number_of_fragments: number,
  no_match_size: number,
  order: string,
  require_field_match: boolean,
  type: string,
  fragmenter: string,
  boundary_scanner: string,
  highlight_query: query,
};
const HIGHLIGHT_FIELDS: Rule = {
  kind: 'map',
  value: object('a highlighted field', { ...HIGHLIGHT_OPTIONS, matched_fields: list(string) }),
};

/** The top level of a raw body. `size` and `from` are range-checked by the guard afterwards. */
export const TOP_LEVEL: RuleTable = {
  query,
  post_filter: query,
  size: number,
  from: number,
  sort: SORT,
  aggs: aggregations,
  aggregations,
  highlight: object('highlight', {
    ...HIGHLIGHT_OPTIONS,
    encoder: string,
    fields: {
      kind: 'anyOf',
      expected: 'an object of fields or an array of them',
      rules: [HIGHLIGHT_FIELDS, list(HIGHLIGHT_FIELDS)],
    },
  }),
  _source: SOURCE,
  track_total_hits: { kind: 'anyOf', rules: [boolean, number], expected: 'a boolean or a number' },
  search_after: list({ kind: 'scalarOrNull' }, 16),
  min_score: number,
  // Accepted but always replaced by the API's own limits.
  timeout: scalar,
  terminate_after: scalar,
};

const SCRIPTS = 'scripts are not allowed';
const OTHER_INDICES = 'index references are not allowed: a raw query only runs against its own view';

/** Why the keys people try most are refused, so the message says more than "not allowed". */
const REASONS: Readonly<Record<string, string>> = {
  script: SCRIPTS,
  script_score: SCRIPTS,
  script_fields: SCRIPTS,
  scripted_metric: SCRIPTS,
  bucket_script: SCRIPTS,
  bucket_selector: SCRIPTS,
  script_heuristic: SCRIPTS,
  minimum_should_match_script: SCRIPTS,
  function_score: 'function_score can run scripts; use bool with boost',
  rescore: 'rescorers can run scripts',
  runtime_mappings: 'runtime fields run scripts and are not allowed',
  index: OTHER_INDICES,
  _index: OTHER_INDICES,
  indices: OTHER_INDICES,
  indices_boost: OTHER_INDICES,
  indexed_shape: OTHER_INDICES,
  geo_shape: 'the view has no geo fields, and an indexed shape reads another index',
  more_like_this: 'more_like_this can read documents of other indices',
  percolate: 'percolate reads documents of other indices',
  pit: 'point-in-time searches are not allowed',
  stored_fields: 'stored_fields is not allowed; use _source',
  docvalue_fields: 'docvalue_fields is not allowed; use _source',
  fields: 'the fields option is not allowed; use _source',
  wrapper: 'wrapper queries hide their content and are not allowed',
  global: 'a global aggregation ignores the query, deleted documents included',
  query_string: 'use simple_query_string',
  suggest: 'suggesters can run query templates',
  knn: 'vector search is not offered by views',
  inner_hits: 'inner hits take script and stored fields of their own',
};

export const RAW_SEARCH_GRAMMAR: Grammar = {
  queries: QUERY_TYPES,
  aggregations: AGGREGATION_TYPES,
  reasons: REASONS,
  maxDepth: 64,
  maxQueryDepth: 20,
};
