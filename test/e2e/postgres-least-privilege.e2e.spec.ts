/**
 * The least PostgreSQL privilege Prism runs with (issue #18, README "Running against managed services"):
 * a login role that is not a superuser, owns nothing, and has only CONNECT and CREATE on its database
 * (Prism creates its schema and tables at start-up). Commands append, projections write their views and
 * queries read them, all as that role.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { adminQuery, describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const PROJECTIONS = path.join(__dirname, '../../projections');

describeWithStores(['postgres'], 'Prism as a restricted PostgreSQL role', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const role = uniqueTestName('prism_app');
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-least-privilege-'));
  let app: INestApplication | undefined;
  let roleUrl: string;

  beforeAll(async () => {
    const name = new URL(database.url).pathname.slice(1);
    await adminQuery(
      urls.postgres,
      `CREATE ROLE ${role} LOGIN PASSWORD 'app-secret' NOSUPERUSER NOCREATEDB NOCREATEROLE`,
    );
    // PostgreSQL 15+ no longer lets every role create in `public`; grant only what Prism needs.
    await adminQuery(database.url, `REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await adminQuery(urls.postgres, `GRANT CONNECT, CREATE ON DATABASE ${name} TO ${role}`);
    const url = new URL(database.url);
    url.username = role;
    url.password = 'app-secret';
    roleUrl = url.toString();
  });
  afterAll(async () => {
    await app?.close();
    await adminQuery(urls.postgres, `DROP OWNED BY ${role}`).catch(() => undefined);
    await adminQuery(database.url, `DROP OWNED BY ${role}`).catch(() => undefined);
    await adminQuery(urls.postgres, `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs commands, projections and queries with only CONNECT and CREATE on its database', async () => {
    const probe = new Client({ connectionString: roleUrl });
    await probe.connect();
    const { rows } = await probe.query<{ rolsuper: boolean; rolcreatedb: boolean }>(
      'SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );
    await probe.end();
    expect(rows).toEqual([{ rolsuper: false, rolcreatedb: false }]);

    const config = loadConfig({
      PRISM_PG_URL: roleUrl,
      PRISM_PROJECTIONS_DIR: PROJECTIONS,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();
    const http = () => request(app!.getHttpServer() as Parameters<typeof request>[0]);

    await http()
      .post('/customers')
      .send({ customerId: 'c-lp', name: 'Ada', email: 'ada@example.com', city: 'Paris' })
      .expect(201);
    const placed = await http().post('/orders').send({ orderId: 'o-lp', customerId: 'c-lp' }).expect(201);
    const row = await http()
      .get('/views/order_summary/o-lp')
      .query({ after: placed.body.position as string })
      .expect(200);
    expect(row.body).toMatchObject({ order_id: 'o-lp', customer_id: 'c-lp', status: 'placed' });
  });
});
