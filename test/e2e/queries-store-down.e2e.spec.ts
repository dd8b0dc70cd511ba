/**
 * The read side keeps answering while the event store is down. The app's event store is PostgreSQL
 * reached through a loopback proxy that the test cuts; its relational views live in the same PostgreSQL
 * reached directly, as they would on a separate view database.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { TcpProxy, viaProxy } from '../support/tcp-proxy';

describeWithStores(['postgres'], 'queries with the event store down', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let proxy: TcpProxy;
  let app: INestApplication;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    const direct = new URL(database.url);
    proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = viaProxy(database.url, await proxy.start());
    const config = loadConfig({ PRISM_PG_URL: database.url });
    app = await createPrismApp(
      { ...config, eventStore: { kind: 'postgres', url: proxied, schema: 'prism' } },
      { logger: false },
    );
    await app.init();
    await app.get(ProjectionsService).ready();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('serves lists, lookups and covered read-your-writes tokens; an uncovered token gets a bounded 503', async () => {
    const created = await http()
      .post('/customers')
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    const position = created.body.position as string;
    await http().get('/views/customer_directory/ada').query({ after: position }).expect(200);

    await proxy.stop();
    const down = await http().post('/customers/ada/rename').send({ name: 'Ada King' });
    expect(down.status).toBe(503);

    const list = await http().get('/views/customer_directory').query({ city: 'London' }).expect(200);
    expect((list.body as { items: { customer_id: string }[] }).items.map((r) => r.customer_id)).toEqual([
      'ada',
    ]);
    const row = await http().get('/views/customer_directory/ada').query({ after: position }).expect(200);
    expect(row.body.name).toBe('Ada');

    // A token beyond the checkpoint needs the log, which is unreachable: a 503 within the wait, not a hang.
    const started = Date.now();
    const uncovered = await http()
      .get('/views/customer_directory/ada')
      .query({ after: String(BigInt(position) + 100n), wait: '500' })
      .expect(503);
    expect(uncovered.body.error).toBe('not_yet_consistent');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describeWithStores(['postgres'], 'queries with the view store down', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let proxy: TcpProxy;
  let proxyPort: number;
  let app: INestApplication;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    const direct = new URL(database.url);
    proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    proxyPort = await proxy.start();
    // The views through the proxy, the events direct.
    const config = loadConfig({ PRISM_PG_URL: viaProxy(database.url, proxyPort) });
    app = await createPrismApp(
      { ...config, eventStore: { kind: 'postgres', url: database.url, schema: 'prism' } },
      { logger: false },
    );
    await app.init();
    await app.get(ProjectionsService).ready();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('answers 503 view_store_unavailable (not 500) while the view database is unreachable, then recovers', async () => {
    const created = await http()
      .post('/customers')
      .send({ customerId: 'bob', name: 'Bob', email: 'bob@example.com', city: 'Paris' })
      .expect(201);
    await http()
      .get('/views/customer_directory/bob')
      .query({ after: created.body.position as string })
      .expect(200);

    await proxy.stop();
    const down = await http().get('/views/customer_directory/bob').expect(503);
    expect(down.body.error).toBe('view_store_unavailable');
    expect(down.body.message).toContain('retry the request later');

    await proxy.start(proxyPort);
    const back = await http().get('/views/customer_directory/bob').expect(200);
    expect(back.body.name).toBe('Bob');
  });
});
