/**
 * GET /health/ready when PostgreSQL (the event store and the relational views) goes away: 503 naming the
 * event store and why, answered within the check time box, and 200 again once it is back. The app reaches
 * PostgreSQL through a loopback TCP proxy, so "down" is a real refused connection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../config/app-config';
import { createPrismApp } from '../../main';
import { ProjectionsService } from '../../projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import { TcpProxy, viaProxy } from '../../../test/support/tcp-proxy';
import { JsonLogger } from '../logging/json-logger';
import { parsePrometheusText, sampleValue } from '../prometheus-text';
import { CHECK_TIMEOUT_MS } from './readiness';

describeWithStores(['postgres'], 'readiness with the event store down', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let proxy: TcpProxy;
  let proxyPort: number;
  let app: INestApplication;
  let baseUrl: string;
  let projectionsDir: string;
  const logLines: string[] = [];
  const records = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    const target = new URL(database.url);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxyPort = await proxy.start();
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-readiness-'));
    fs.copyFileSync(
      path.join(__dirname, '../../../projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    const config = loadConfig({
      PRISM_PG_URL: viaProxy(database.url, proxyPort),
      PRISM_PROJECTIONS_DIR: projectionsDir,
    });
    app = await createPrismApp(config, { logger: new JsonLogger({ write: (line) => logLines.push(line) }) });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    await app.get(ProjectionsService).ready();
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  it('answers 503 naming the event store while PostgreSQL is unreachable, then 200 again', async () => {
    await request(baseUrl).get('/health/ready').expect(200);

    await proxy.stop();
    const started = Date.now();
    const down = await request(baseUrl).get('/health/ready');
    const seconds = (Date.now() - started) / 1000;
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('not_ready');
    expect(down.body.message).toMatch(/^Not ready: event_store/);
    expect(down.body.down.event_store).toMatchObject({ status: 'down', kind: 'postgres' });
    expect(down.body.down.event_store.message).toMatch(/\S/);
    // The views stay loaded and the node is not draining: only the event store is down.
    expect(down.body.up.views).toMatchObject({ status: 'up' });
    expect(down.body.up.node).toMatchObject({ status: 'up' });
    expect(seconds).toBeLessThan(CHECK_TIMEOUT_MS / 1000 + 1);
    // Liveness does not depend on a store.
    await request(baseUrl).get('/health/live').expect(200);
    // The change is logged once, naming the store.
    await request(baseUrl).get('/health/ready').expect(503);
    const notReady = records().filter((record) => String(record.message).startsWith('Not ready'));
    expect(notReady).toHaveLength(1);
    expect(notReady[0]).toMatchObject({ level: 'warn', context: 'Health' });
    expect(notReady[0]!.message).toContain('event_store (The postgres event store is unavailable');

    // A line logged while handling a request carries that request's correlation id.
    await request(baseUrl)
      .post('/customers')
      .set('X-Correlation-Id', 'trace-down-1')
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(503);
    expect(records().find((record) => record.correlationId === 'trace-down-1')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('POST /customers -> 503') as unknown,
    });

    // The runner's failed reads are counted as transient store errors.
    await waitFor(async () => {
      const samples = parsePrometheusText((await request(baseUrl).get('/metrics')).text);
      return (
        (sampleValue(samples, 'prism_projection_store_errors_total', {
          projection: 'customer_directory',
          kind: 'transient',
        }) ?? 0) >= 1
      );
    }, 'a transient store error in the metrics');

    await proxy.start(proxyPort);
    await waitFor(async () => (await request(baseUrl).get('/health/ready')).status === 200, 'ready again');
    expect(records().filter((record) => String(record.message).startsWith('Ready'))).toHaveLength(2);
  });
});

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
