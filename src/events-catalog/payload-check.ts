/**
 * Whether a payload fits its catalogued event type (issue #16): what the append route checks before it
 * writes an event of a catalogued type. The version is the one the writer declares (`schemaVersion`) or
 * the latest. Uncatalogued types are not checked (other services' events the catalog does not list).
 */
import type { z } from 'zod';
import type { EventCatalog } from './event-catalog';

export type PayloadCheck =
  /** Not catalogued: written as given, at the declared version (or 1). */
  | { readonly kind: 'uncatalogued' }
  | { readonly kind: 'valid'; readonly version: number }
  /** `issues` are zod's, with paths inside the payload. */
  | { readonly kind: 'invalid'; readonly version: number; readonly issues: readonly z.core.$ZodIssue[] }
  | { readonly kind: 'unknown-version'; readonly version: number; readonly known: readonly number[] };

export function checkPayload(
  catalog: EventCatalog,
  type: string,
  data: unknown,
  declaredVersion?: number,
): PayloadCheck {
  const entry = catalog.get(type);
  if (!entry) return { kind: 'uncatalogued' };
  const version = declaredVersion ?? entry.latest;
  const schema = entry.versions.get(version);
  if (!schema) {
    return {
      kind: 'unknown-version',
      version,
      known: [...entry.versions.keys()].sort((a, b) => a - b),
    };
  }
  const result = schema.validator.safeParse(data, { reportInput: true });
  return result.success
    ? { kind: 'valid', version }
    : { kind: 'invalid', version, issues: result.error.issues };
}
