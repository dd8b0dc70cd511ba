/** The same command API on the embedded (SQLite file) event store: no server needed. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EMBEDDED_EVENT_STORE_FILE, loadConfig } from '../../src/config/app-config';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import { createPrismApp } from '../../src/main';

describe('command API on the embedded event store', () => {
  let dataDir: string;
  let app: INestApplication;
  let store: EventStore;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'prism-e2e-')), 'nested', 'data');
    app = await createPrismApp(loadConfig({ PRISM_EVENT_STORE: 'embedded', PRISM_DATA_DIR: dataDir }), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) await rm(path.resolve(dataDir, '..', '..'), { recursive: true, force: true });
  });

  it('creates its data directory and runs commands, conflicts and idempotent retries', async () => {
    const http = () => request(baseUrl);
    expect(store.kind).toBe('embedded');
    expect((await stat(path.join(dataDir, EMBEDDED_EVENT_STORE_FILE))).isFile()).toBe(true);

    await http()
      .post('/customers')
      .send({ customerId: 'ada', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    await http()
      .post('/products')
      .send({ productId: 'lamp', title: 'Lamp', description: '', category: 'home', price: 1999 })
      .expect(201);
    const placed = await http().post('/orders').send({ orderId: 'o1', customerId: 'ada' }).expect(201);
    expect(placed.body).toMatchObject({ id: 'o1', streamId: 'order-o1', revision: 0 });

    const add = () =>
      http().post('/orders/o1/items').set('Idempotency-Key', 'add-lamp').send({ productId: 'lamp', qty: 2 });
    const first = await add().expect(202);
    expect((await add().expect(202)).body).toEqual(first.body);
    const conflict = await http().post('/orders/o1/ship').set('If-Match', '"0"').expect(409);
    expect(conflict.body).toMatchObject({
      error: 'concurrency_conflict',
      expectedRevision: 0,
      actualRevision: 1,
    });
    await http().post('/orders/o1/ship').set('If-Match', '"1"').expect(202);
    expect((await http().post('/orders/o1/ship').expect(422)).body.error).toBe('order_already_shipped');

    const events = await store.readStream('order-o1');
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'ItemAdded', 'OrderShipped']);
    expect(events[1]!.data).toEqual({ orderId: 'o1', productId: 'lamp', qty: 2, price: 1999 });
    expect(BigInt(first.body.position)).toBe(events[1]!.position);
  });
});
