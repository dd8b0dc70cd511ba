/**
 * Tracing end to end, in the whole app on real PostgreSQL (event store and views), exporting over OTLP/HTTP
 * to an in-process collector: one command gives one trace holding its `command` span, its `append` span
 * and one `project <view>` span per view that committed its event, and each view's `batch` span links to
 * it; a caller's `traceparent` header continues the caller's trace; the events carry the append span's
 * traceparent beside the correlation id. With the collector down, commands, projections and
 * /health/live go on and the failure is logged once. With tracing off nothing is exported or written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication, LoggerService } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { createPrismApp } from '../../src/main';
import { TRACING, type TracingHandle } from '../../src/observability/tracing/tracing.tokens';
import {
  type CollectedSpan,
  type OtlpCollector,
  SPAN_KIND,
  startOtlpCollector,
} from '../support/otlp-collector';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const PROJECTIONS = path.join(__dirname, '../../projections');
/** The views of OrderPlaced, both in PostgreSQL. */
const VIEWS = ['customer_directory', 'order_summary'];
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describeWithStores(['postgres'], 'tracing over OTLP', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-tracing-'));
  let collector: OtlpCollector;

  beforeAll(async () => {
    for (const file of ['customer-directory.yaml', 'order-summary.yaml'])
      writeFileSync(path.join(directory, file), readFileSync(path.join(PROJECTIONS, file)));
    collector = await startOtlpCollector();
  });
  afterAll(async () => {
    await collector?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

  async function startApp(env: Record<string, string>, logger: LoggerService | false = false) {
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
      ...env,
    });
    const app = await createPrismApp(config, { logger });
    await app.init();
    return app;
  }

  /** Registers a customer and places an order for it; waits until both views applied the order. */
  async function placeOrder(app: INestApplication, headers: Record<string, string> = {}) {
    const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);
    const customerId = id('c');
    const orderId = id('o');
    await http()
      .post('/customers')
      .send({ customerId, name: 'Ada', email: `${customerId}@example.com`, city: 'London' })
      .expect(201);
    const correlationId = id('corr');
    const placed = await http()
      .post('/orders')
      .set({ 'X-Correlation-Id': correlationId, ...headers })
      .send({ orderId, customerId })
      .expect(201);
    const position = placed.body.position as string;
    await http().get(`/views/order_summary/${orderId}`).query({ after: position, wait: '10000' }).expect(200);
    await http()
      .get(`/views/customer_directory/${customerId}`)
      .query({ after: position, wait: '10000' })
      .expect(200);
    const [event] = await app.get<EventStore>(EVENT_STORE).readStream(`order-${orderId}`);
    return { orderId, correlationId, metadata: event!.metadata };
  }

  describe('with an OTLP endpoint', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url });
    });
    afterAll(async () => {
      await app?.close();
    });

    /** The spans of the order command's trace, checked for the command → append → view commits chain. */
    function expectOneTracePerCommand(correlationId: string, spans: readonly CollectedSpan[]) {
      const commands = spans.filter((span) => span.attributes['prism.correlation_id'] === correlationId);
      expect(commands.map((span) => span.name)).toEqual(['command POST /orders']);
      const command = commands[0]!;
      expect(command.kind).toBe(SPAN_KIND.server);
      expect(command.serviceName).toBe('prism');
      expect(Number(command.attributes['http.response.status_code'])).toBe(201);
      const trace = spans.filter((span) => span.traceId === command.traceId);
      const append = trace.find((span) => span.name === 'append order');
      expect(append).toMatchObject({ parentSpanId: command.spanId, kind: SPAN_KIND.producer });
      const commits = trace.filter((span) => span.name.startsWith('project '));
      expect(commits.map((span) => span.name).sort()).toEqual(VIEWS.map((view) => `project ${view}`));
      for (const commit of commits)
        expect(commit).toMatchObject({ parentSpanId: append!.spanId, kind: SPAN_KIND.consumer });
      // Nothing else is in the trace: the customer registration, sent just before, has a trace of its own.
      expect(trace).toHaveLength(2 + VIEWS.length);
      // Each view's batch span (its own trace) links to the append span the event carries.
      for (const view of VIEWS) {
        const batches = spans.filter(
          (span) =>
            span.name === `project ${view} batch` &&
            span.links.some((link) => link.traceId === command.traceId && link.spanId === append!.spanId),
        );
        expect(batches).toHaveLength(1);
        expect(batches[0]!.traceId).not.toBe(command.traceId);
      }
      return { command, append: append! };
    }

    it('exports one trace per command: command, append and the commit of each view', async () => {
      const placed = await placeOrder(app);
      await app.get<TracingHandle>(TRACING).forceFlush();

      const { command, append } = expectOneTracePerCommand(placed.correlationId, collector.spans);
      expect(command.parentSpanId).toBe('');
      // The event carries the append span's context beside the correlation id.
      expect(placed.metadata.correlationId).toBe(placed.correlationId);
      expect(placed.metadata.traceparent).toBe(`00-${append.traceId}-${append.spanId}-01`);
      expect(placed.metadata.traceparent).toMatch(TRACEPARENT);
    });

    it("continues the caller's trace from its traceparent header", async () => {
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpan = '00f067aa0ba902b7';
      const placed = await placeOrder(app, {
        traceparent: `00-${callerTrace}-${callerSpan}-01`,
        tracestate: 'vendor=abc',
      });
      await app.get<TracingHandle>(TRACING).forceFlush();

      const { command } = expectOneTracePerCommand(placed.correlationId, collector.spans);
      expect(command).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan });
      expect(placed.metadata.traceparent).toMatch(new RegExp(`^00-${callerTrace}-`));
      expect(placed.metadata.tracestate).toBe('vendor=abc');
    });
  });

  describe('with the collector down', () => {
    let app: INestApplication;
    const warnings: string[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: (message: unknown) => warnings.push(`error: ${String(message)}`),
      warn: (message: unknown) => warnings.push(String(message)),
    };
    beforeAll(async () => {
      app = await startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}` }, logger);
    });
    afterAll(async () => {
      await app?.close();
    });

    it('keeps serving commands, views and /health/live, and logs the export failure once', async () => {
      const first = await placeOrder(app);
      await app.get<TracingHandle>(TRACING).forceFlush();
      const second = await placeOrder(app);
      await app.get<TracingHandle>(TRACING).forceFlush();

      expect(first.metadata.traceparent).toMatch(TRACEPARENT);
      expect(second.metadata.traceparent).toMatch(TRACEPARENT);
      await request(app.getHttpServer() as Parameters<typeof request>[0])
        .get('/health/live')
        .expect(200);
      expect(warnings.filter((line) => line.includes('could not export'))).toHaveLength(1);
      expect(warnings.filter((line) => line.startsWith('error:'))).toEqual([]);
    });
  });

  describe('without an OTLP endpoint (the default)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp({});
    });

    it('exports nothing and writes no traceparent, even when the caller sends one', async () => {
      const before = collector.requests;
      expect(app.get(TRACING)).toBeNull();
      const placed = await placeOrder(app, {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      await app.close();

      expect(placed.metadata.correlationId).toBe(placed.correlationId);
      expect(placed.metadata).not.toHaveProperty('traceparent');
      expect(placed.metadata).not.toHaveProperty('tracestate');
      expect(collector.requests).toBe(before);
    });
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
