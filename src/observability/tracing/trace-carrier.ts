/**
 * The W3C trace context of a command as it travels with its events: `traceparent` (and `tracestate` when
 * the caller sent one) sit in each event's metadata beside the correlation id. Converted with the global
 * propagator, which is W3C trace context when tracing is on and a no-op otherwise: with tracing off no
 * carrier is ever made, so nothing is written to the metadata.
 */
import { type Context, propagation, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';

export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** Header-like view of a request or of event metadata: only these two keys are read. */
export interface TraceFields {
  readonly traceparent?: unknown;
  readonly tracestate?: unknown;
}

/** The carrier naming `spanContext`, or undefined when tracing is off (no propagator) or it is invalid. */
export function carrierOf(spanContext: SpanContext): TraceCarrier | undefined {
  const fields: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), fields);
  const { traceparent, tracestate } = fields;
  if (traceparent === undefined) return undefined;
  return { traceparent, ...(tracestate !== undefined && tracestate !== '' && { tracestate }) };
}

/**
 * The context a carrier (request headers, event metadata) names; the root context when it names none or
 * is malformed (a bad header never fails a command, it just starts a new trace).
 */
export function contextOf(fields: TraceFields | undefined): Context {
  if (fields === undefined || typeof fields.traceparent !== 'string') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, fields, {
    keys: () => ['traceparent', 'tracestate'],
    get: (carrier, key) => {
      const value = key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined;
      return typeof value === 'string' ? value : undefined;
    },
  });
}
