/**
 * The jsonfile store module (src/stores/store-module.ts): a view store that lives only under test/, added
 * at run time with `registerStoreModule`, to prove that a store is its folder plus a registry entry.
 */
import type { StoreModule } from '../../src/stores/store-module';
import { jsonFileChecks } from './jsonfile.checks';
import { jsonFileConnection } from './jsonfile.connection';
import { jsonFileDsl } from './jsonfile.dsl';
import { JSONFILE_KIND } from './jsonfile-view-shape';

export const jsonFileStore = {
  kind: JSONFILE_KIND,
  title: 'JSON files (test store)',
  capabilities: { transactional: true, readsState: true },
  checks: jsonFileChecks,
  connection: jsonFileConnection,
  dsl: jsonFileDsl,
} as const satisfies StoreModule;
