/** The Elasticsearch store module (see ../store-module.ts): what the core knows about this store, in one place. */
import type { StoreModule } from '../store-module';
import { elasticsearchChecks } from './elasticsearch.checks';
import { elasticsearchConnection } from './elasticsearch.connection';
import { elasticsearchDsl } from './elasticsearch.dsl';

export const elasticsearchStore = {
  kind: 'elasticsearch',
  title: 'Elasticsearch',
  capabilities: {
    transactional: false,
    readsState: true,
    segments: true,
    keepsLookups: true,
    findsKeys: true,
  },
  checks: elasticsearchChecks,
  connection: elasticsearchConnection,
  dsl: elasticsearchDsl,
} as const satisfies StoreModule;
