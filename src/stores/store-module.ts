/**
 * A store module: everything Prism knows about one kind of view store, in that store's folder
 * (src/stores/<store>/). The core (dsl, compiler, runtime, admin, health, config, app wiring) asks the
 * registry (registry.ts) for a store module by the target kind a definition names, and never names a store.
 *
 * A module has one section per job, each defined next to the code that consumes it:
 *  - `capabilities`: what the runtime and the checks may rely on (store-capabilities.ts);
 *  - `dsl`: the definition's `target:` section (schema, checks, the view shape it gives);
 *  - `connection`: how the store is configured and connected (one client per process, shared by the target,
 *    the query API and the health probe);
 *  - `checks`: the store's shape diff and entry diff for `plan` and `verify`.
 *
 * Adding a store = its folder (with a `<store>.store.ts` exporting its module) + one line in registry.ts.
 */
import type { StoreCapabilities } from './store-capabilities';
import type { StoreChecks } from './store-checks';
import type { StoreConnection } from './store-connection';
import type { StoreDsl } from './store-dsl';

export interface StoreModule {
  /** The target kind definitions name (`target.kind`), e.g. `relational`. */
  readonly kind: string;
  /** Other accepted spellings of the kind, normalized to `kind` when a definition is read. */
  readonly aliases?: readonly string[];
  /** Human name for banners and messages, e.g. "PostgreSQL or SQLite". */
  readonly title: string;
  readonly capabilities: StoreCapabilities;
  readonly checks: StoreChecks;
  readonly connection: StoreConnection;
  /**
   * The definition's `target:` section of this store. Absent for a store definitions cannot name: the memory
   * store holds views of the other stores' shapes (tests, `verify`'s scratch view) and has no section of its own.
   */
  readonly dsl?: StoreDsl;
}
