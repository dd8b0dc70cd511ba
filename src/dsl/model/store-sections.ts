/**
 * The parts of the DSL that come from the registered store modules (src/stores/registry.ts): the target
 * union of the schema, the query-language fields of a named query, and, for a validated target section,
 * its store's DSL section. Built at call time and rebuilt when the registry changes, so a store module
 * registered at run time is validated (and described in the JSON Schema) like a built-in one.
 */
import { z } from 'zod';
import { findStoreModule, storeModule, storeModules } from '../../stores/registry';
import type { StoreDsl, StoreQueryLanguage, TargetSection, TargetView } from '../../stores/store-dsl';
import type { StoreModule } from '../../stores/store-module';

/** A store module that definitions can name: one with a `target:` section (the memory store has none). */
export type DefinableStoreModule = StoreModule & { readonly dsl: StoreDsl };

function isDefinable(module: StoreModule): module is DefinableStoreModule {
  return module.dsl !== undefined;
}

/** The registered store modules definitions can name, built-in ones first. */
export function definableStores(): DefinableStoreModule[] {
  return storeModules().filter(isDefinable);
}

/** A value built from the registered store modules, rebuilt when a module is registered or removed. */
function perRegistry<T>(build: (modules: readonly DefinableStoreModule[]) => T): () => T {
  let seen: readonly DefinableStoreModule[] = [];
  let built: { readonly value: T } | undefined;
  return () => {
    const modules = definableStores();
    if (!built || modules.length !== seen.length || modules.some((module, i) => module !== seen[i])) {
      seen = [...modules];
      built = { value: build(seen) };
    }
    return built.value;
  };
}

/** The input a target section accepts: its kind and the store's own fields. */
export type TargetSectionInput = { readonly kind: string } & Readonly<Record<string, unknown>>;

/**
 * One store's section as part of the union: its `kind` also accepts the module's aliases and reads them as
 * the kind (`postgres` -> `relational`), and says so in the JSON Schema.
 */
function sectionSchema(module: DefinableStoreModule): z.ZodObject {
  const aliases = module.aliases ?? [];
  if (aliases.length === 0) return module.dsl.schema;
  const declared = (module.dsl.schema.shape as Record<string, z.ZodType>).kind?.description;
  const note = `${aliases.map((alias) => `"${alias}"`).join(', ')} ${aliases.length === 1 ? 'is an alias' : 'are aliases'}, read as "${module.kind}".`;
  const kind = z
    .literal([module.kind, ...aliases])
    .describe(declared === undefined ? note : `${declared} ${note}`)
    .transform(() => module.kind);
  return module.dsl.schema.extend({ kind });
}

/** The `target:` section: one branch per registered store, told apart by `kind`. */
export const targetSchema: () => z.ZodType<TargetSection, TargetSectionInput> = perRegistry(
  (modules) =>
    z.discriminatedUnion(
      'kind',
      modules.map(sectionSchema) as [z.ZodObject, ...z.ZodObject[]],
    ) as unknown as z.ZodType<TargetSection, TargetSectionInput>,
);

/** The query languages of the registered stores, each with the kind of its store. */
export const queryLanguages: () => readonly (StoreQueryLanguage & { readonly kind: string })[] = perRegistry(
  (modules) =>
    modules.flatMap((module) => (module.dsl.queries ? [{ ...module.dsl.queries, kind: module.kind }] : [])),
);

/** The kinds a target may name, and every accepted spelling (kinds and aliases), for messages. */
export function targetKindNames(): { readonly kinds: string[]; readonly names: string[] } {
  const modules = definableStores();
  return {
    kinds: modules.map((module) => module.kind),
    names: modules.flatMap((module) => [module.kind, ...(module.aliases ?? [])]),
  };
}

/** The DSL section of a validated target section's store (its kind is a registered one). */
export function storeDslOf(section: TargetSection): StoreDsl {
  const module = storeModule(section.kind);
  if (!isDefinable(module)) throw new Error(`The ${module.kind} store has no target section.`);
  return module.dsl;
}

/** The store module of a raw target section's kind or alias, if one is registered. */
export function storeModuleOfKind(kind: unknown): DefinableStoreModule | undefined {
  const module = typeof kind === 'string' ? findStoreModule(kind) : undefined;
  return module && isDefinable(module) ? module : undefined;
}

/** What the section's actions write: a document view's fields, or a graph's labels and types. */
export function targetViewOf(section: TargetSection): TargetView {
  return storeDslOf(section).view(section);
}
