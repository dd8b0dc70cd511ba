/**
 * Issue #12 item 13: right after each start, view reads answered 503 "no active generation yet" for
 * 1-5 s although the old generation existed in the store, because the app served before its view stores
 * were connected. An app restarted on an existing PostgreSQL view answers a read made the moment
 * `app.listen` resolves with 200, and its readiness already says so.
 */
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../support/stores';

describeWithStores(['postgres'], 'views are readable as soon as the app listens', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-views-at-start-'));
  let config: AppConfig;
  const apps: INestApplication[] = [];

  async function listening(): Promise<string> {
    const app = await createPrismApp(config, { logger: false });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return app.getUrl();
  }

  beforeAll(() => {
    copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(directory, 'customer-directory.yaml'),
    );
    config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
    });
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  });

  it('a restarted app answers a read of an existing view with 200 the moment it listens', async () => {
    const first = await listening();
    const created = await request(first)
      .post('/customers')
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    const runtime = await apps[0]!.get(ProjectionsService).ready();
    await runtime.waitForCheckpoint('customer_directory', BigInt(created.body.position as string));
    await apps[0]!.close();

    const restarted = await listening();
    const [row, list, ready] = await Promise.all([
      request(restarted).get('/views/customer_directory/ada'),
      request(restarted).get('/views/customer_directory'),
      request(restarted).get('/health/ready'),
    ]);
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({ customer_id: 'ada', name: 'Ada' });
    expect(list.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body.info.views).toMatchObject({ status: 'up', stores: { postgres: 'connected' } });
  });
});
