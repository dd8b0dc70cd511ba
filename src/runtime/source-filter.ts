import type { CompiledProjection } from '../core/plan';
import type { LogFilter } from '../eventstore/event-store.port';

/**
 * The part of the log a projection reads, from its source: its event types and stream prefix (empty
 * types: all). The runner subscribes and reads the head with it; the swap and read-your-writes wait on it.
 */
export function logFilterOf(plan: CompiledProjection): LogFilter {
  const { eventTypes, streamPrefix } = plan.source;
  return {
    ...(eventTypes.length > 0 ? { eventTypes } : {}),
    ...(streamPrefix !== undefined ? { streamPrefix } : {}),
  };
}
