/**
 * The view stores of this process: one per store module with settings (read by each module's `connection`
 * section from the environment or from the Nest module's options), each with its ONE connection, opened
 * here and shared by the store's target, its query API and its health probe (src/stores/store-connection.ts).
 *
 * Nothing here names a store: adding one is its folder plus a registry line.
 */
import type { ConnectionLogger } from '../core/connection-watch';
import { storeModules } from '../stores/registry';
import { type OpenedStore, viewStoreName } from '../stores/store-connection';
import type { StoreModule } from '../stores/store-module';

export interface ViewStore {
  readonly module: StoreModule;
  /** How health, readiness, logs and the banner name it (e.g. `postgres` for `postgres_views`). */
  readonly name: string;
  readonly settings: unknown;
  /** The process's one connection to the store. */
  readonly connection: OpenedStore;
}

/** Opens the one connection of every configured view store (no I/O yet: clients connect lazily). */
export function openViewStores(
  viewStores: Readonly<Record<string, unknown>>,
  logger: ConnectionLogger,
): ViewStore[] {
  return storeModules().flatMap((module) => {
    const settings = viewStores[module.kind];
    if (settings === undefined) return [];
    return [
      {
        module,
        name: viewStoreName(module),
        settings,
        connection: module.connection.open(settings, { logger }),
      },
    ];
  });
}

/** Where each kind of view lives, for the start-up banner (never includes credentials). */
export function describeViewStores(stores: readonly ViewStore[]): string {
  return stores
    .map((store) => `${store.name} views -> ${store.module.connection.describe(store.settings)}`)
    .join(', ');
}

/**
 * The targets keyed the way definitions name them: by each store's kind and its aliases, so a definition
 * naming an alias finds its target too.
 */
export function targetsByKind<T>(targets: ReadonlyMap<StoreModule, T>): Record<string, T> {
  const byKind: Record<string, T> = {};
  for (const [module, target] of targets)
    for (const kind of [module.kind, ...(module.aliases ?? [])]) byKind[kind] = target;
  return byKind;
}
