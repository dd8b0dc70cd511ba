/**
 * Folds events through a compiled projection into an in-memory view, the way the runtime does it:
 * events outside the projection's source are skipped; for each event the touched keys' state is loaded,
 * `apply` computes the operations and the view applies them.
 */
import type { LookupValues } from '../../core/lookups';
import type { CompiledProjection } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { createMemoryView, MemoryDocumentView, type MemoryView } from './memory.view';

export function runProjection(
  projection: CompiledProjection,
  events: Iterable<StoredEvent>,
  view: MemoryView = createMemoryView(projection.target, projection.name),
  /** Every lookup entry, by lookup then key (plans with lookups): read and remembered in log order. */
  lookups: LookupValues = new Map(),
): MemoryView {
  for (const event of events) {
    if (!matchesSource(projection, event)) continue;
    if (projection.lookups === undefined) {
      const state = view.state(plusFanOutKeys(projection, view, event, projection.keysOf(event)));
      view.apply(projection.apply(event, state));
      continue;
    }
    const values: LookupValues = new Map();
    for (const { lookup, key } of projection.lookups.readsOf(event)) {
      const value = lookups.get(lookup)?.get(key);
      if (value === undefined) continue;
      if (!values.has(lookup)) values.set(lookup, new Map());
      values.get(lookup)!.set(key, value);
    }
    for (const write of projection.lookups.remember(event, values)) {
      if (!lookups.has(write.lookup)) lookups.set(write.lookup, new Map());
      lookups.get(write.lookup)!.set(write.key, write.value);
    }
    const state = view.state(
      plusFanOutKeys(projection, view, event, projection.keysOf(event, values), values),
    );
    view.apply(projection.apply(event, state, values));
  }
  return view;
}

/**
 * The keys plus those of the documents each updateAll of the event selects (at most max + 1 each: the plan
 * refuses more than max), as the runner finds them in the store (src/runtime/fan-out-keys.ts).
 */
function plusFanOutKeys(
  projection: CompiledProjection,
  view: MemoryView,
  event: StoredEvent,
  keys: readonly string[],
  lookups?: LookupValues,
): readonly string[] {
  if (projection.fanOutsOf === undefined || !(view instanceof MemoryDocumentView)) return keys;
  const all = new Set(keys);
  for (const selector of projection.fanOutsOf(event, lookups))
    for (const key of view.findKeys(selector.field, [selector.value], selector.max + 1)[0] ?? [])
      all.add(key);
  return [...all];
}

/** Whether the projection's source selects this event (its type and stream prefix). */
export function matchesSource(projection: CompiledProjection, event: StoredEvent): boolean {
  const { eventTypes, streamPrefix } = projection.source;
  if (!eventTypes.includes(event.type)) return false;
  return streamPrefix === undefined || event.streamId.startsWith(streamPrefix);
}
