/**
 * The append route against the event catalog (issue #16), over real HTTP on the real app and the embedded
 * event store: a payload of a catalogued type (an aggregate's event, or one the catalog file declares)
 * that does not fit its version's schema is a 400 naming the field, and nothing is appended; a fitting one
 * is written with its version as `schemaVersion` (the latest unless the writer declares one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { EVENT_LOG } from '../eventstore/event-store.module';
import type { EventLog } from '../eventstore/event-store.port';
import { createPrismApp } from '../main';
import { uniqueTestName } from '../../test/support/stores';

const CATALOG = path.join(__dirname, '..', '..', 'test', 'fixtures', 'event-catalog', 'events.catalog.yaml');

describe('POST /streams/{id}/events validates catalogued payloads', () => {
  let app: INestApplication;
  let log: EventLog;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'prism-append-catalog-'));
    app = await createPrismApp(loadConfig({ PRISM_DATA_DIR: dataDir, PRISM_EVENT_CATALOG: CATALOG }), {
      logger: false,
    });
    await app.init();
    log = app.get<EventLog>(EVENT_LOG);
  });
  afterAll(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const stream = (prefix: string) => `${prefix}-${uniqueTestName('s').replace(/_/g, '-')}`;
  const post = (streamId: string, body: unknown) =>
    request(app.getHttpServer() as Parameters<typeof request>[0])
      .post(`/streams/${streamId}/events`)
      .set('Content-Type', 'application/json')
      .send(body as object);

  it("refuses an aggregate's event whose payload misses a field or has one of the wrong type", async () => {
    const streamId = stream('order');
    const response = await post(streamId, {
      events: [
        { type: 'OrderPlaced', data: { orderId: 'o1', customerId: 'c1', placedAt: '2026-01-01' } },
        { type: 'ItemAdded', data: { orderId: 'o1', productId: 'p1', qty: 'two', price: 100 } },
        { type: 'OrderPlaced', data: { orderId: 'o2', placedAt: '2026-01-01' } },
      ],
    }).expect(400);
    expect(response.body.error).toBe('validation_failed');
    expect(Object.keys(response.body.fields as object).sort()).toEqual([
      'events.1.data.qty',
      'events.2.data.customerId',
    ]);
    expect(response.body.fields['events.1.data.qty'][0]).toContain('ItemAdded v1');
    expect(await log.readStream(streamId)).toEqual([]);
  });

  it('checks a catalog-file type against the declared version, else the latest, and records it', async () => {
    const streamId = stream('payment');
    const latestMissing = await post(streamId, {
      events: [{ type: 'PaymentReceived', data: { paymentId: 'p1', customerId: 'c1', amount: 5 } }],
    }).expect(400);
    expect(Object.keys(latestMissing.body.fields as object).sort()).toEqual([
      'events.0.data.amountCents',
      'events.0.data.currency',
    ]);

    await post(streamId, {
      events: [
        {
          type: 'PaymentReceived',
          data: { paymentId: 'p1', customerId: 'c1', amount: 5 },
          metadata: { schemaVersion: 1 },
        },
        {
          type: 'PaymentReceived',
          data: { paymentId: 'p2', customerId: 'c1', amountCents: 700, currency: 'USD' },
        },
      ],
    }).expect(201);
    const written = await log.readStream(streamId);
    expect(written.map((event) => [event.data, event.metadata.schemaVersion])).toEqual([
      [{ paymentId: 'p1', customerId: 'c1', amount: 5 }, 1],
      [{ paymentId: 'p2', customerId: 'c1', amountCents: 700, currency: 'USD' }, 2],
    ]);
  });

  it('refuses a version the catalog does not have, and writes uncatalogued types as given', async () => {
    const streamId = stream('payment');
    const unknown = await post(streamId, {
      events: [
        {
          type: 'PaymentReceived',
          data: { paymentId: 'p1', customerId: 'c1', amountCents: 1, currency: 'EUR' },
          metadata: { schemaVersion: 3 },
        },
      ],
    }).expect(400);
    expect(unknown.body.fields['events.0.metadata.schemaVersion'][0]).toContain('no version 3');

    await post(streamId, { events: [{ type: 'RefundIssued', data: { anything: true } }] }).expect(201);
    const [refund] = await log.readStream(streamId);
    expect(refund?.metadata.schemaVersion).toBe(1);
  });
});
