/** The Target contract on Elasticsearch: a document view without transactions. */
import { Client } from '@elastic/elasticsearch';
import { CONTRACT_INDEX_SHAPE, targetContract } from '../../../test/contract/target.contract';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import { elasticsearchStore } from './elasticsearch.store';
import { ElasticsearchTarget } from './elasticsearch.target';

describeWithStores(['elasticsearch'], 'Elasticsearch target contract', (urls) => {
  const prefix = `${uniqueTestName('es_contract')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  afterAll(async () => {
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  targetContract({
    name: 'Elasticsearch',
    store: elasticsearchStore,
    shape: CONTRACT_INDEX_SHAPE,
    create: () => ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix }),
    readActive: (target, shape) => (target as ElasticsearchTarget).readActive(shape),
  });
});
