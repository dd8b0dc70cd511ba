import { Client } from '@elastic/elasticsearch';
import { targetContract } from '../../../test/contract/target.contract';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import type { ElasticsearchTargetShape } from './elasticsearch-view-shape';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import type { ElasticsearchFieldDeclaration } from './elasticsearch-shape';
import { ElasticsearchTarget } from './elasticsearch.target';

/** The contract's relational `contract_orders` shape, as an index; `status` and `total` are required. */
const fields: Record<string, ElasticsearchFieldDeclaration> = {
  order_id: { type: 'keyword', facet: false, filter: true },
  status: { type: 'keyword', facet: true, filter: true, nullable: false },
  total: { type: 'integer', facet: false, filter: true, nullable: false },
  note: { type: 'text', facet: false, filter: false },
};
const CONTRACT_INDEX_SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'contract_orders',
  id: 'order_id',
  fields,
};

describeWithStores(['elasticsearch'], 'Elasticsearch target contract', (urls) => {
  const prefix = `${uniqueTestName('es_contract')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  afterAll(async () => {
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  targetContract({
    name: 'Elasticsearch',
    shape: CONTRACT_INDEX_SHAPE,
    create: () => ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix }),
    readActive: (target, shape) => (target as ElasticsearchTarget).readActive(shape),
  });
});
