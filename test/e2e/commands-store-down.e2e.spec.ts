/**
 * The command API when PostgreSQL goes away mid-flight: 503 with a clear message, nothing half-written,
 * and the same request succeeds once the database is back. The app reaches PostgreSQL through a loopback
 * TCP proxy, so "down" is a real refused connection, not a mocked error.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import { createPrismApp } from '../../src/main';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { TcpProxy } from '../support/tcp-proxy';

describeWithStores(['postgres'], 'command API with the event store down', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let proxy: TcpProxy;
  let proxyPort: number;
  let app: INestApplication;
  let store: EventStore;
  let baseUrl: string;

  beforeAll(async () => {
    const target = new URL(database.url);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxyPort = await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxyPort);
    app = await createPrismApp(loadConfig({ PRISM_PG_URL: viaProxy.toString() }), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('answers 503 while PostgreSQL is unreachable and writes nothing, then recovers', async () => {
    const http = () => request(baseUrl);
    await http()
      .post('/customers')
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);

    await proxy.stop();
    for (const key of [undefined, 'rename-ada-1']) {
      const attempt = http().post('/customers/ada/rename').send({ name: 'Ada King' });
      const down = await (key ? attempt.set('Idempotency-Key', key) : attempt);
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.body.error).toBe('event_store_unavailable');
      expect(down.body.message).toContain('postgres event store is unavailable');
      expect(down.body.message).toContain('Nothing was written');
    }

    await proxy.start(proxyPort);
    const renamed = await http()
      .post('/customers/ada/rename')
      .set('Idempotency-Key', 'rename-ada-1')
      .send({ name: 'Ada King' });
    expect(renamed.status).toBe(202);
    const events = await store.readStream('customer-ada');
    expect(events.map((event) => event.type)).toEqual(['CustomerRegistered', 'CustomerRenamed']);
    expect(renamed.body.position).toBe(events[1]!.position.toString());
  });
});
