/**
 * Issue #12 item 3: ten simultaneous `POST /admin/projections/order_summary/rebuild` left generation 3
 * `building` with its table and several invisible runners applying new events to it forever, while
 * generation 4 was swapped in. Over real HTTP on the real app (PostgreSQL event store and views): exactly
 * one new generation is built, every request answers 202 with it, and after the swap no other generation,
 * table or runner is left.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import { parsePrometheusText } from '../observability/prometheus-text';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';
import type { ProjectionStatusJson, RebuildStartedJson } from './admin.dto';

const ADMIN_KEY = 'admin-key-for-rebuild-race';
const WRITER_KEY = 'writer-key-for-rebuild-race';
const NAME = 'order_summary';

describeWithStores(['postgres'], 'concurrent rebuild requests (HTTP)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let projections: ProjectionsService;
  let projectionsDir: string;
  let baseUrl: string;
  const admin = (method: 'get' | 'post', url: string) =>
    request(baseUrl)[method](`/admin/projections${url}`).set('Authorization', `Bearer ${ADMIN_KEY}`);

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-rebuild-race-'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/order-summary.yaml'),
      path.join(projectionsDir, 'order-summary.yaml'),
    );
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
    });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    projections = app.get(ProjectionsService);
    await projections.ready();
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  async function placeOrders(count: number): Promise<bigint> {
    let position = 0n;
    for (let i = 0; i < count; i++) {
      const orderId = uniqueTestName('o').replace(/_/g, '-');
      const response = await request(baseUrl)
        .post('/orders')
        .set('Authorization', `Bearer ${WRITER_KEY}`)
        .send({ orderId, customerId: 'c1' })
        .expect(201);
      position = BigInt(response.body.position as string);
    }
    return position;
  }

  async function sql<T>(text: string): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('ten simultaneous rebuild requests build exactly one generation and leave no hidden runner', async () => {
    await request(baseUrl)
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId: 'c1', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    await projections.runtime.waitForCheckpoint(NAME, await placeOrders(30));

    const answers = await Promise.all(Array.from({ length: 10 }, () => admin('post', `/${NAME}/rebuild`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    const bodies = answers.map((answer) => answer.body as RebuildStartedJson);
    expect(new Set(bodies.map((body) => body.generation))).toEqual(new Set([2]));
    expect(bodies.filter((body) => !body.alreadyBuilding)).toHaveLength(1);

    // Let the rebuild swap in, then keep writing: only the visible generation may move.
    const deadline = Date.now() + 30_000;
    let status: ProjectionStatusJson;
    for (;;) {
      status = (await admin('get', `/${NAME}`).expect(200)).body as ProjectionStatusJson;
      if (status.live?.generation === 2 && status.rebuild === null) break;
      if (Date.now() > deadline) throw new Error(`no swap to generation 2: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const last = await placeOrders(5);
    await projections.runtime.waitForCheckpoint(NAME, last);

    const generations = await sql<{ generation: number }>(
      `SELECT generation FROM prism.prism_generations WHERE projection = '${NAME}' ORDER BY generation`,
    );
    expect(generations.map((row) => row.generation)).toEqual([2]);
    const checkpoints = await sql<{ generation: number; position: string }>(
      `SELECT * FROM prism.prism_checkpoints WHERE projection = '${NAME}'`,
    );
    expect(checkpoints.map((row) => row.generation)).toEqual([2]);
    const tables = await sql<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'prism' AND tablename LIKE '${NAME}%' ORDER BY 1`,
    );
    expect(tables.map((row) => row.tablename)).toEqual([`${NAME}__g2`]);

    // No runner committed to any generation but the first (before the rebuild) and the one swapped in.
    const samples = parsePrometheusText((await request(baseUrl).get('/metrics').expect(200)).text);
    const committedTo = samples
      .filter((sample) => sample.name === 'prism_projection_events_processed_total')
      .filter((sample) => sample.labels.projection === NAME)
      .map((sample) => sample.labels.generation);
    expect(new Set(committedTo)).toEqual(new Set(['1', '2']));
    const afterSwap = (await admin('get', `/${NAME}`).expect(200)).body as ProjectionStatusJson;
    expect(afterSwap).toMatchObject({ state: 'live', rebuild: null, live: { generation: 2 } });
  });
});
