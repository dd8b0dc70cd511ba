/**
 * Whether a definition may declare `segments` (issue #15; the runtime side is src/runtime/segments.ts).
 * Segments route each event by the hash of its view key, so they are safe only when every event writes
 * the one key it is routed by: document views (upsert, update, delete by key) on a store that keeps one
 * checkpoint per segment (its capabilities say `segments`).
 *
 * Refused, with the reason at the `segments:` line:
 *  - graph views: a relationship MERGE writes two nodes (and the relationship between them) whose keys
 *    hash to different segments, so two segments would write the same node concurrently, out of log order;
 *  - stores whose capabilities do not say `segments`.
 *  - projections with lookups: an entry is remembered by one event (OrderPlaced, routed by its own view
 *    key) and read by others routed elsewhere (OrderShipped keyed by the customer it looks up), so a
 *    segment could read an entry another segment has not written yet, or already overwrote.
 *  - projections with fan-out updates (`updateAll`): one event updates documents whose keys hash to
 *    several segments, while it is routed to one (and other segments would find and write the same
 *    documents out of log order).
 * Hook for later features: an action that writes several keys from one event must add its refusal here
 * (or make itself safe: route by a key every write shares), because per-key order across segments is not
 * kept.
 */
import type { TargetSection } from '../../stores/store-dsl';
import { storeModuleOfKind, targetViewOf } from '../model/store-sections';
import type { ParsedHandlers } from './handler.checks';
import type { Problems } from './problems';

/** Why this definition cannot be segmented, or undefined when it can. */
export function segmentsRefusal(
  target: TargetSection,
  handlers: ParsedHandlers,
  lookups?: Readonly<Record<string, unknown>>,
): string | undefined {
  const fanOut = [...handlers.values()].some((actions) => actions.some((a) => a?.kind === 'updateAll'));
  if (fanOut) {
    return (
      'a projection with updateAll (fan-out updates) cannot be segmented: one event updates documents ' +
      'whose keys fall in several segments, so segments would write the same documents out of log ' +
      'order; remove `segments` (one worker runs this projection)'
    );
  }
  if (lookups !== undefined && Object.keys(lookups).length > 0) {
    return (
      'a projection with lookups cannot be segmented: an entry remembered by an event in one segment is ' +
      'read by events routed to other segments, which would read it out of log order; remove `segments` ' +
      '(one worker runs this projection)'
    );
  }
  const module = storeModuleOfKind(target.kind);
  const title = module?.title ?? target.kind;
  if (targetViewOf(target).family === 'graph') {
    return (
      `a ${title} graph view cannot be segmented: a relationship MERGE writes two nodes whose keys can ` +
      'fall in different segments, so segments would write the same node concurrently and out of log ' +
      'order; remove `segments` (one worker runs a graph projection)'
    );
  }
  if (module?.capabilities.segments !== true)
    return `the ${title} store does not support segmented projections; remove \`segments\``;
  return undefined;
}

/** Reports `segments: N` (N > 1) on a definition that cannot be segmented, at the `segments` value. */
export function checkSegments(
  segments: unknown,
  target: TargetSection | undefined,
  handlers: ParsedHandlers,
  problems: Problems,
  lookups?: Readonly<Record<string, unknown>>,
): void {
  if (typeof segments !== 'number' || segments <= 1 || target === undefined) return;
  const refusal = segmentsRefusal(target, handlers, lookups);
  if (refusal !== undefined) problems.add('segments-not-supported', ['segments'], refusal);
}
