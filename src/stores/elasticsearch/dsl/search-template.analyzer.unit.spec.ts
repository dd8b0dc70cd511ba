import { analyzeSearchTemplate } from './search-template.analyzer';

describe('analyzeSearchTemplate', () => {
  it('finds parameter holes and field references with their paths', () => {
    const analysis = analyzeSearchTemplate({
      size: '{{size}}',
      query: {
        bool: {
          must: [{ multi_match: { query: '{{q}}', fields: ['title^2', 'description.english'] } }],
          filter: [
            { term: { category: { value: '{{category}}', boost: 2 } } },
            { range: { price: { lte: '{{max}}' } } },
            { exists: { field: 'tags' } },
          ],
        },
      },
      sort: ['_score', { price: 'asc' }],
      aggs: { categories: { terms: { field: 'category', size: 10 } } },
      // a field chosen by a parameter is checked when the query runs
      highlight: { fields: ['{{highlightField}}'] },
    });
    expect(analysis.parameters.map((reference) => reference.name)).toEqual([
      'size',
      'q',
      'category',
      'max',
      'highlightField',
    ]);
    expect(analysis.fields.map((reference) => reference.name)).toEqual([
      'title',
      'description.english',
      'category',
      'price',
      'tags',
      'price',
      'category',
    ]);
    expect(analysis.fields[2]).toEqual({
      name: 'category',
      path: ['query', 'bool', 'filter', 0, 'term', 'category'],
      isKey: true,
    });
  });

  it('does not take mustache helpers for parameters, and refuses them (the renderer fills whole values only)', () => {
    const analysis = analyzeSearchTemplate({ query: { terms: { tags: '{{#toJson}}tags{{/toJson}}' } } });
    expect(analysis.parameters).toEqual([]);
    expect(analysis.fields.map((reference) => reference.name)).toEqual(['tags']);
    expect(analysis.findings.map((finding) => finding.kind)).toEqual(['placement']);
  });
});

describe('analyzeSearchTemplate: unsafe templates (issue #12)', () => {
  const findings = (template: Parameters<typeof analyzeSearchTemplate>[0]) =>
    analyzeSearchTemplate(template).findings.map((finding) => [finding.kind, finding.path.join('.')]);

  it('refuses scripts anywhere, runtime fields and other indices', () => {
    expect(
      findings({
        query: {
          bool: {
            must: [{ script_score: { query: { match_all: {} }, script: { source: '1' } } }],
            filter: [
              { terms_set: { tags: { terms: ['a'], minimum_should_match_script: { source: '1' } } } },
              { terms: { tags: { index: 'secrets', id: '1', path: 'tags' } } },
              { geo_shape: { location: { indexed_shape: { index: 'shapes', id: 'x', path: 'p' } } } },
            ],
          },
        },
        runtime_mappings: { x: { type: 'long' } },
      }),
    ).toEqual([
      ['forbidden', 'query.bool.must.0.script_score'],
      ['forbidden', 'query.bool.filter.0.terms_set.tags.minimum_should_match_script'],
      ['forbidden', 'query.bool.filter.1.terms.tags.index'],
      ['forbidden', 'query.bool.filter.2.geo_shape.location.indexed_shape.index'],
      ['forbidden', 'runtime_mappings'],
    ]);
  });

  it('refuses holes used as keys or inside longer strings', () => {
    expect(
      findings({
        query: {
          bool: {
            must: [{ query_string: { query: 'title:{{q}}' } }, { term: { '{{field}}': '{{value}}' } }],
            filter: [{ match: { title: '{{a}}{{b}}' } }],
          },
        },
      }),
    ).toEqual([
      ['placement', 'query.bool.must.0.query_string.query'],
      ['placement', 'query.bool.must.1.term.{{field}}'],
      ['placement', 'query.bool.filter.0.match.title'],
    ]);
  });

  it('lists the holes given as counts (size, from) for the type check', () => {
    const analysis = analyzeSearchTemplate({ size: '{{size}}', from: '{{from}}', query: { match_all: {} } });
    expect(analysis.counts.map((count) => count.name)).toEqual(['size', 'from']);
    expect(analysis.findings).toEqual([]);
  });
});
