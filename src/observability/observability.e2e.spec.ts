/**
 * Metrics, health and JSON logs of a real Prism app over HTTP, on a fresh PostgreSQL database (event
 * store and relational views), running the shipped customer_directory projection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../../test/support/stores';
import { JsonLogger } from './logging/json-logger';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text';

const PROJECTION = 'customer_directory';

describeWithStores(['postgres'], 'observability on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const logLines: string[] = [];
  let app: INestApplication;
  let baseUrl: string;
  let projections: ProjectionsService;
  let projectionsDir: string;
  const http = () => request(baseUrl);

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-observability-'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    const config = loadConfig({ PRISM_PG_URL: database.url, PRISM_PROJECTIONS_DIR: projectionsDir });
    const logger = new JsonLogger({ write: (line) => logLines.push(line) });
    app = await createPrismApp(config, { logger });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    projections = app.get(ProjectionsService);
    await projections.ready();
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  async function scrape(): Promise<Sample[]> {
    const response = await http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheusText(response.text);
  }

  function register(customerId: string, email = `${customerId}@example.com`, correlationId?: string) {
    const post = http().post('/customers');
    return (correlationId === undefined ? post : post.set('X-Correlation-Id', correlationId)).send({
      customerId,
      name: 'Ada',
      email,
      city: 'London',
    });
  }

  async function caughtUp(position: string): Promise<void> {
    await (await projections.ready()).waitForCheckpoint(PROJECTION, BigInt(position), 20_000);
  }

  it('counts commands by route and status, and the events the projection processed', async () => {
    for (let i = 0; i < 5; i++) await register(`m${i}`).expect(201);
    await http().post('/customers').send({ customerId: 'bad', name: 'Ada' }).expect(400);
    await http().post('/customers').send({ customerId: 'bad', name: 'Ada', email: 'x' }).expect(400);
    await register('m0').expect(409);
    const last: string = (await http().post('/customers/m1/rename').send({ name: 'Ada King' }).expect(202))
      .body.position;
    await http().post('/customers/nobody/rename').send({ name: 'Ada King' }).expect(404);
    await caughtUp(last);

    const samples = await scrape();
    const commands = (status: string, route = '/customers') =>
      sampleValue(samples, 'prism_commands_total', { method: 'POST', route, status });
    expect(commands('201')).toBe(5);
    expect(commands('400')).toBe(2);
    expect(commands('409')).toBe(1);
    expect(commands('202', '/customers/:customerId/rename')).toBe(1);
    expect(commands('404', '/customers/:customerId/rename')).toBe(1);
    expect(commands('201')).toBe(
      sampleValue(samples, 'prism_commands_total', {
        route: '/customers',
        status: '201',
        outcome: 'accepted',
      }),
    );
    expect(
      sampleValue(samples, 'prism_commands_total', {
        route: '/customers',
        status: '409',
        outcome: 'rejected',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'prism_command_duration_seconds_count', { route: '/customers', status: '201' }),
    ).toBe(5);
    expect(
      sampleValue(samples, 'prism_command_duration_seconds_sum', { route: '/customers', status: '201' }),
    ).toBeGreaterThan(0);

    const generation = { projection: PROJECTION, generation: '1' };
    const live = { ...generation, role: 'live' };
    // Six events of its types were written (five registrations and a rename).
    expect(
      sampleValue(samples, 'prism_projection_events_processed_total', generation),
    ).toBeGreaterThanOrEqual(6);
    expect(sampleValue(samples, 'prism_projection_batch_duration_seconds_count', generation)).toBeGreaterThan(
      0,
    );
    expect(sampleValue(samples, 'prism_projection_checkpoint_position', live)).toBe(Number(last));
    expect(sampleValue(samples, 'prism_projection_head_position', live)).toBe(Number(last));
    expect(sampleValue(samples, 'prism_projection_lag_events', live)).toBe(0);
    expect(sampleValue(samples, 'prism_projection_lag_seconds', live)).toBe(0);
    expect(sampleValue(samples, 'prism_projection_parked_events', live)).toBe(0);
    expect(sampleValue(samples, 'prism_projection_state', { projection: PROJECTION, state: 'live' })).toBe(1);
    expect(sampleValue(samples, 'prism_projection_runtime_started')).toBe(1);
    // Node's default process metrics are in the same registry.
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('parks a poison event, counts the store error, and logs it as JSON with the command correlation id', async () => {
    await register('dup-a', 'same@example.com').expect(201);
    // Same email: the view's unique index rejects the row, so the event is poison for this projection.
    const poison = await register('dup-b', 'same@example.com', 'trace-poison-1').expect(201);
    await caughtUp(poison.body.position);

    const records = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const parked = records.find((record) => record.correlationId === 'trace-poison-1');
    expect(parked).toMatchObject({
      level: 'warn',
      context: 'Projections',
      projection: PROJECTION,
      generation: 1,
      position: poison.body.position,
      eventType: 'CustomerRegistered',
    });
    expect(parked!.message).toContain('parked CustomerRegistered');
    expect(parked!.message).toContain('(correlation trace-poison-1)');
    expect(Date.parse(String(parked!.time))).not.toBeNaN();

    const samples = await scrape();
    const generation = { projection: PROJECTION, generation: '1' };
    expect(
      sampleValue(samples, 'prism_projection_store_errors_total', { ...generation, kind: 'poison' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'prism_projection_parked_events', { ...generation, role: 'live' })).toBe(1);
  });

  it('reports live and ready with every store named', async () => {
    const live = await http().get('/health/live').expect(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });

    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      error: {},
      info: {
        event_store: { status: 'up', kind: 'postgres' },
        views: { status: 'up', stores: { postgres: 'connected' } },
        node: { status: 'up' },
      },
    });
  });

  it('never writes a database password into a log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const password = new URL(database.url).password;
    if (password !== '') for (const line of logLines) expect(line).not.toContain(password);
    for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
