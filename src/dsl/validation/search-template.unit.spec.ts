import { analyzeSearchTemplate } from './search-template';

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
      'description',
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

  it('ignores mustache helpers and understands sections', () => {
    const analysis = analyzeSearchTemplate({ query: { terms: { tags: '{{#toJson}}tags{{/toJson}}' } } });
    expect(analysis.parameters).toEqual([]);
    expect(analysis.fields.map((reference) => reference.name)).toEqual(['tags']);
  });
});
