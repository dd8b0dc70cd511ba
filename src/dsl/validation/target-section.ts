/**
 * The `target:` section, whatever store it names: parsed by its store's schema, salvaged when only some
 * declarations failed (so one typo in the target does not hide every other error of the file), and checked
 * by its store (src/stores/<store>/<store>.dsl.ts). The store is found by the section's `kind` or alias.
 */
import { isPlainObject } from '../../core/json';
import type { SalvagedSection, TargetSection } from '../../stores/store-dsl';
import { storeDslOf, storeModuleOfKind, targetSchema } from '../model/store-sections';
import type { Problems } from './problems';

/**
 * The section as the store's schema reads it, or with its failed declarations replaced by permissive
 * placeholders (remembered as untyped: written to, but not type-checked); undefined when nothing is sound.
 */
export function salvageTarget(raw: unknown): SalvagedSection | undefined {
  const exact = targetSchema().safeParse(raw);
  if (exact.success) return { section: exact.data, untyped: new Set() };
  if (!isPlainObject(raw)) return undefined;
  const module = storeModuleOfKind(raw.kind);
  return module?.dsl.salvage?.({ ...raw, kind: module.kind });
}

/** The store's own checks of a parsed section: fields that refer to each other, reserved names. */
export function checkTargetSection(section: TargetSection, problems: Problems): void {
  storeDslOf(section).check(section, problems);
}
