/**
 * Traces projection batch commits, as a RuntimeObserver (the runner reports each commit after it is
 * stored, with how long it took). A batch mixes events of many commands, so each commit gives:
 *   - one `project <projection> batch` span (kind CONSUMER, a trace of its own) with a link to the trace
 *     context of each distinct command in the batch (each event's `traceparent` from its metadata);
 *   - one `project <projection>` span (kind CONSUMER) per distinct command context, a child of that
 *     command's append span, linked back to the batch span: the command's trace then shows the commit
 *     of every view that projected it.
 * Both spans cover the commit (target write + checkpoint), timed after the fact from the reported duration.
 * Events older than RECENT_EVENT_MS get a link only: a rebuild or a catch-up over old history must not
 * flood old traces (and the exporter's queue) with one span per command ever written.
 * Cheap when events carry no traceparent (tracing was off when they were written) and never throws.
 */
import { type Link, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { CommittedBatch, RuntimeObserver, StoreFailure } from '../../runtime/runtime.observer';
import { contextOf } from './trace-carrier';
import { TRACER_NAME } from './tracing.tokens';

/** Per-command spans only for events written this recently (ms); older ones are linked from the batch. */
export const RECENT_EVENT_MS = 10 * 60_000;
/** At most this many links and per-command spans per batch (the SDK's default link limit is 128). */
export const MAX_TRACED_COMMANDS = 128;

export class ProjectionTracing implements RuntimeObserver {
  constructor(private readonly now: () => number = Date.now) {}

  batchCommitted(batch: CommittedBatch): void {
    try {
      this.traceCommit(batch);
    } catch {
      // Tracing must never disturb the runner (RuntimeObserver contract); a lost span is acceptable.
    }
  }

  storeError(_failure: StoreFailure): void {
    // Failed attempts are counted by the metrics; the trace shows the commit that finally succeeded.
  }

  private traceCommit(batch: CommittedBatch): void {
    const endTime = this.now();
    const contexts = tracedCommands(batch, endTime);
    if (contexts.length === 0) return;
    const startTime = endTime - batch.seconds * 1000;
    const tracer = trace.getTracer(TRACER_NAME);
    const attributes = {
      'prism.projection': batch.projection,
      'prism.generation': batch.generation,
      'prism.event_count': batch.events,
      'prism.position.first': batch.committed![0]!.position.toString(),
      'prism.position.last': batch.committed!.at(-1)!.position.toString(),
    };
    const links: Link[] = contexts.map(({ parent }) => ({ context: trace.getSpanContext(parent)! }));
    const batchSpan: Span = tracer.startSpan(`project ${batch.projection} batch`, {
      kind: SpanKind.CONSUMER,
      root: true,
      startTime,
      links,
      attributes,
    });
    const batchLink: Link = { context: batchSpan.spanContext() };
    for (const { parent, events, recent } of contexts) {
      if (!recent) continue;
      tracer
        .startSpan(
          `project ${batch.projection}`,
          {
            kind: SpanKind.CONSUMER,
            startTime,
            links: [batchLink],
            attributes: { ...attributes, 'prism.event_count': events },
          },
          parent,
        )
        .end(endTime);
    }
    batchSpan.end(endTime);
  }
}

interface TracedCommand {
  readonly parent: ReturnType<typeof contextOf>;
  events: number;
  recent: boolean;
}

/** The distinct trace contexts of the batch's events, in log order, at most MAX_TRACED_COMMANDS. */
function tracedCommands(batch: CommittedBatch, now: number): TracedCommand[] {
  const byTraceparent = new Map<string, TracedCommand>();
  for (const event of batch.committed ?? []) {
    const { traceparent } = event.metadata;
    if (typeof traceparent !== 'string') continue;
    const known = byTraceparent.get(traceparent);
    if (known !== undefined) {
      known.events += 1;
      continue;
    }
    if (byTraceparent.size >= MAX_TRACED_COMMANDS) continue;
    const parent = contextOf(event.metadata);
    if (trace.getSpanContext(parent) === undefined) continue;
    const written = Date.parse(event.metadata.timestamp);
    byTraceparent.set(traceparent, {
      parent,
      events: 1,
      recent: !Number.isNaN(written) && now - written <= RECENT_EVENT_MS,
    });
  }
  return [...byTraceparent.values()];
}
