/**
 * Starts the OpenTelemetry SDK when tracing is configured: a tracer provider exporting in batches over
 * OTLP/HTTP (JSON), registered as the global provider together with the W3C trace context propagator.
 * Loaded only then (observability.module imports it lazily), so with tracing off no SDK code runs and
 * every span call hits the API's no-op tracer.
 *
 * An unreachable collector is never fatal: spans are dropped, the first failure is logged (one warning
 * until an export succeeds again), commands and projections go on.
 */
import { propagation, trace } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { describeTracing, type TracingSettings } from './tracing-settings';
import type { TracingHandle } from './tracing.tokens';

export interface TracingLog {
  log(message: string): void;
  warn(message: string): void;
}

/** Longest one export may take; also bounds how long a shutdown waits for a hung collector. */
const EXPORT_TIMEOUT_MS = 5_000;

export function startTracing(settings: TracingSettings, log: TracingLog): TracingHandle {
  const exporter = new ReportingExporter(
    new OTLPTraceExporter({
      url: settings.url,
      headers: { ...settings.headers },
      timeoutMillis: EXPORT_TIMEOUT_MS,
    }),
    describeTracing(settings),
    log,
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  const registered = trace.setGlobalTracerProvider(provider);
  if (!registered) {
    // Another SDK (an APM agent loaded with --require) owns the global provider: Prism's spans go to it.
    log.warn(
      'Tracing: another OpenTelemetry tracer provider is already registered; Prism spans go to it, not to ' +
        describeTracing(settings),
    );
    void provider.shutdown();
    return { forceFlush: async () => undefined, shutdown: async () => undefined };
  }
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  log.log(`Tracing: exporting spans to ${describeTracing(settings)}`);
  let stopped: Promise<void> | undefined;
  return {
    // A failed export was already reported by ReportingExporter; flushing never fails the caller.
    forceFlush: () => provider.forceFlush().catch(() => undefined),
    shutdown: () =>
      (stopped ??= provider
        .shutdown()
        .catch(() => undefined)
        .finally(() => {
          trace.disable();
          propagation.disable();
        })),
  };
}

/** Passes spans to the OTLP exporter and says when exporting fails (once) and when it works again. */
class ReportingExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly target: string,
    private readonly log: TracingLog,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result: ExportResult) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.failing) this.log.log(`Tracing: exporting spans to ${this.target} again`);
        this.failing = false;
      } else if (!this.failing) {
        this.failing = true;
        this.log.warn(
          `Tracing: could not export ${spans.length} span(s) to ${this.target} ` +
            `(${result.error?.message ?? 'unknown error'}); spans are dropped until the collector answers, ` +
            'commands and projections are not affected. Logged once until an export succeeds.',
        );
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
