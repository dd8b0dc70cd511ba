/**
 * Issue #15, roles: an `api` app and a `worker` app in one process, on one PostgreSQL schema (event store,
 * views, coordination), as two Prism processes would run. The api takes commands and answers reads with
 * read-your-writes from the stored checkpoints, while only the worker projects; an admin pause sent to the
 * api takes effect on the worker (forwarded through the coordination store); status and nodes read alike
 * on the api; the worker mounts no query, admin or command routes, and the api runs no runner; with no
 * worker left a pause is kept as desired state, which the next worker applies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { ProjectionStatusJson } from '../../src/admin/admin.dto';
import type { NodesJson } from '../../src/admin/cluster-view';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../support/stores';

const ADMIN_KEY = 'admin-key-for-roles-e2e';
const WRITER_KEY = 'writer-key-for-roles-e2e';
const NAME = 'customer_directory';

describeWithStores(['postgres'], 'roles: an api app and a worker app on one PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let projectionsDir: string;
  let api: INestApplication;
  let worker: INestApplication;
  const http = (app: INestApplication) => request(app.getHttpServer() as Parameters<typeof request>[0]);
  const asAdmin = (method: 'get' | 'post', url: string) =>
    http(api)[method](url).set('Authorization', `Bearer ${ADMIN_KEY}`);

  async function start(role: 'api' | 'worker', id: string): Promise<INestApplication> {
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
      PRISM_ROLE: role,
      PRISM_NODE_ID: id,
      PRISM_LEASE_TTL_MS: '3000',
    });
    const app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();
    return app;
  }

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-roles-'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    worker = await start('worker', 'worker-1');
    api = await start('api', 'api-1');
    await eventually('the worker runs customer_directory', async () =>
      worker.get(ProjectionsService).runsLocally(NAME),
    );
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  it('mounts no query, admin or command routes on the worker, and runs no runner on the api', async () => {
    await http(worker).get(`/views/${NAME}/ada`).expect(404);
    await http(worker).get('/admin/projections').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(404);
    await http(worker)
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId: 'w', name: 'W', email: 'w@example.com', city: 'Paris' })
      .expect(404);
    await http(worker).get('/health/live').expect(200);
    await http(worker).get('/metrics').expect(200);

    const apiRuntime = api.get(ProjectionsService).runtime;
    expect(apiRuntime.names()).toEqual([]);
    expect(api.get(ProjectionsService).runsLocally(NAME)).toBe(false);
    expect(worker.get(ProjectionsService).runtime.names()).toEqual([NAME]);
  });

  it('answers a read-your-writes query on the api once the worker projected the command', async () => {
    const created = await http(api)
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    const position = created.body.position as string;
    const row = await http(api).get(`/views/${NAME}/ada`).query({ after: position }).expect(200);
    expect(row.body).toMatchObject({ customer_id: 'ada', name: 'Ada' });
    // The worker's own checkpoint is at or past it: the api read the stored one, the worker wrote it.
    const live = worker.get(ProjectionsService).runtime.status(NAME).live!;
    expect(live.checkpoint).toBeGreaterThanOrEqual(BigInt(position));
  });

  it('lists both nodes, and the worker holding the lease, on the api', async () => {
    const nodes = (await asAdmin('get', '/admin/nodes').expect(200)).body as NodesJson;
    expect(nodes.coordination).toBe('postgres');
    const byId = Object.fromEntries(nodes.nodes.map((node) => [node.id, node]));
    expect(byId['api-1']).toMatchObject({ role: 'api', alive: true, self: true, leases: [] });
    expect(byId['worker-1']).toMatchObject({ role: 'worker', alive: true, self: false });
    expect(byId['worker-1']!.leases.map((lease) => lease.projection)).toEqual([NAME]);
  });

  it('shows on the api the numbers the worker reports, with the owner', async () => {
    const status = await eventually('the worker reported its status', async () => {
      const answer = (await asAdmin('get', `/admin/projections/${NAME}`).expect(200))
        .body as ProjectionStatusJson;
      return answer.live !== null ? answer : undefined;
    });
    expect(status.owner).toMatchObject({ node: 'worker-1' });
    expect(status.reportedAt).toEqual(expect.any(String));
    expect(status.state).toMatch(/^(live|catching-up)$/);
  });

  it('forwards an admin pause sent to the api to the worker, which applies it, then a resume', async () => {
    const paused = (await asAdmin('post', `/admin/projections/${NAME}/pause`).expect(200))
      .body as ProjectionStatusJson;
    expect(paused.state).toBe('paused');
    // Answered with the worker's outcome: the worker's runtime is paused when the answer arrives.
    expect(worker.get(ProjectionsService).runtime.status(NAME).state).toBe('paused');

    const resumed = (await asAdmin('post', `/admin/projections/${NAME}/resume`).expect(200))
      .body as ProjectionStatusJson;
    expect(resumed.state).not.toBe('paused');
    expect(worker.get(ProjectionsService).runtime.status(NAME).state).not.toBe('paused');
  });

  it('answers a forwarded failure as the worker would: a bad parked position, an unknown projection', async () => {
    const unknown = await asAdmin('post', '/admin/projections/nope/pause').expect(404);
    expect(unknown.body).toMatchObject({ error: 'unknown_projection', known: [NAME] });
    const missing = await asAdmin('post', `/admin/projections/${NAME}/parked/999999/replay`).expect(404);
    expect(missing.body).toMatchObject({ error: 'parked_event_not_found' });
  });

  it('with no worker left, keeps a pause as desired state that the next worker applies', async () => {
    await worker.close();
    const standby = (await asAdmin('get', `/admin/projections/${NAME}`).expect(200))
      .body as ProjectionStatusJson;
    expect(standby.state).toBe('standby');
    expect(standby.owner ?? undefined).toBeUndefined();
    const rebuild = await asAdmin('post', `/admin/projections/${NAME}/rebuild`).expect(409);
    expect(rebuild.body).toMatchObject({ error: 'projection_not_owned' });

    const paused = (await asAdmin('post', `/admin/projections/${NAME}/pause`).expect(200))
      .body as ProjectionStatusJson;
    expect(paused.state).toBe('paused');

    worker = await start('worker', 'worker-2');
    await eventually('worker-2 runs customer_directory', async () =>
      worker.get(ProjectionsService).runsLocally(NAME),
    );
    await eventually(
      'worker-2 applied the stored pause',
      async () => worker.get(ProjectionsService).runtime.status(NAME).state === 'paused',
    );
    const resumed = (await asAdmin('post', `/admin/projections/${NAME}/resume`).expect(200))
      .body as ProjectionStatusJson;
    expect(resumed.state).not.toBe('paused');
    // Run by worker-2, which answered with its own status.
    expect(resumed.owner).toMatchObject({ node: 'worker-2' });
    const status = (await asAdmin('get', `/admin/projections/${NAME}`).expect(200))
      .body as ProjectionStatusJson;
    expect(status.owner).toMatchObject({ node: 'worker-2' });
  });
});

/** Polls `check` until it returns something truthy (20 s at most). */
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
