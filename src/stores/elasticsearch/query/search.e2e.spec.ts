import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { describeWithStores, uniqueTestName } from '../../../../test/support/stores';
import type { CompiledProjection, ViewOperation } from '../../../core/plan';
import { compileYamlDefinition } from '../../../dsl';
import { deleteIndicesWithPrefix } from '../elasticsearch-cleanup';
import { ElasticsearchTarget } from '../elasticsearch.target';
import type { ViewRef } from '../../target.port';
import { SearchModule } from './search.module';
import { registryOfProjections } from './search-view.registry';

const CATEGORIES = ['books', 'games', 'music'];

interface Hit {
  readonly id: string;
  readonly document: { readonly price: number };
}
const hitsOf = (response: { body: unknown }): Hit[] => (response.body as { hits: Hit[] }).hits;

function product(i: number) {
  return {
    product_id: `p${String(i).padStart(3, '0')}`,
    title: i % 5 === 0 ? `Dune volume ${i}` : `Widget number ${i}`,
    description: i % 5 === 0 ? 'A desert planet saga' : 'A useful widget',
    category: CATEGORIES[i % 3]!,
    price: i * 10,
    tags: i % 2 === 0 ? ['even', 'sale'] : ['odd'],
    listed: i % 7 !== 0,
  };
}

/** The real client, noting each search body it sends (the store itself answers, nothing is mocked). */
function recordingSearches(client: Client, searched: unknown[]): Client {
  const search = client.search.bind(client) as (request: unknown) => Promise<unknown>;
  (client as unknown as { search: (request: unknown) => Promise<unknown> }).search = (request) => {
    searched.push(request);
    return search(request);
  };
  return client;
}

describeWithStores(['elasticsearch'], 'search API over an Elasticsearch view (HTTP)', (urls) => {
  const prefix = `${uniqueTestName('es_search')}-`;
  let app: INestApplication;
  let target: ElasticsearchTarget;
  let admin: Client;
  let plan: CompiledProjection;
  /** Bodies the API sent to Elasticsearch's _search: a refused raw body must never get there. */
  const searched: unknown[] = [];
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    admin = new Client({ node: urls.elasticsearch });
    plan = compileYamlDefinition(
      readFileSync(path.join(__dirname, '../../../../projections/product-search.yaml'), 'utf8'),
      'product-search.yaml',
    );
    target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    const view: ViewRef = { projection: plan.name, generation: 1, shape: plan.target };
    await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: null });
    const operations: ViewOperation[] = Array.from({ length: 60 }, (_, i) => ({
      kind: 'put' as const,
      key: product(i + 1).product_id,
      document: product(i + 1),
      position: BigInt(i + 1),
    }));
    // p060 is deleted: its tombstone must never show up in results, counts or facets.
    operations.push({ kind: 'delete', key: 'p060', position: 61n });
    await target.commit(view, { operations, checkpoint: { from: 0n, to: 61n } });
    await target.activate(view);

    const moduleRef = await Test.createTestingModule({
      imports: [
        SearchModule.register({
          client: () => recordingSearches(new Client({ node: urls.elasticsearch }), searched),
          registry: () => registryOfProjections([plan], prefix),
          limits: { timeout: '2s', terminateAfter: 10_000 },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await target?.close();
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  it('lists every live document, excluding tombstones, with facet counts', async () => {
    const response = await http().get('/views/product_search/search').expect(200);
    expect(response.body.total).toBe(59);
    expect(response.body.hits).toHaveLength(20);
    expect(response.body.hits[0].document).toEqual(product(1));
    const categories = Object.fromEntries(
      (response.body.facets.category as { value: string; count: number }[]).map((b) => [b.value, b.count]),
    );
    expect(categories).toEqual({ books: 19, games: 20, music: 20 });
    expect(response.body.facets.tags).toEqual(
      expect.arrayContaining([
        { value: 'odd', count: 30 },
        { value: 'even', count: 29 },
      ]),
    );
  });

  it('searches text with highlights and combines it with filters', async () => {
    const response = await http()
      .get('/views/product_search/search')
      .query({ q: 'dune', 'filter.listed': 'true', 'filter.price.gte': '100' })
      .expect(200);
    // Dune products: multiples of 5 (5..55 live; 60 deleted); >= price 100 -> 10..55; listed excludes 35.
    expect(
      hitsOf(response)
        .map((h) => h.id)
        .sort(),
    ).toEqual(['p010', 'p015', 'p020', 'p025', 'p030', 'p040', 'p045', 'p050', 'p055']);
    expect(response.body.hits[0].highlight.title[0]).toMatch(/<em>Dune<\/em>/);
  });

  it('filters keywords by any-of and numbers by range, sorts, and pages with an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = {
        'filter.category': 'books,music',
        'filter.price.lt': '300',
        sort: 'price:desc',
        size: '7',
      };
      if (cursor !== null) query.cursor = cursor;
      const response = await http().get('/views/product_search/search').query(query).expect(200);
      expect(response.body.total).toBe(19);
      seen.push(...hitsOf(response).map((h) => String(h.document.price)));
      cursor = response.body.next as string | null;
    } while (cursor !== null);
    const expected = Array.from({ length: 29 }, (_, i) => i + 1)
      .filter((i) => i % 3 !== 1)
      .map((i) => i * 10)
      .sort((a, b) => b - a)
      .map(String);
    expect(seen).toEqual(expected);
  });

  it.each([
    [{ 'filter.colour': 'red' }, 'filter.colour', /no field "colour"/],
    [{ 'filter.title': 'x' }, 'filter.title', /not declared with filter: true/],
    [{ 'filter.price.gte': 'cheap' }, 'filter.price.gte', /expected an integer/],
    [{ 'filter.category.gte': 'a' }, 'filter.category.gte', /ranges apply to numeric and date fields/],
    [{ 'filter.listed': 'maybe' }, 'filter.listed', /true or false/],
    [{ size: '101' }, 'size', /1 to 100/],
    [{ sort: 'title:asc' }, 'sort', /cannot be sorted/],
    [{ cursor: '!!!' }, 'cursor', /not a cursor/],
    [{ cursor: '\u0000' }, 'cursor', /not a cursor/],
    [{ page: '2' }, 'page', /unknown parameter/],
  ])('rejects %j with a 400 naming the parameter', async (query, field, message) => {
    const response = await http().get('/views/product_search/search').query(query).expect(400);
    expect(response.body.field).toBe(field);
    expect(response.body.message).toMatch(message);
  });

  it('refuses a cursor nested 5,000 deep with a 400 naming it (issue #12)', async () => {
    const cursor = Buffer.from(`${'['.repeat(5_000)}1${']'.repeat(5_000)}`).toString('base64url');
    const response = await http().get('/views/product_search/search').query({ cursor }).expect(400);
    expect(response.body).toMatchObject({ field: 'cursor' });
    expect(response.body.message).toMatch(/not a cursor/);
  });

  it('answers 404 for an unknown view or template', async () => {
    expect((await http().get('/views/nope/search').expect(404)).body.message).toMatch(
      /no search view "nope"/,
    );
    expect((await http().get('/views/product_search/search/nope').expect(404)).body.message).toMatch(
      /declared: search, byCategory/,
    );
  });

  it('runs a declared search template with typed parameters and defaults', async () => {
    const response = await http()
      .get('/views/product_search/search/byCategory')
      .query({ category: 'games' })
      .expect(200);
    // games: i % 3 === 1 among 1..59; listed excludes multiples of 7 (7, 28, 49).
    const expected = Array.from({ length: 59 }, (_, i) => i + 1).filter((i) => i % 3 === 1 && i % 7 !== 0);
    expect(response.body.total).toBe(expected.length);
    expect(hitsOf(response).map((h) => h.document.price)).toEqual(expected.slice(0, 10).map((i) => i * 10));
    const search = await http()
      .get('/views/product_search/search/search')
      .query({ q: 'dune', maxPrice: '200', size: '3' })
      .expect(200);
    expect(search.body.hits).toHaveLength(3);
    expect(hitsOf(search).every((h) => h.document.price <= 200)).toBe(true);
    // A parameter value is data, never JSON structure.
    const injected = await http()
      .get('/views/product_search/search/byCategory')
      .query({ category: '"}},{"match_all":{}},{"term":{"x":"' })
      .expect(200);
    expect(injected.body.total).toBe(0);
    expect(
      (await http().get('/views/product_search/search/search').query({ q: 'x', maxPrice: 'ten' }).expect(400))
        .body.field,
    ).toBe('maxPrice');
    expect((await http().get('/views/product_search/search/search').expect(400)).body.message).toMatch(
      /"q".*required/,
    );
    expect(
      (await http().get('/views/product_search/search/search').query({ q: 'x', size: '500' }).expect(400))
        .body.path,
    ).toBe('size');
  });

  it('runs a raw query against the view only, hiding tombstones, and answers 200', async () => {
    const response = await http()
      .post('/views/product_search/search/raw')
      .send({
        query: { terms: { product_id: ['p001', 'p060'] } },
        aggs: { max_price: { max: { field: 'price' } } },
      })
      .expect(200);
    expect(hitsOf(response).map((h) => h.id)).toEqual(['p001']);
    expect(response.body.aggregations.max_price.value).toBe(10);
  });

  it('still runs the allowed raw queries and aggregations (match, term, range, bool; terms, range, histogram, avg, sum)', async () => {
    searched.length = 0;
    const response = await http()
      .post('/views/product_search/search/raw')
      .send({
        size: 5,
        query: {
          bool: {
            must: [{ match: { title: 'dune' } }],
            filter: [{ term: { listed: true } }, { range: { price: { gte: 100, lte: 300 } } }],
          },
        },
        sort: [{ price: 'asc' }],
        aggs: {
          by_category: { terms: { field: 'category' }, aggs: { total: { sum: { field: 'price' } } } },
          bands: { range: { field: 'price', ranges: [{ to: 200 }, { from: 200 }] } },
          spread: { histogram: { field: 'price', interval: 100 } },
          average: { avg: { field: 'price' } },
        },
      })
      .expect(200);
    // Dune products are multiples of 5; 100..300 and listed (not a multiple of 7): 10, 15, 20, 25, 30.
    expect(hitsOf(response).map((h) => h.document.price)).toEqual([100, 150, 200, 250, 300]);
    const aggregations = response.body.aggregations as {
      by_category: { buckets: { key: string; doc_count: number; total: { value: number } }[] };
      bands: { buckets: { doc_count: number }[] };
      spread: { buckets: { key: number; doc_count: number }[] };
      average: { value: number };
    };
    expect(aggregations.average.value).toBe(200);
    expect(aggregations.bands.buckets.map((b) => b.doc_count)).toEqual([2, 3]);
    expect(aggregations.spread.buckets.map((b) => [b.key, b.doc_count])).toEqual([
      [100, 2],
      [200, 2],
      [300, 1],
    ]);
    const sums = aggregations.by_category.buckets.map((b) => b.total.value).reduce((a, b) => a + b, 0);
    expect(sums).toBe(1000);
    expect(searched).toHaveLength(1);
  });

  it.each([
    [{ query: { match_all: {} }, index: 'other' }, /^index$/, /index references/],
    [
      { query: { terms: { category: { index: `${'prism'}-meta`, id: 'x', path: 'kind' } } } },
      /index$/,
      /index references/,
    ],
    [
      { query: { more_like_this: { like: [{ _index: 'x', _id: '1' }] } } },
      /more_like_this$/,
      /other indices/,
    ],
    [{ query: { script: { script: { source: '1' } } } }, /script$/, /scripts/],
    [{ query: { function_score: { script_score: { script: '1' } } } }, /function_score$/, /scripts/],
    [{ aggs: { s: { scripted_metric: {} } } }, /scripted_metric$/, /scripts/],
    [{ runtime_mappings: { x: { type: 'keyword' } } }, /runtime_mappings/, /runtime fields/],
    [{ stored_fields: ['*'] }, /stored_fields/, /stored_fields/],
    [{ size: 1000 }, /^size$/, /0 to 100/],
    [{ query: { wrapper: { query: 'e30=' } } }, /wrapper$/, /wrapper/],
  ])('rejects raw body %j', async (body, pathPattern, message) => {
    const response = await http().post('/views/product_search/search/raw').send(body).expect(400);
    expect(response.body.path).toMatch(pathPattern);
    expect(response.body.message).toMatch(message);
  });

  describe('escapes to other indices are refused before reaching Elasticsearch (issue #12)', () => {
    const shapes = `${prefix}shapes`;
    beforeAll(async () => {
      await admin.indices.create({
        index: shapes,
        // The test node has no geo module: the shape is kept as plain data, the escape is the same.
        mappings: {
          properties: { location: { type: 'object', enabled: false }, category: { type: 'keyword' } },
        },
      });
      await admin.index({
        index: shapes,
        id: 'everywhere',
        refresh: true,
        document: {
          location: {
            type: 'envelope',
            coordinates: [
              [-180, 90],
              [180, -90],
            ],
          },
          category: ['books', 'games', 'music'],
        },
      });
    });

    it.each([
      [
        'a geo_shape query with an indexed shape of another index',
        {
          query: {
            geo_shape: { location: { indexed_shape: { index: shapes, id: 'everywhere', path: 'location' } } },
          },
        },
        'query.geo_shape',
        /not an allowed query type/,
      ],
      [
        'a terms lookup of another index',
        {
          query: {
            bool: {
              filter: [{ terms: { category: { index: shapes, id: 'everywhere', path: 'category' } } }],
            },
          },
        },
        'query.bool.filter[0].terms.category.index',
        /index references are not allowed/,
      ],
      [
        'a script in terms_set.minimum_should_match_script',
        { query: { terms_set: { tags: { terms: ['odd'], minimum_should_match_script: { source: '1' } } } } },
        'query.terms_set.tags.minimum_should_match_script',
        /scripts are not allowed/,
      ],
    ])('%s', async (_, body, path, message) => {
      searched.length = 0;
      const response = await http().post('/views/product_search/search/raw').send(body).expect(400);
      expect(response.body).toMatchObject({ path });
      expect(response.body.message).toContain(`"${path}"`);
      expect(response.body.message).toMatch(message);
      expect(searched).toEqual([]);
    });
  });

  it('refuses a raw body nested 1,000 deep with a 400 naming where (issue #12)', async () => {
    let clause: unknown = { match_all: {} };
    for (let i = 0; i < 1_000; i++) clause = { bool: { must: [clause] } };
    searched.length = 0;
    const response = await http()
      .post('/views/product_search/search/raw')
      .send({ query: clause })
      .expect(400);
    expect(response.body.message).toMatch(/nest deeper than 20 levels/);
    expect(response.body.path).toMatch(/^query(\.bool\.must\[0\])+$/);
    expect(searched).toEqual([]);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'answers 404 for the template name %s, which is no declared template (issue #12)',
    async (name) => {
      const response = await http().get(`/views/product_search/search/${name}`).expect(404);
      expect(response.body.message).toMatch(
        new RegExp(`no search template "${name}"; declared: search, byCategory`),
      );
    },
  );

  it.each(['constructor', '__proto__', 'toString'])(
    'refuses %s as a template parameter or a filter field with a 400 naming it (issue #12)',
    async (name) => {
      const template = await http()
        .get(`/views/product_search/search/byCategory?category=books&${name}=1`)
        .expect(400);
      expect(template.body.field).toBe(name);
      const filter = await http().get(`/views/product_search/search?filter.${name}=1`).expect(400);
      expect(filter.body).toMatchObject({ field: `filter.${name}` });
      expect(filter.body.message).toMatch(`no field "${name}"`);
      const sort = await http().get(`/views/product_search/search?sort=${name}:asc`).expect(400);
      expect(sort.body.message).toMatch(`no field "${name}"`);
    },
  );

  it('reports a query Elasticsearch cannot parse as a 400, and the meta index stays unreachable', async () => {
    const response = await http()
      .post('/views/product_search/search/raw')
      .send({ query: { match: { title: { query: 'dune', operator: 'sometimes' } } } })
      .expect(400);
    expect(response.body.message).toMatch(/Elasticsearch rejected the query/);
  });
});
