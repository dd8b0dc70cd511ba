/** Smoke test for the harness: the official 8.x client against the real Elasticsearch node. */
import { Client } from '@elastic/elasticsearch';
import { describeWithStores, uniqueTestName } from '../support/stores';

describeWithStores(['elasticsearch'], 'Elasticsearch smoke test', (urls) => {
  const index = uniqueTestName('smoke');
  let client: Client;

  beforeAll(() => {
    client = new Client({ node: urls.elasticsearch });
  });
  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('passes the client product check', async () => {
    // info() fails with ProductNotSupportedError when the server is not a genuine Elasticsearch.
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
  });

  it('indexes 1,000 documents in bulk, then searches and aggregates them', async () => {
    await client.indices.create({
      index,
      mappings: {
        properties: { title: { type: 'text' }, colour: { type: 'keyword' }, n: { type: 'integer' } },
      },
    });
    const colours = ['red', 'green', 'blue', 'amber'];
    const operations = Array.from({ length: 1000 }, (_, i) => [
      { index: { _index: index, _id: String(i) } },
      { title: i % 10 === 0 ? `special widget ${i}` : `plain item ${i}`, colour: colours[i % 4], n: i },
    ]).flat();
    const bulk = await client.bulk({ operations, refresh: true });
    expect(bulk.errors).toBe(false);
    expect(bulk.items).toHaveLength(1000);

    const matched = await client.search({
      index,
      query: { match: { title: 'special' } },
      size: 0,
      track_total_hits: true,
    });
    expect(matched.hits.total).toEqual({ value: 100, relation: 'eq' });

    const byColour = await client.search<
      unknown,
      { colours: { buckets: { key: string; doc_count: number }[] } }
    >({
      index,
      size: 0,
      aggs: { colours: { terms: { field: 'colour' } } },
    });
    const buckets = byColour.aggregations!.colours.buckets.map((b) => [b.key, b.doc_count]).sort();
    expect(buckets).toEqual([
      ['amber', 250],
      ['blue', 250],
      ['green', 250],
      ['red', 250],
    ]);
  });
});
