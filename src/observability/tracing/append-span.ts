/**
 * The `append <stream category>` span (kind PRODUCER) of a command's one append, child of its command span.
 * Its context is what the events carry in their metadata, so each view's commit of them is traced under it.
 * Without a parent carrier (tracing off, or a command not served over HTTP) nothing is started.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { carrierOf, contextOf, type TraceCarrier } from './trace-carrier';
import { TRACER_NAME } from './tracing.tokens';

export interface AppendTrace {
  /** What to write into the events' metadata; undefined when untraced. */
  readonly carrier?: TraceCarrier;
  succeeded(position: bigint, revision: number): void;
  failed(error: unknown): void;
}

const UNTRACED: AppendTrace = { succeeded: () => undefined, failed: () => undefined };

/** `streamId` is `<prefix>-<id>`: the span is named by the prefix (few names), the id is an attribute. */
export function startAppendSpan(
  parent: TraceCarrier | undefined,
  streamId: string,
  events: number,
): AppendTrace {
  if (parent === undefined) return UNTRACED;
  const dash = streamId.indexOf('-');
  const category = dash > 0 ? streamId.slice(0, dash) : streamId;
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      `append ${category}`,
      { kind: SpanKind.PRODUCER, attributes: { 'prism.stream_id': streamId, 'prism.event_count': events } },
      contextOf(parent),
    );
  return {
    carrier: carrierOf(span.spanContext()) ?? parent,
    succeeded: (position, revision) => {
      span.setAttributes({ 'prism.position': position.toString(), 'prism.revision': revision });
      span.end();
    },
    failed: (error) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    },
  };
}
