/**
 * Loading a batch's lookup entries (correlation state, src/core/lookups.ts) before its events are keyed:
 * every entry the batch's events read, computed from the events alone, in one `loadLookups` call, minus
 * those the caller already knows (the pipeline's entries of the batch folded before, whose commit may
 * still be in flight). A plan without lookups loads nothing and never gets here.
 */
import type { LookupEntryRef, LookupWrite, StoredLookupEntry } from '../core/lookups';
import type { CompiledProjection } from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { Target, ViewRef } from '../stores/target.port';
import type { LookupState } from './batch-fold';

export class LookupsNotSupportedError extends Error {
  override readonly name = 'LookupsNotSupportedError';
  constructor(projection: string, kind: string) {
    super(`projection "${projection}" declares lookups, but its ${kind} store does not keep lookups`);
  }
}

export async function loadLookupState(
  plan: CompiledProjection,
  target: Target,
  view: ViewRef,
  events: readonly StoredEvent[],
  known?: LookupState,
): Promise<LookupState | undefined> {
  if (plan.lookups === undefined) return undefined;
  const state: LookupState = new Map();
  const missing: LookupEntryRef[] = [];
  for (const event of events) {
    for (const ref of plan.lookups.readsOf(event)) {
      let entries = state.get(ref.lookup);
      if (entries === undefined)
        state.set(ref.lookup, (entries = new Map<string, StoredLookupEntry | null>()));
      if (entries.has(ref.key)) continue;
      const cached = known?.get(ref.lookup)?.get(ref.key);
      if (cached !== undefined) entries.set(ref.key, cached);
      else {
        entries.set(ref.key, null);
        missing.push(ref);
      }
    }
  }
  if (missing.length === 0) return state;
  if (target.loadLookups === undefined) throw new LookupsNotSupportedError(view.projection, target.kind);
  const loaded = await target.loadLookups(view, missing);
  for (const [lookup, entries] of loaded)
    for (const [key, entry] of entries) state.get(lookup)?.set(key, entry);
  return state;
}

/** A copy to key through (keying changes it), so `state` stays what was loaded. */
export function copyLookupState(state: LookupState): LookupState {
  return new Map([...state].map(([lookup, entries]) => [lookup, new Map(entries)]));
}

/** `state` with these writes applied (each only over an older entry). */
export function withLookupWrites(
  state: LookupState,
  writes: readonly LookupWrite[] | undefined,
): LookupState {
  for (const write of writes ?? []) {
    let entries = state.get(write.lookup);
    if (entries === undefined)
      state.set(write.lookup, (entries = new Map<string, StoredLookupEntry | null>()));
    const stored = entries.get(write.key);
    if (stored === undefined || stored === null || write.position >= stored.position)
      entries.set(write.key, { value: write.value, position: write.position });
  }
  return state;
}
