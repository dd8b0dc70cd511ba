/** Injection token and names shared by the tracing pieces; importing this loads no OpenTelemetry SDK. */

/** The instrumentation scope of every Prism span. */
export const TRACER_NAME = 'prism';

/** Injection token of the TracingHandle; its value is null when tracing is off. */
export const TRACING = Symbol('TRACING');

/** The running exporter: flushed and stopped when the app closes. */
export interface TracingHandle {
  /** Exports every finished span now (tests call it before reading their collector). */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the global tracer provider and propagator. */
  shutdown(): Promise<void>;
}
