import type { ElasticsearchTargetShape } from './elasticsearch-view-shape';
import { checkedIndexName, documentProblem, indexBody, IndexNaming } from './elasticsearch-shape';

const SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'Product_Search',
  id: 'product_id',
  fields: {
    product_id: { type: 'keyword', facet: false, filter: false },
    title: { type: 'text', facet: false, filter: false },
    price: { type: 'long', facet: false, filter: true },
    rating: { type: 'double', facet: false, filter: true },
    stock: { type: 'integer', facet: false, filter: true },
    listed: { type: 'boolean', facet: false, filter: true },
    listed_at: { type: 'date', facet: false, filter: true },
    tags: { type: 'keyword', facet: true, filter: true },
  },
};

describe('Elasticsearch shape', () => {
  it('names the alias after target.index and the physical index after projection and generation, lowercase', () => {
    const naming = new IndexNaming();
    expect(naming.alias(SHAPE)).toBe('prism-product_search');
    expect(naming.physical('Product_Search', 12)).toBe('prism-product_search-g12');
    expect(naming.meta).toBe('prism-meta');
    expect(() => naming.alias({ ...SHAPE, index: 'meta' })).toThrow(/bookkeeping/);
    expect(() => checkedIndexName('a*b')).toThrow(/reserved character/);
    expect(() => checkedIndexName('_x')).toThrow(/must not start/);
  });

  it('maps declared index settings and text analyzers', () => {
    const body = indexBody({
      ...SHAPE,
      fields: {
        ...SHAPE.fields,
        title: { type: 'text', facet: false, filter: false, analyzer: 'english', searchAnalyzer: 'standard' },
      },
      settings: { shards: 3, replicas: 1, refreshInterval: '30s' },
    });
    expect(body.settings).toEqual({ number_of_shards: 3, number_of_replicas: 1, refresh_interval: '30s' });
    expect(body.mappings.properties).toMatchObject({
      title: { type: 'text', analyzer: 'english', search_analyzer: 'standard' },
    });
  });

  it('maps sub-fields inside their field, as Elasticsearch multi-fields (issue #16)', () => {
    const shape: ElasticsearchTargetShape = {
      kind: 'elasticsearch',
      index: 'people',
      id: 'id',
      fields: {
        id: { type: 'keyword', facet: false, filter: false },
        city: {
          type: 'text',
          facet: false,
          filter: false,
          analyzer: 'simple',
          fields: {
            raw: { type: 'keyword', facet: true, filter: true },
            words: { type: 'text', facet: false, filter: false, analyzer: 'whitespace' },
          },
        },
      },
    };
    expect(indexBody(shape).mappings.properties).toMatchObject({
      city: {
        type: 'text',
        analyzer: 'simple',
        fields: { raw: { type: 'keyword' }, words: { type: 'text', analyzer: 'whitespace' } },
      },
      id: { type: 'keyword' },
    });
  });

  it('maps every declared field plus the tombstone flag, strictly', () => {
    const body = indexBody(SHAPE);
    expect(body.settings).toEqual({ number_of_shards: 1, auto_expand_replicas: '0-1' });
    expect(body.mappings).toEqual({
      dynamic: 'strict',
      properties: {
        _prism_deleted: { type: 'boolean' },
        product_id: { type: 'keyword' },
        title: { type: 'text' },
        price: { type: 'long' },
        rating: { type: 'double' },
        stock: { type: 'integer' },
        listed: { type: 'boolean' },
        listed_at: { type: 'date' },
        tags: { type: 'keyword' },
      },
    });
  });

  it('accepts documents of the declared types, lists of them, and nulls outside the id', () => {
    expect(
      documentProblem(SHAPE, {
        product_id: 'p1',
        title: 'Dune',
        price: 1200,
        rating: 4.5,
        stock: 3,
        listed: true,
        listed_at: '2024-05-01T10:00:00Z',
        tags: ['books', 'sf'],
      }),
    ).toBeUndefined();
    expect(
      documentProblem(SHAPE, { product_id: 'p1', title: null, listed_at: 1714557600000 }),
    ).toBeUndefined();
  });

  it.each([
    [{ title: 'x' }, /"product_id" is required/],
    [{ product_id: 'p', price: 1.5 }, /"price" \(long\) expects an integer/],
    [{ product_id: 'p', stock: 2 ** 31 }, /"stock" \(integer\) expects a 32-bit integer/],
    [{ product_id: 'p', listed: 'yes' }, /"listed" \(boolean\)/],
    [{ product_id: 'p', listed_at: 'yesterday' }, /"listed_at" \(date\)/],
    [{ product_id: 'p', tags: ['a', 3] }, /"tags" \(keyword\) expects a string, got number 3 \(in a list\)/],
    [{ product_id: 'p', colour: 'red' }, /"colour" is not declared/],
  ])('rejects %j', (document, problem) => {
    expect(documentProblem(SHAPE, document)).toMatch(problem);
  });
});
