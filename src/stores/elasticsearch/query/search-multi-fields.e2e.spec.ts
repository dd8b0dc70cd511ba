/**
 * Issue #16 against a real Elasticsearch, over HTTP: a text field with a keyword sub-field is searched as
 * words and faceted, sorted and filtered as whole values by its path (`city.raw`), and a named template's
 * declared facets come back like the ad-hoc search's.
 */
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

const DEFINITION = `
name: customer_search
version: 1
source: { events: [CustomerRegistered] }
target:
  kind: elasticsearch
  index: customer_search
  id: customer_id
  fields:
    customer_id: { type: keyword }
    name: { type: text, fields: { raw: { type: keyword } } }
    city: { type: text, fields: { raw: { type: keyword, facet: true, filter: true } } }
    tier: { type: keyword }
handlers:
  CustomerRegistered:
    - upsert:
        key: event.data.customerId
        set: { name: event.data.name, city: event.data.city, tier: event.data.tier }
queries:
  inCity:
    description: Customers whose city matches the words, by name, counted by city and tier.
    parameters:
      q: { type: string }
    facets: [city.raw, tier]
    search:
      query: { match: { city: '{{q}}' } }
      sort: [{ name.raw: asc }]
`;

const CUSTOMERS = [
  { customer_id: 'c1', name: 'Ada', city: 'New York', tier: 'gold' },
  { customer_id: 'c2', name: 'Bob', city: 'York', tier: 'silver' },
  { customer_id: 'c3', name: 'Cy', city: 'New York', tier: 'silver' },
  { customer_id: 'c4', name: 'Di', city: 'Paris', tier: 'gold' },
];

interface Bucket {
  readonly value: string;
  readonly count: number;
}

describeWithStores(['elasticsearch'], 'Elasticsearch multi-fields and template facets (HTTP)', (urls) => {
  const prefix = `${uniqueTestName('es_multi')}-`;
  let app: INestApplication;
  let target: ElasticsearchTarget;
  let admin: Client;
  let plan: CompiledProjection;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    admin = new Client({ node: urls.elasticsearch });
    plan = compileYamlDefinition(DEFINITION, 'customer-search.yaml');
    target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix, refresh: 'wait_for' });
    const view: ViewRef = { projection: plan.name, generation: 1, shape: plan.target };
    await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: null });
    const operations: ViewOperation[] = CUSTOMERS.map((document, i) => ({
      kind: 'put' as const,
      key: document.customer_id,
      document,
      position: BigInt(i + 1),
    }));
    await target.commit(view, { operations, checkpoint: { from: 0n, to: BigInt(CUSTOMERS.length) } });
    await target.activate(view);
    const moduleRef = await Test.createTestingModule({
      imports: [
        SearchModule.register({
          client: () => new Client({ node: urls.elasticsearch }),
          registry: () => registryOfProjections([plan], prefix),
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

  it('maps the sub-field inside its field, as Elasticsearch multi-fields', async () => {
    const index = target.naming.physical(plan.name, 1);
    const mapping = await admin.indices.getMapping({ index });
    expect(mapping[index]?.mappings.properties?.city).toEqual({
      type: 'text',
      fields: { raw: { type: 'keyword' } },
    });
  });

  it('searches the text field by words and facets its keyword sub-field by whole values', async () => {
    const response = await http().get('/views/customer_search/search').query({ q: 'york' }).expect(200);
    expect((response.body.hits as { id: string }[]).map((hit) => hit.id).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(response.body.facets['city.raw']).toEqual([
      { value: 'New York', count: 2 },
      { value: 'York', count: 1 },
    ]);
  });

  it('filters and sorts on the sub-field by its path; sorting the text field names the sub-field', async () => {
    const response = await http()
      .get('/views/customer_search/search')
      .query({ 'filter.city.raw': 'New York', sort: 'name.raw:desc' })
      .expect(200);
    expect((response.body.hits as { id: string }[]).map((hit) => hit.id)).toEqual(['c3', 'c1']);
    const refused = await http().get('/views/customer_search/search').query({ sort: 'name:asc' }).expect(400);
    expect(refused.body.message).toContain('sort on its keyword sub-field: name.raw');
  });

  it("returns a named template's declared facets, counted over its hits", async () => {
    const response = await http()
      .get('/views/customer_search/search/inCity')
      .query({ q: 'york' })
      .expect(200);
    expect((response.body.hits as { id: string }[]).map((hit) => hit.id)).toEqual(['c1', 'c2', 'c3']);
    expect(response.body.facets as Record<string, Bucket[]>).toEqual({
      'city.raw': [
        { value: 'New York', count: 2 },
        { value: 'York', count: 1 },
      ],
      tier: [
        { value: 'silver', count: 2 },
        { value: 'gold', count: 1 },
      ],
    });
  });
});
