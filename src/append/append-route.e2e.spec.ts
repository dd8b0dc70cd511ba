/**
 * `POST /streams/{streamId}/events` over real HTTP on the real app, on the embedded store (development
 * mode, no keys) and on PostgreSQL (with API keys): batches, expected revisions, If-Match, the
 * Idempotency-Key, who wrote it, and every kind of bad input refused with a 4xx naming the field and
 * nothing appended.
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
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';

const WRITER_KEY = 'append-writer-key-0123456789';
const READER_KEY = 'append-reader-key-0123456789';
const API_KEYS = `writer:billing-service:${WRITER_KEY},reader:${READER_KEY}`;

interface Setup {
  /** The env besides the data directory. */
  readonly env: (dataDir: string) => Record<string, string>;
  /** The Authorization header a writer sends, if keys are configured. */
  readonly writer?: string;
  /** `metadata.userId` the writer's events get. */
  readonly userId: string;
}

function appendRouteSuite(setup: () => Setup): void {
  let app: INestApplication;
  let log: EventLog;
  let dataDir: string;
  let who: Setup;

  beforeAll(async () => {
    who = setup();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'prism-append-'));
    app = await createPrismApp(loadConfig({ PRISM_DATA_DIR: dataDir, ...who.env(dataDir) }), {
      logger: false,
    });
    await app.init();
    log = app.get<EventLog>(EVENT_LOG);
  });
  afterAll(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const stream = (prefix = 'cart') => `${prefix}-${uniqueTestName('s').replace(/_/g, '-')}`;
  const post = (streamId: string, body: unknown) => {
    const call = request(app.getHttpServer() as Parameters<typeof request>[0])
      .post(`/streams/${streamId}/events`)
      .set('Content-Type', 'application/json');
    if (who.writer !== undefined) call.set('Authorization', who.writer);
    return typeof body === 'string' ? call.send(body) : call.send(body as object);
  };
  const opened = (cartId: string) => ({ type: 'CartOpened', data: { cartId } });
  const added = (productId: string) => ({ type: 'ProductAdded', data: { productId, qty: 1 } });

  it('appends a batch atomically and answers its revision and read-your-writes position', async () => {
    const streamId = stream();
    const id = '0b6f1c9e-5d1b-4a57-9d1e-2f3c4b5a6d7e';
    const response = await post(streamId, {
      events: [
        { ...opened('c1'), id },
        { ...added('p1'), metadata: { schemaVersion: 3 } },
      ],
    })
      .set('X-Correlation-Id', 'corr-append-1')
      .expect(201);
    expect(response.body).toEqual({ streamId, revision: 1, position: expect.any(String) });
    expect(response.headers['x-prism-position']).toBe(response.body.position);
    expect(response.headers.etag).toBe('"1"');
    expect(response.headers['x-correlation-id']).toBe('corr-append-1');

    const events = await log.readStream(streamId);
    expect(
      events.map(({ id: eventId, type, data, revision }) => ({ eventId, type, data, revision })),
    ).toEqual([
      { eventId: id, type: 'CartOpened', data: { cartId: 'c1' }, revision: 0 },
      { eventId: expect.any(String), type: 'ProductAdded', data: { productId: 'p1', qty: 1 }, revision: 1 },
    ]);
    expect(events[1]!.position).toBe(BigInt(response.body.position as string));
    expect(events.map((event) => event.metadata.schemaVersion)).toEqual([1, 3]);
    for (const event of events) {
      expect(event.metadata).toMatchObject({ userId: who.userId, correlationId: 'corr-append-1' });
    }
    expect(events[0]!.metadata.causationId).toBe(events[1]!.metadata.causationId);
  });

  it('checks the expected revision: any, no_stream, stream_exists, a number, If-Match', async () => {
    const streamId = stream();
    await post(streamId, { events: [opened('c2')], expectedRevision: 'stream_exists' }).expect(409);
    await post(streamId, { events: [opened('c2')], expectedRevision: 'no_stream' }).expect(201);
    const again = await post(streamId, { events: [opened('c2')], expectedRevision: 'no_stream' }).expect(409);
    expect(again.body).toMatchObject({
      error: 'concurrency_conflict',
      streamId,
      expectedRevision: -1,
      actualRevision: 0,
    });
    const stale = await post(streamId, { events: [added('p1')], expectedRevision: 5 }).expect(409);
    expect(stale.body).toMatchObject({
      error: 'concurrency_conflict',
      expectedRevision: 5,
      actualRevision: 0,
    });
    await post(streamId, { events: [added('p1')], expectedRevision: 0 }).expect(201);
    await post(streamId, { events: [added('p2')] })
      .set('If-Match', '"1"')
      .expect(201);
    await post(streamId, { events: [added('p3')] })
      .set('If-Match', '"1"')
      .expect(409);
    await post(streamId, { events: [added('p3')], expectedRevision: 'stream_exists' }).expect(201);
    await post(streamId, { events: [added('p4')] }).expect(201); // "any" by default

    const conflicting = await post(streamId, { events: [added('p5')], expectedRevision: 'any' })
      .set('If-Match', '"4"')
      .expect(400);
    expect(conflicting.body.error).toBe('conflicting_expected_revision');
    const badIfMatch = await post(streamId, { events: [added('p5')] })
      .set('If-Match', 'yesterday')
      .expect(400);
    expect(badIfMatch.body.error).toBe('invalid_if_match');
    expect((await log.readStream(streamId)).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs a request with an Idempotency-Key at most once, with the commands’ semantics', async () => {
    const streamId = stream();
    const key = uniqueTestName('key');
    const send = (body: unknown) => post(streamId, body).set('Idempotency-Key', key);
    const first = await send({ events: [opened('c3')] }).expect(201);
    const retry = await send({ events: [opened('c3')] }).expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const reused = await send({ events: [opened('c4')] }).expect(422);
    expect(reused.body).toMatchObject({ error: 'idempotency_key_reused', key });
    expect(await log.readStream(streamId)).toHaveLength(1);
    const badKey = await post(streamId, { events: [opened('c3')] })
      .set('Idempotency-Key', 'a b')
      .expect(400);
    expect(badKey.body.error).toBe('invalid_idempotency_key');
  });

  it('answers a retry of the same event ids with the first result, and refuses ids of other events', async () => {
    const streamId = stream();
    const body = { events: [{ ...opened('c5'), id: '7d3b8a52-0e61-4c3e-9a4b-5f2c1d0e9b8a' }] };
    const first = await post(streamId, body).expect(201);
    expect((await post(streamId, body).expect(201)).body).toEqual(first.body);
    const elsewhere = await post(stream(), body).expect(409);
    expect(elsewhere.body).toMatchObject({
      error: 'duplicate_event_id',
      eventId: '7d3b8a52-0e61-4c3e-9a4b-5f2c1d0e9b8a',
    });
    expect(await log.readStream(streamId)).toHaveLength(1);
  });

  it('is described in OpenAPI from the schema it validates against', async () => {
    const docs = await request(app.getHttpServer() as Parameters<typeof request>[0])
      .get('/docs-json')
      .expect(200);
    const route = docs.body.paths['/streams/{streamId}/events'].post;
    expect(Object.keys(route.responses as object)).toEqual(
      expect.arrayContaining(['201', '400', '409', '422', '503']),
    );
    const body = route.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ required: ['events'], additionalProperties: false });
    expect(body.properties.events).toMatchObject({ minItems: 1, maxItems: 100 });
    expect(body.properties.events.items.required).toEqual(['type', 'data']);
  });

  describe('bad input: a 4xx naming the field, nothing appended', () => {
    let head: bigint;
    beforeEach(async () => {
      head = await log.headPosition();
    });
    afterEach(async () => {
      expect(await log.headPosition()).toBe(head);
    });

    it.each([
      ['a space', 'cart%201'],
      ['a $ system stream', '$all'],
      ['a leading dash', '-cart'],
      ['129 characters', 'c'.repeat(129)],
      ["Prism's idempotency streams", 'idempotency-k1'],
    ])('a stream id with %s: 400 invalid_stream_id', async (_what, streamId) => {
      const response = await post(streamId, { events: [opened('c')] }).expect(400);
      expect(response.body).toMatchObject({ error: 'invalid_stream_id', field: 'streamId' });
    });

    it.each([
      ['data that is not an object', { events: [{ type: 'CartOpened', data: [1] }] }, 'events.0.data'],
      ['data that is null', { events: [opened('c'), { type: 'X', data: null }] }, 'events.1.data'],
      ['a type that is not a name', { events: [{ type: 'Cart Opened!', data: {} }] }, 'events.0.type'],
      ['an unknown field', { events: [opened('c')], stream: 'x' }, 'stream'],
      ['an unknown event field', { events: [{ ...opened('c'), at: 1 }] }, 'events.0.at'],
      [
        'metadata naming the user',
        { events: [{ ...opened('c'), metadata: { userId: 'admin' } }] },
        'events.0.metadata.userId',
      ],
      ['101 events', { events: Array(101).fill(opened('c')) }, 'events'],
      ['no events', { events: [] }, 'events'],
      ['a bad expected revision', { events: [opened('c')], expectedRevision: 'latest' }, 'expectedRevision'],
    ])('%s: 400 validation_failed', async (_what, body, field) => {
      const response = await post(stream(), body).expect(400);
      expect(response.body.error).toBe('validation_failed');
      expect(Object.keys(response.body.fields as object)).toContain(field);
    });

    it('a body over 100 kB: 413; not JSON: 400; not application/json: 415', async () => {
      const big = { events: [{ type: 'Big', data: { blob: 'x'.repeat(110_000) } }] };
      expect((await post(stream(), big).expect(413)).body.error).toBe('payload_too_large');
      expect((await post(stream(), '{"events": [').expect(400)).body.error).toBe('malformed_request');
      const form = request(app.getHttpServer() as Parameters<typeof request>[0])
        .post(`/streams/${stream()}/events`)
        .type('form')
        .send('events=1');
      if (who.writer !== undefined) form.set('Authorization', who.writer);
      expect((await form.expect(415)).body.error).toBe('unsupported_media_type');
    });
  });
}

describe('append route on the embedded store (development mode)', () => {
  appendRouteSuite(() => ({ env: () => ({ PRISM_EVENT_STORE: 'embedded' }), userId: 'anonymous' }));
});

describeWithStores(['postgres'], 'append route on PostgreSQL with API keys', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  // Nested, so each app closes (a nested afterAll) before the database is dropped.
  describe('route', () => {
    appendRouteSuite(() => ({
      env: () => ({ PRISM_PG_URL: database.url, PRISM_API_KEYS: API_KEYS }),
      writer: `Bearer ${WRITER_KEY}`,
      userId: 'billing-service',
    }));
  });

  describe('keys', () => {
    let app: INestApplication;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'prism-append-keys-'));
      app = await createPrismApp(
        loadConfig({ PRISM_DATA_DIR: dataDir, PRISM_PG_URL: database.url, PRISM_API_KEYS: API_KEYS }),
        { logger: false },
      );
      await app.init();
    });
    afterAll(async () => {
      await app?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('needs a writer key: none or an unknown one is 401, a reader key 403, and nothing is appended', async () => {
      const log = app.get<EventLog>(EVENT_LOG);
      const head = await log.headPosition();
      const post = (authorization?: string) => {
        const call = request(app.getHttpServer() as Parameters<typeof request>[0]).post(
          '/streams/cart-k1/events',
        );
        if (authorization !== undefined) call.set('Authorization', authorization);
        return call.send({ events: [{ type: 'CartOpened', data: {} }] });
      };
      expect((await post().expect(401)).body).toMatchObject({
        error: 'unauthorized',
        requiredRole: 'writer',
      });
      await post('Bearer not-a-configured-key').expect(401);
      expect((await post(`Bearer ${READER_KEY}`).expect(403)).body).toMatchObject({
        error: 'forbidden',
        requiredRole: 'writer',
      });
      expect(await log.headPosition()).toBe(head);
      await post(`Bearer ${WRITER_KEY}`).expect(201);
    });
  });
});
