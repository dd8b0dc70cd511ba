import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { ProjectionTracing, RECENT_EVENT_MS } from './projection-spans';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

function event(position: number, traceparent: string | undefined, age = 1_000): StoredEvent {
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    streamId: 'order-1',
    revision: position,
    position: BigInt(position),
    type: 'OrderPlaced',
    data: {},
    metadata: {
      ...(traceparent !== undefined && { traceparent }),
      timestamp: new Date(NOW - age).toISOString(),
      schemaVersion: 1,
    },
  };
}

describe('ProjectionTracing (projection commit spans)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  const tracing = new ProjectionTracing(() => NOW);
  const commit = (committed: StoredEvent[]) =>
    tracing.batchCommitted({
      projection: 'order_summary',
      generation: 1,
      events: committed.length,
      seconds: 0.02,
      committed,
    });

  it('links the batch span to each command and adds one child span per recent command', () => {
    commit([
      event(1, `00-${TRACE_A}-00f067aa0ba902b7-01`),
      event(2, `00-${TRACE_A}-00f067aa0ba902b7-01`),
      event(3, `00-${TRACE_B}-b7ad6b7169203331-01`),
      event(4, undefined),
    ]);
    const spans = exporter.getFinishedSpans();
    const batch = spans.find((span) => span.name === 'project order_summary batch')!;
    expect(batch.links.map((link) => link.context.traceId)).toEqual([TRACE_A, TRACE_B]);
    expect(batch.attributes).toMatchObject({ 'prism.position.first': '1', 'prism.position.last': '4' });
    const children = spans.filter((span) => span.name === 'project order_summary');
    expect(children.map((span) => [span.spanContext().traceId, span.parentSpanContext?.spanId])).toEqual([
      [TRACE_A, '00f067aa0ba902b7'],
      [TRACE_B, 'b7ad6b7169203331'],
    ]);
    expect(children[0]!.attributes['prism.event_count']).toBe(2);
    expect(children[0]!.links[0]!.context.spanId).toBe(batch.spanContext().spanId);
  });

  it('only links events older than the recent window (a rebuild adds no span to old traces)', () => {
    commit([event(1, `00-${TRACE_A}-00f067aa0ba902b7-01`, RECENT_EVENT_MS + 1)]);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['project order_summary batch']);
  });

  it('records nothing for a batch whose events carry no trace context', () => {
    commit([event(1, undefined), event(2, 'not-a-traceparent')]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
