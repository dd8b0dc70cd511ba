/** The Neo4j store module (see ../store-module.ts): what the core knows about this store, in one place. */
import type { StoreModule } from '../store-module';
import { neo4jChecks } from './neo4j.checks';
import { neo4jConnection } from './neo4j.connection';
import { neo4jDsl } from './neo4j.dsl';

export const neo4jStore = {
  kind: 'neo4j',
  title: 'Neo4j',
  capabilities: { transactional: true, readsState: false, segments: false, keepsLookups: true },
  checks: neo4jChecks,
  connection: neo4jConnection,
  dsl: neo4jDsl,
} as const satisfies StoreModule;
