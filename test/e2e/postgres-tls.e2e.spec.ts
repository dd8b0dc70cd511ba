/**
 * PostgreSQL over TLS with full verification (issue #18): `sslmode=verify-full&sslrootcert=<ca>` in
 * PRISM_PG_URL, as libpq spells it, reaches a server that requires TLS (test/support/postgres-tls-proxy.ts
 * in front of the machine's PostgreSQL). The event store, its LISTEN connection and the relational views
 * all connect that way; a client that does not ask for TLS, or does not trust the server's CA, is refused.
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
import { makeTestCertificates, type TestCertificates } from '../support/certificates';
import { startPostgresTlsProxy, type PostgresTlsProxy } from '../support/postgres-tls-proxy';
import { describeWithStores, useTestDatabase } from '../support/stores';

const PROJECTIONS = path.join(__dirname, '../../projections');

describeWithStores(['postgres'], 'PostgreSQL over TLS', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-pg-tls-'));
  let certificates: TestCertificates;
  let proxy: PostgresTlsProxy;
  let app: INestApplication | undefined;
  const viaProxy = (query: string) => {
    const url = new URL(database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    url.search = query;
    return url.toString();
  };

  beforeAll(async () => {
    certificates = makeTestCertificates(directory);
    const server = new URL(urls.postgres);
    proxy = await startPostgresTlsProxy({
      upstream: { host: server.hostname, port: Number(server.port || 5432) },
      certificates,
    });
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs commands, projections and queries through verified TLS connections', async () => {
    const config = loadConfig({
      PRISM_PG_URL: viaProxy(`?sslmode=verify-full&sslrootcert=${encodeURIComponent(certificates.caFile)}`),
      PRISM_PROJECTIONS_DIR: PROJECTIONS,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();
    const http = () => request(app!.getHttpServer() as Parameters<typeof request>[0]);
    await http()
      .post('/customers')
      .send({ customerId: 'c-tls', name: 'Ada', email: 'ada@example.com', city: 'Rome' })
      .expect(201);
    const placed = await http().post('/orders').send({ orderId: 'o-tls', customerId: 'c-tls' }).expect(201);
    const row = await http()
      .get('/views/order_summary/o-tls')
      .query({ after: placed.body.position as string })
      .expect(200);
    expect(row.body).toMatchObject({ order_id: 'o-tls', status: 'placed' });
    expect(proxy.stats.tls).toBeGreaterThan(0);
    expect(proxy.stats.refusedPlaintext).toBe(0);
  });

  it('is refused without TLS, and without the CA that signed the server certificate', async () => {
    const plaintext = new Client({ connectionString: viaProxy('') });
    await expect(plaintext.connect()).rejects.toThrow();
    expect(proxy.stats.refusedPlaintext).toBeGreaterThan(0);
    const untrusted = new Client({ connectionString: viaProxy('?sslmode=verify-full') });
    await expect(untrusted.connect()).rejects.toThrow(/certificate/i);
  });
});
