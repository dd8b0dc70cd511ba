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
 * Hook for later features: an action that reads another key's document (correlation lookups) or writes
 * several keys from one event (fan-out) must add its refusal in `segmentsRefusal` (or make itself safe:
 * route by a key every write shares), because per-key order across segments is not kept.
 */
import type { TargetSection } from '../../stores/store-dsl';
import { storeModuleOfKind, targetViewOf } from '../model/store-sections';
import type { ParsedHandlers } from './handler.checks';
import type { Problems } from './problems';

/** Why this definition cannot be segmented, or undefined when it can. */
export function segmentsRefusal(target: TargetSection, _handlers: ParsedHandlers): string | undefined {
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
): void {
  if (typeof segments !== 'number' || segments <= 1 || target === undefined) return;
  const refusal = segmentsRefusal(target, handlers);
  if (refusal !== undefined) problems.add('segments-not-supported', ['segments'], refusal);
}
