/**
 * The registry of store modules: the one place that lists the view stores Prism ships. Everything else
 * finds a store module by the target kind a definition names (or one of its aliases).
 *
 * Tests (and, later, a team's own code) can add a module at run time with `registerStoreModule`; the list
 * below is the built-in set.
 */
import { elasticsearchStore } from './elasticsearch/elasticsearch.store';
import { memoryStore } from './memory/memory.store';
import { neo4jStore } from './neo4j/neo4j.store';
import { relationalStore } from './relational/relational.store';
import type { StoreModule } from './store-module';

const BUILT_IN: readonly StoreModule[] = [relationalStore, elasticsearchStore, neo4jStore, memoryStore];

const registered: StoreModule[] = [...BUILT_IN];

export class UnknownStoreKindError extends Error {
  constructor(readonly kind: string) {
    super(`No store module for target kind "${kind}" (known: ${storeKinds().join(', ')}).`);
  }
}

/** Every registered store module, built-in ones first. */
export function storeModules(): readonly StoreModule[] {
  return registered;
}

/** The kinds definitions can name (aliases not included). */
export function storeKinds(): string[] {
  return registered.map((module) => module.kind);
}

/** The store module of a target kind or alias, or undefined. */
export function findStoreModule(kind: string): StoreModule | undefined {
  return registered.find((module) => module.kind === kind || (module.aliases ?? []).includes(kind));
}

/** The store module of a target kind or alias; throws UnknownStoreKindError when none is registered. */
export function storeModule(kind: string): StoreModule {
  const found = findStoreModule(kind);
  if (!found) throw new UnknownStoreKindError(kind);
  return found;
}

/**
 * Adds a store module (replacing one of the same kind). Returns a function that removes it again, so a
 * test can register a store for its own run only.
 */
export function registerStoreModule(module: StoreModule): () => void {
  const taken = [module.kind, ...(module.aliases ?? [])];
  const clash = registered.find(
    (other) =>
      other.kind !== module.kind &&
      [other.kind, ...(other.aliases ?? [])].some((name) => taken.includes(name)),
  );
  if (clash) throw new Error(`Store kind "${module.kind}" clashes with the "${clash.kind}" store module.`);
  const index = registered.findIndex((other) => other.kind === module.kind);
  const previous = index >= 0 ? registered[index] : undefined;
  if (index >= 0) registered[index] = module;
  else registered.push(module);
  return () => {
    const at = registered.indexOf(module);
    if (at < 0) return;
    if (previous) registered[at] = previous;
    else registered.splice(at, 1);
  };
}
