/** The Neo4j store module (see ../store-module.ts): what the core knows about this store, in one place. */
import type { StoreModule } from '../store-module';
import { neo4jChecks } from './neo4j.checks';
import { neo4jConnection } from './neo4j.connection';
import { neo4jDsl } from './neo4j.dsl';

export const neo4jStore = {
  kind: 'neo4j',
  title: 'Neo4j',
  capabilities: {
    transactional: true,
    readsState: false,
    segments: false,
    keepsLookups: true,
    // Each Neo4j commit has a high fixed cost (issue #17): purchase_graph on the tuned server caught up
    // at 0.40× the raw UNWIND limit in 5,000-event transactions and 0.49× in 10,000-event ones
    // (bench/neo4j-projection.bench.ts --batch, src/stores/neo4j/README.md).
    catchUpBatchSize: 10_000,
  },
  checks: neo4jChecks,
  connection: neo4jConnection,
  dsl: neo4jDsl,
} as const satisfies StoreModule;
