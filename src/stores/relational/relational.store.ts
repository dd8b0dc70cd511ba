/** The PostgreSQL or SQLite store module (see ../store-module.ts): what the core knows about this store, in one place. */
import type { StoreModule } from '../store-module';
import { relationalChecks } from './relational.checks';
import { relationalConnection } from './relational.connection';
import { relationalDsl } from './relational.dsl';

export const relationalStore = {
  kind: 'relational',
  aliases: ['postgres'],
  title: 'PostgreSQL or SQLite',
  capabilities: {
    transactional: true,
    readsState: true,
    segments: true,
    keepsLookups: true,
    findsKeys: true,
  },
  checks: relationalChecks,
  connection: relationalConnection,
  dsl: relationalDsl,
} as const satisfies StoreModule;
