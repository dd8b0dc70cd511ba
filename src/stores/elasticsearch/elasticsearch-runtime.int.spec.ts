import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { compileYamlDefinition } from '../../dsl';
import { createEmbeddedEventStore } from '../../eventstore/embedded/embedded-event-store';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import { ElasticsearchTarget } from './elasticsearch.target';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeWithStores(['elasticsearch'], 'runtime on the Elasticsearch target', (urls) => {
  const prefix = `${uniqueTestName('es_runtime')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  afterAll(async () => {
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  it('builds order_search from the log and parks the event whose document Elasticsearch rejects', async () => {
    const plan = compileYamlDefinition(
      readFileSync(path.join(__dirname, '../../../projections/order-search.yaml'), 'utf8'),
      'order-search.yaml',
    );
    const store = createEmbeddedEventStore({ file: ':memory:' });
    const target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    const runtime = new ProjectionRuntime({ store, targets: { elasticsearch: target }, logger: silent });
    try {
      const place = (orderId: string, customerId: string) => ({
        type: 'OrderPlaced',
        data: { orderId, customerId, placedAt: '2024-05-01T10:00:00.000Z' },
      });
      const item = (orderId: string, productId: string) => ({
        type: 'ItemAdded',
        data: { orderId, productId, qty: 2, price: 5 },
      });
      await store.append(
        'order-1',
        [place('o1', 'c1'), item('o1', 'p1'), item('o1', 'p2'), item('o1', 'p1')],
        'any',
      );
      // A keyword longer than Lucene's 32766-byte term limit: the shape check passes, Elasticsearch refuses it.
      await store.append('order-2', [place('o2', 'x'.repeat(40_000))], 'any');
      await store.append(
        'order-3',
        [place('o3', 'c3'), { type: 'OrderShipped', data: { orderId: 'o3' } }],
        'any',
      );
      const head = await store.headPosition();

      await runtime.start([plan]);
      await runtime.waitForCheckpoint(plan.name, head, 30_000);

      const parked = await runtime.listParked(plan.name);
      expect(parked.map((p) => [p.eventType, p.keys])).toEqual([['OrderPlaced', ['o2']]]);
      expect(parked[0]?.reason).toMatch(/Elasticsearch rejected it/);
      const documents = await target.readActive(plan.target);
      expect(documents).toEqual([
        {
          order_id: 'o1',
          customer_id: 'c1',
          status: 'placed',
          item_count: 6,
          total: 30,
          placed_at: '2024-05-01T10:00:00.000Z',
          product_ids: ['p1', 'p2'],
        },
        {
          order_id: 'o3',
          customer_id: 'c3',
          status: 'shipped',
          item_count: 0,
          total: 0,
          placed_at: '2024-05-01T10:00:00.000Z',
          product_ids: [],
        },
      ]);
    } finally {
      await runtime.stop();
      await target.close();
      await store.close();
    }
  });
});
