/**
 * The admin API over real HTTP on the real app (PostgreSQL event store and views): status, pause/resume,
 * rebuild and reset swapped in at the head, parked events listed, replayed and discarded, and each error
 * status. The projections: customer_directory (runs) and order_search (Elasticsearch is not configured, so
 * it has failed: the 409 case).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';
import type { ProjectionStatusJson } from './admin.dto';
import { RUNTIME_READY_TIMEOUT_MS } from './admin.service';

const ADMIN_KEY = 'admin-key-for-admin-e2e';
const WRITER_KEY = 'writer-key-for-admin-e2e';
const NAME = 'customer_directory';

describeWithStores(['postgres'], 'admin API (HTTP)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let projections: ProjectionsService;
  let projectionsDir: string;
  const server = () => request(app.getHttpServer() as Parameters<typeof request>[0]);
  const admin = (method: 'get' | 'post', url: string) =>
    server()[method](`/admin/projections${url}`).set('Authorization', `Bearer ${ADMIN_KEY}`);

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-admin-'));
    for (const file of ['customer-directory.yaml', 'order-search.yaml'])
      fs.copyFileSync(path.join(__dirname, '../../projections', file), path.join(projectionsDir, file));
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    projections = app.get(ProjectionsService);
    await projections.ready();
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  /** Registers a customer; resolves with the log position of its event. */
  async function register(customerId: string, email = `${customerId}@example.com`): Promise<bigint> {
    const response = await server()
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId, name: 'Ada', email, city: 'London' })
      .expect(201);
    return BigInt(response.body.position as string);
  }

  const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

  async function status(): Promise<ProjectionStatusJson> {
    return (await admin('get', `/${NAME}`).expect(200)).body as ProjectionStatusJson;
  }

  async function eventually(
    what: string,
    check: (status: ProjectionStatusJson) => boolean,
  ): Promise<ProjectionStatusJson> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const current = await status();
      if (check(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting until ${what}: ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('lists the status of every projection, positions as strings', async () => {
    const position = await register(id('c'));
    await projections.runtime.waitForCheckpoint(NAME, position);
    const response = await admin('get', '').expect(200);
    const byName = Object.fromEntries(
      (response.body.projections as ProjectionStatusJson[]).map((p) => [p.name, p]),
    );
    expect(Object.keys(byName).sort()).toEqual(['customer_directory', 'order_search']);
    expect(byName.customer_directory).toMatchObject({
      state: 'live',
      rebuild: null,
      live: { generation: 1, checkpoint: position.toString(), parked: 0, held: 0, progress: 1 },
    });
    expect(typeof byName.customer_directory!.live!.head).toBe('string');
    expect(byName.customer_directory!.live).toEqual(
      expect.objectContaining({
        behind: '0',
        eventsPerSecond: expect.any(Number),
        etaSeconds: expect.anything(),
      }),
    );
    expect(byName.order_search).toMatchObject({ state: 'failed', live: null });
    expect(byName.order_search!.notes.join(' ')).toContain('no elasticsearch target');
  });

  it('answers 404 naming the known projections, 409 for one not running, 400 for a bad position', async () => {
    const unknown = await admin('get', '/nope').expect(404);
    expect(unknown.body).toMatchObject({
      error: 'unknown_projection',
      known: ['customer_directory', 'order_search'],
    });
    expect(unknown.body.message).toContain('running: customer_directory, order_search');
    await admin('post', '/nope/rebuild').expect(404);

    const failed = await admin('post', '/order_search/pause').expect(409);
    expect(failed.body).toMatchObject({ error: 'projection_not_running', state: 'failed' });
    await admin('post', '/order_search/rebuild').expect(409);

    for (const position of ['abc', '-1', '1.5', '99999999999999999999']) {
      const bad = await admin('post', `/${NAME}/parked/${position}/replay`).expect(400);
      expect(bad.body.error).toBe('invalid_position');
    }
    const missing = await admin('post', `/${NAME}/parked/1/discard`).expect(404);
    expect(missing.body.error).toBe('parked_event_not_found');
  });

  it('pauses (status paused, nothing applied), then resumes and catches up', async () => {
    const paused = await admin('post', `/${NAME}/pause`).expect(200);
    expect(paused.body.state).toBe('paused');
    const position = await register(id('c'));
    await expect(projections.runtime.waitForCheckpoint(NAME, position, 500)).rejects.toThrow(/did not reach/);
    expect((await status()).state).toBe('paused');
    expect(BigInt((await status()).live!.checkpoint)).toBeLessThan(position);

    const resumed = await admin('post', `/${NAME}/resume`).expect(200);
    expect(resumed.body.state).not.toBe('paused');
    await projections.runtime.waitForCheckpoint(NAME, position, 10_000);
    expect(BigInt((await status()).live!.checkpoint)).toBeGreaterThanOrEqual(position);
  });

  it('rebuilds into a new generation beside the live one, with progress in the status, then swaps it in', async () => {
    const before = await status();
    const live = before.live!.generation;
    // Paused, the new generation waits at 0, so its progress is observable before the swap.
    await admin('post', `/${NAME}/pause`).expect(200);
    const started = await admin('post', `/${NAME}/rebuild`).expect(202);
    expect(started.body).toMatchObject({ projection: NAME, generation: live + 1, from: '0' });
    expect((await admin('post', `/${NAME}/rebuild`).expect(202)).body.generation).toBe(live + 1);
    // (A new runner reports head 0 until it has read the log's head once.)
    const during = await eventually('the rebuild knows the head', (s) => s.rebuild?.head === s.live?.head);
    expect(during.live!.generation).toBe(live);
    expect(during.rebuild).toMatchObject({ generation: live + 1, checkpoint: '0', progress: 0 });
    expect(during.rebuild!.head).toBe(during.live!.head);

    await admin('post', `/${NAME}/resume`).expect(200);
    const after = await eventually(`generation ${live + 1} is live`, (s) => s.live?.generation === live + 1);
    expect(after.rebuild).toBeNull();
    expect(after.live!.checkpoint).toBe(before.live!.checkpoint);
  });

  it('resets to position 0 as a rebuild swapped in at the head, never an emptied view', async () => {
    const live = (await status()).live!.generation;
    const reset = await admin('post', `/${NAME}/reset`).expect(202);
    expect(reset.body).toMatchObject({ projection: NAME, generation: live + 1, from: '0' });
    expect(reset.body.message).toContain('not reversible');
    const after = await eventually(`generation ${live + 1} is live`, (s) => s.live?.generation === live + 1);
    expect(after.live!.progress).toBe(1);
  });

  describe('parked events', () => {
    const sql = async (text: string, values: unknown[] = []) => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };

    it('parks a poison event, lists it, keeps it parked on a failed replay, replays it once fixed, and discards another', async () => {
      const email = `${id('dup')}@example.com`;
      const first = id('c');
      const [second, third] = [id('c'), id('c')];
      await register(first, email);
      // Same email: the view's unique index refuses both rows, so both events are parked.
      const secondAt = await register(second, email);
      const thirdAt = await register(third, email);
      await eventually('two events are parked', (s) => s.live?.parked === 2);
      // A later event of a parked key waits behind it (held), in order.
      const renamed = await server()
        .post(`/customers/${second}/rename`)
        .set('Authorization', `Bearer ${WRITER_KEY}`)
        .send({ name: 'Grace' })
        .expect(202);
      const renamedAt = BigInt(renamed.body.position as string);
      await eventually('the rename is held', (s) => s.live?.held === 1);

      const listed = await admin('get', `/${NAME}/parked`).expect(200);
      expect(listed.body.projection).toBe(NAME);
      const parked = listed.body.parked as {
        position: string;
        status: string;
        eventType: string;
        reason: string;
      }[];
      expect(parked.map((p) => [p.position, p.status])).toEqual([
        [secondAt.toString(), 'parked'],
        [thirdAt.toString(), 'parked'],
        [renamedAt.toString(), 'held'],
      ]);
      expect(parked[0]).toMatchObject({ status: 'parked', eventType: 'CustomerRegistered' });
      expect(parked[0]!.reason).toMatch(/unique|duplicate/i);

      const again = await admin('post', `/${NAME}/parked/${secondAt}/replay`).expect(200);
      expect(again.body).toMatchObject({
        projection: NAME,
        position: secondAt.toString(),
        result: 'still-parked',
      });

      const discarded = await admin('post', `/${NAME}/parked/${thirdAt}/discard`).expect(200);
      expect(discarded.body).toMatchObject({ result: 'discarded', released: 0 });

      // Fix the cause (the conflicting row goes), then the replay applies the event.
      const generation = (await status()).live!.generation;
      await sql(`DELETE FROM prism.customer_directory__g${generation} WHERE customer_id = $1`, [first]);
      const replayed = await admin('post', `/${NAME}/parked/${secondAt}/replay`).expect(200);
      expect(replayed.body).toMatchObject({ result: 'replayed', released: 1 });
      expect((await admin('get', `/${NAME}/parked`).expect(200)).body.parked).toEqual([]);
      const rows = await sql(
        `SELECT customer_id, name FROM prism.customer_directory__g${generation} WHERE email = $1`,
        [email],
      );
      expect(rows).toEqual([{ customer_id: second, name: 'Grace' }]);
      expect((await status()).live).toMatchObject({ parked: 0, held: 0 });
    });
  });
});

describe('admin API while the projection runtime is not up', () => {
  let app: INestApplication;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-admin-down-'));
    // A port that was free a moment ago: the Elasticsearch target cannot connect, so the runtime keeps retrying.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const config = loadConfig({
      PRISM_EVENT_STORE: 'embedded',
      PRISM_DATA_DIR: dataDir,
      PRISM_ES_URL: `http://127.0.0.1:${port}`,
      PRISM_API_KEYS: `admin:${ADMIN_KEY}`,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`answers 503 after waiting ${RUNTIME_READY_TIMEOUT_MS} ms`, async () => {
    const started = Date.now();
    const response = await request(app.getHttpServer() as Parameters<typeof request>[0])
      .get('/admin/projections')
      .set('X-API-Key', ADMIN_KEY)
      .expect(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(RUNTIME_READY_TIMEOUT_MS - 100);
    expect(response.body).toMatchObject({ error: 'projection_runtime_unavailable' });
    expect(response.body.message).toContain('The projection runtime is not running');
  }, 20_000);
});
