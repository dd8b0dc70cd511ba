/**
 * Hands a command request's span to the command layer: the tracing interceptor records the span's carrier
 * here, and request-context.ts puts it into the CommandContext, so the command runner can start its append
 * span under it and write it into the events. Nothing is recorded when tracing is off.
 */
import type { TraceCarrier } from './trace-carrier';

const carriers = new WeakMap<object, TraceCarrier>();

export function recordRequestTrace(request: object, carrier: TraceCarrier): void {
  carriers.set(request, carrier);
}

/** The trace of the command span serving `request`, or undefined (tracing off, or not a command). */
export function requestTraceOf(request: object): TraceCarrier | undefined {
  return carriers.get(request);
}
