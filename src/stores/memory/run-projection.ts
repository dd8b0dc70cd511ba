/**
 * Folds events through a compiled projection into an in-memory view, the way the runtime does it:
 * events outside the projection's source are skipped; for each event the touched keys' state is loaded,
 * `apply` computes the operations and the view applies them.
 */
import type { CompiledProjection } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { createMemoryView, type MemoryView } from './memory.view';

export function runProjection(
  projection: CompiledProjection,
  events: Iterable<StoredEvent>,
  view: MemoryView = createMemoryView(projection.target),
): MemoryView {
  for (const event of events) {
    if (!matchesSource(projection, event)) continue;
    const state = view.state(projection.keysOf(event));
    view.apply(projection.apply(event, state));
  }
  return view;
}

/** Whether the projection's source selects this event (its type and stream prefix). */
export function matchesSource(projection: CompiledProjection, event: StoredEvent): boolean {
  const { eventTypes, streamPrefix } = projection.source;
  if (!eventTypes.includes(event.type)) return false;
  return streamPrefix === undefined || event.streamId.startsWith(streamPrefix);
}
