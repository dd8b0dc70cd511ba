import type { CompiledProjection } from '../core/plan';
import type { LogFilter } from '../eventstore/event-store.port';

/** The part of the log a projection reads: its event types and stream prefix (empty types: all). */
export function filterOf(plan: CompiledProjection): LogFilter {
  const { eventTypes, streamPrefix } = plan.source;
  return {
    ...(eventTypes.length > 0 ? { eventTypes } : {}),
    ...(streamPrefix !== undefined ? { streamPrefix } : {}),
  };
}
