/**
 * The command API over real HTTP, on the real PostgreSQL event store in a fresh database:
 * every status code, idempotent retries, concurrent writers, and the OpenAPI document.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import type { EventStore, StoredEvent } from '../../src/eventstore/event-store.port';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import { createPrismApp } from '../../src/main';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeWithStores(['postgres'], 'command API on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let store: EventStore;
  let baseUrl: string;
  const http = () => request(baseUrl);

  beforeAll(async () => {
    const config = loadConfig({ PRISM_EVENT_STORE: 'postgres', PRISM_PG_URL: database.url, PORT: '0' });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Ids unique per test, so tests never see each other's streams. */
  const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

  async function customer(customerId = id('c')): Promise<string> {
    await http()
      .post('/customers')
      .send({ customerId, name: 'Ada', email: `${customerId}@example.com`, city: 'London' })
      .expect(201);
    return customerId;
  }

  async function product(price = 1999, productId = id('p')): Promise<string> {
    await http()
      .post('/products')
      .send({ productId, title: 'Lamp', description: 'A lamp', category: 'home', price, tags: ['Light'] })
      .expect(201);
    return productId;
  }

  async function order(customerId?: string, orderId = id('o')): Promise<string> {
    await http()
      .post('/orders')
      .send({ orderId, customerId: customerId ?? (await customer()) })
      .expect(201);
    return orderId;
  }

  const types = (events: StoredEvent[]) => events.map((event) => event.type);

  describe('2xx', () => {
    it('creates with 201 and the stream, revision and position of the write', async () => {
      const response = await http()
        .post('/customers')
        .set('X-Correlation-Id', 'trace-201')
        .send({ customerId: 'ada-201', name: ' Ada ', email: 'Ada@Example.com', city: 'London' })
        .expect(201);

      const [event] = await store.readStream('customer-ada-201');
      expect(response.body).toEqual({
        id: 'ada-201',
        streamId: 'customer-ada-201',
        revision: 0,
        position: event!.position.toString(),
      });
      expect(response.headers['x-prism-position']).toBe(event!.position.toString());
      expect(response.headers['x-correlation-id']).toBe('trace-201');
      expect(response.headers.etag).toBe('"0"');
      expect(event).toMatchObject({
        type: 'CustomerRegistered',
        data: { customerId: 'ada-201', name: 'Ada', email: 'ada@example.com', city: 'London' },
        metadata: { correlationId: 'trace-201', schemaVersion: 1 },
      });
      expect(event!.metadata.causationId).toMatch(UUID);
    });

    it('generates an id when the client sends none', async () => {
      const response = await http()
        .post('/orders')
        .send({ customerId: await customer() })
        .expect(201);
      expect(response.body.id).toMatch(UUID);
      expect(response.body.streamId).toBe(`order-${response.body.id}`);
      expect(types(await store.readStream(response.body.streamId))).toEqual(['OrderPlaced']);
    });

    it('runs an order through its life with 202s, capturing the price when the item is added', async () => {
      const productId = await product(1250);
      const orderId = await order();
      const added = await http().post(`/orders/${orderId}/items`).send({ productId, qty: 3 }).expect(202);
      expect(added.body).toMatchObject({ id: orderId, streamId: `order-${orderId}`, revision: 1 });
      await http().post(`/products/${productId}/price`).send({ price: 2000 }).expect(202);
      const shipped = await http().post(`/orders/${orderId}/ship`).expect(202);

      const events = await store.readStream(`order-${orderId}`);
      expect(types(events)).toEqual(['OrderPlaced', 'ItemAdded', 'OrderShipped']);
      expect(events[1]!.data).toEqual({ orderId, productId, qty: 3, price: 1250 });
      expect(Date.parse(events[0]!.data.placedAt as string)).not.toBeNaN();
      expect(shipped.body.position).toBe(events[2]!.position.toString());
      expect(BigInt(shipped.body.position)).toBeGreaterThan(BigInt(added.body.position));
    });

    it('renames, follows and unfollows customers, and lists, reprices and delists products', async () => {
      const [ada, grace] = [await customer(), await customer()];
      await http().post(`/customers/${ada}/rename`).send({ name: 'Ada King' }).expect(202);
      await http().post(`/customers/${ada}/follow`).send({ followedCustomerId: grace }).expect(202);
      await http().delete(`/customers/${ada}/follow/${grace}`).expect(202);
      expect(types(await store.readStream(`customer-${ada}`))).toEqual([
        'CustomerRegistered',
        'CustomerRenamed',
        'CustomerFollowed',
        'CustomerUnfollowed',
      ]);

      const lamp = await product();
      await http().delete(`/products/${lamp}`).expect(202);
      const events = await store.readStream(`product-${lamp}`);
      expect(types(events)).toEqual(['ProductListed', 'ProductDelisted']);
      expect(events[0]!.data.tags).toEqual(['light']);
    });
  });

  describe('400', () => {
    it('lists every invalid field, including unknown ones', async () => {
      const response = await http()
        .post('/products')
        .set('X-Correlation-Id', 'trace-400')
        .send({ description: 'x', category: 'home', price: '12', tags: ['ok', 7], colour: 'red' })
        .expect(400);
      expect(response.headers['x-correlation-id']).toBe('trace-400');
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.fields).toEqual({
        colour: ['property colour should not exist'],
        title: expect.arrayContaining(['title must be a string']),
        price: ['price must be an integer number'],
        tags: expect.arrayContaining(['each value in tags must be a string']),
      });
    });

    it('rejects a bad expectedRevision, a bad path id, malformed JSON and a bad Idempotency-Key', async () => {
      const orderId = await order();
      const badRevision = await http()
        .post(`/orders/${orderId}/ship`)
        .send({ expectedRevision: -1 })
        .expect(400);
      expect(badRevision.body.fields.expectedRevision).toEqual(['expectedRevision must not be less than 0']);

      const badId = await http().post('/orders/not%20an%20id/ship').expect(400);
      expect(badId.body).toMatchObject({ error: 'invalid_id' });

      const malformed = await http()
        .post('/customers')
        .set('Content-Type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(malformed.body.error).toBe('malformed_request');
      expect(malformed.body.message).toContain('send a valid JSON body');

      const badKey = await http()
        .post(`/orders/${orderId}/ship`)
        .set('Idempotency-Key', 'no spaces')
        .expect(400);
      expect(badKey.body.error).toBe('invalid_idempotency_key');
      expect(types(await store.readStream(`order-${orderId}`))).toEqual(['OrderPlaced']);
    });
  });

  describe('404', () => {
    it('names the unknown aggregate', async () => {
      const ghost = id('ghost');
      const rename = await http().post(`/customers/${ghost}/rename`).send({ name: 'X' }).expect(404);
      expect(rename.body).toMatchObject({ error: 'customer_not_found', customerId: ghost });
      expect(rename.body.message).toContain('register the customer first');

      const follow = await http()
        .post(`/customers/${await customer()}/follow`)
        .send({ followedCustomerId: ghost });
      expect(follow.status).toBe(404);
      expect(follow.body).toMatchObject({ error: 'customer_not_found', customerId: ghost });

      await http().post(`/orders/${ghost}/items`).send({ productId: 'p', qty: 1 }).expect(404);
      const item = await http()
        .post(`/orders/${await order()}/items`)
        .send({ productId: ghost, qty: 1 });
      expect(item.status).toBe(404);
      expect(item.body.error).toBe('product_not_found');
      expect((await store.readStream(`customer-${ghost}`)).length).toBe(0);
    });
  });

  describe('409', () => {
    it('refuses a stale expectedRevision or If-Match with the expected and actual revisions', async () => {
      const orderId = await order();
      const productId = await product();
      await http()
        .post(`/orders/${orderId}/items`)
        .send({ productId, qty: 1, expectedRevision: 0 })
        .expect(202);

      const stale = await http()
        .post(`/orders/${orderId}/items`)
        .send({ productId, qty: 1, expectedRevision: 0 })
        .expect(409);
      expect(stale.body).toMatchObject({
        error: 'concurrency_conflict',
        streamId: `order-${orderId}`,
        expectedRevision: 0,
        actualRevision: 1,
      });
      const staleHeader = await http().post(`/orders/${orderId}/ship`).set('If-Match', '"0"').expect(409);
      expect(staleHeader.body).toMatchObject({ expectedRevision: 0, actualRevision: 1 });

      await http().post(`/orders/${orderId}/ship`).set('If-Match', '"1"').expect(202);
      expect(types(await store.readStream(`order-${orderId}`))).toEqual([
        'OrderPlaced',
        'ItemAdded',
        'OrderShipped',
      ]);
    });

    it('refuses to create what already exists', async () => {
      const customerId = await customer();
      const again = await http()
        .post('/customers')
        .send({ customerId, name: 'Other', email: 'o@example.com', city: 'Paris' })
        .expect(409);
      expect(again.body).toMatchObject({ error: 'customer_already_registered', customerId });
      expect((await store.readStream(`customer-${customerId}`)).length).toBe(1);
    });

    it('lets exactly one of 10 concurrent writers with the same expectedRevision win', async () => {
      const orderId = await order();
      const productId = await product();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          http()
            .post(`/orders/${orderId}/items`)
            .send({ productId, qty: i + 1, expectedRevision: 0 }),
        ),
      );
      const winners = responses.filter((r) => r.status === 202);
      const losers = responses.filter((r) => r.status === 409);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(9);
      for (const loser of losers) {
        expect(loser.body).toMatchObject({
          error: 'concurrency_conflict',
          expectedRevision: 0,
          actualRevision: 1,
        });
      }

      const events = await store.readStream(`order-${orderId}`);
      expect(types(events)).toEqual(['OrderPlaced', 'ItemAdded']);
      const winnerQty = responses.indexOf(winners[0]!) + 1;
      expect(events[1]!.data.qty).toBe(winnerQty);
      expect(events[1]!.position.toString()).toBe(winners[0]!.body.position);
    });

    it('never loses a write when concurrent writers send no expectedRevision', async () => {
      const orderId = await order();
      const productId = await product();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => http().post(`/orders/${orderId}/items`).send({ productId, qty: 1 })),
      );
      expect(responses.every((r) => r.status === 202 || r.status === 409)).toBe(true);
      const accepted = responses.filter((r) => r.status === 202);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      const items = (await store.readStream(`order-${orderId}`)).filter((e) => e.type === 'ItemAdded');
      expect(items.map((e) => e.position.toString()).sort()).toEqual(
        accepted.map((r) => r.body.position as string).sort(),
      );
    });
  });

  describe('422', () => {
    it.each([
      [
        'a zero price',
        '/products',
        { title: 'T', description: '', category: 'c', price: 0 },
        'invalid_price',
      ],
      ['a blank name', '/customers', { name: '   ', email: 'a@b.co', city: 'X' }, 'invalid_name'],
    ])('refuses %s with a rule code', async (_what, path, body, code) => {
      const response = await http().post(path).send(body).expect(422);
      expect(response.body.error).toBe(code);
      expect(response.body.message).toEqual(expect.any(String));
    });

    it('enforces the order rules', async () => {
      const productId = await product();
      const orderId = await order();
      const qty = await http().post(`/orders/${orderId}/items`).send({ productId, qty: 1001 }).expect(422);
      expect(qty.body).toMatchObject({ error: 'invalid_quantity', field: 'qty' });
      expect((await http().post(`/orders/${orderId}/ship`).expect(422)).body.error).toBe('order_empty');

      await http().post(`/orders/${orderId}/items`).send({ productId, qty: 1000 }).expect(202);
      await http().post(`/orders/${orderId}/ship`).expect(202);
      expect((await http().post(`/orders/${orderId}/ship`).expect(422)).body.error).toBe(
        'order_already_shipped',
      );
      const late = await http().post(`/orders/${orderId}/items`).send({ productId, qty: 1 }).expect(422);
      expect(late.body.error).toBe('order_already_shipped');
      expect((await http().post(`/orders/${orderId}/cancel`).expect(422)).body.error).toBe(
        'order_already_shipped',
      );

      const other = await order();
      await http().post(`/orders/${other}/cancel`).expect(202);
      expect((await http().post(`/orders/${other}/cancel`).expect(422)).body.error).toBe(
        'order_already_cancelled',
      );
      expect(types(await store.readStream(`order-${orderId}`))).toEqual([
        'OrderPlaced',
        'ItemAdded',
        'OrderShipped',
      ]);
    });

    it('enforces the customer and product rules', async () => {
      const ada = await customer();
      const self = await http()
        .post(`/customers/${ada}/follow`)
        .send({ followedCustomerId: ada })
        .expect(422);
      expect(self.body.error).toBe('cannot_follow_self');
      const same = await http().post(`/customers/${ada}/rename`).send({ name: 'Ada' }).expect(422);
      expect(same.body.error).toBe('name_unchanged');

      const lamp = await product(500);
      expect((await http().post(`/products/${lamp}/price`).send({ price: 500 }).expect(422)).body.error).toBe(
        'price_unchanged',
      );
      await http().delete(`/products/${lamp}`).expect(202);
      const gone = await http()
        .post(`/orders/${await order()}/items`)
        .send({ productId: lamp, qty: 1 })
        .expect(422);
      expect(gone.body.error).toBe('product_delisted');
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the first result and writes once', async () => {
      const orderId = await order();
      const productId = await product();
      const key = id('key');
      const send = () =>
        http().post(`/orders/${orderId}/items`).set('Idempotency-Key', key).send({ qty: 2, productId });

      const first = await send().expect(202);
      const retry = await send().expect(202);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['x-prism-position']).toBe(first.headers['x-prism-position']);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(types(await store.readStream(`order-${orderId}`))).toEqual(['OrderPlaced', 'ItemAdded']);
    });

    it('returns the generated id of the first create on a retry', async () => {
      const customerId = await customer();
      const key = id('key');
      const first = await http().post('/orders').set('Idempotency-Key', key).send({ customerId }).expect(201);
      const retry = await http().post('/orders').set('Idempotency-Key', key).send({ customerId }).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.body.id).toMatch(UUID);
    });

    it('refuses the same key for a different request', async () => {
      const orderId = await order();
      const productId = await product();
      const key = id('key');
      await http()
        .post(`/orders/${orderId}/items`)
        .set('Idempotency-Key', key)
        .send({ productId, qty: 1 })
        .expect(202);
      const reused = await http()
        .post(`/orders/${orderId}/items`)
        .set('Idempotency-Key', key)
        .send({ productId, qty: 5 })
        .expect(422);
      expect(reused.body).toMatchObject({ error: 'idempotency_key_reused', key });
      await http().post(`/orders/${orderId}/ship`).set('Idempotency-Key', key).expect(422);
      expect(types(await store.readStream(`order-${orderId}`))).toEqual(['OrderPlaced', 'ItemAdded']);
    });

    it('runs concurrent requests with one key once, and gives them all the same answer', async () => {
      const orderId = await order();
      const productId = await product();
      const key = id('key');
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          http().post(`/orders/${orderId}/items`).set('Idempotency-Key', key).send({ productId, qty: 1 }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
      expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
      expect(types(await store.readStream(`order-${orderId}`))).toEqual(['OrderPlaced', 'ItemAdded']);
    });

    it('frees the key when the command fails, so the same request can succeed later', async () => {
      const orderId = await order();
      const productId = await product();
      const key = id('key');
      const ship = () => http().post(`/orders/${orderId}/ship`).set('Idempotency-Key', key);
      expect((await ship().expect(422)).body.error).toBe('order_empty');
      await http().post(`/orders/${orderId}/items`).send({ productId, qty: 1 }).expect(202);
      const shipped = await ship().expect(202);
      expect((await ship().expect(202)).body).toEqual(shipped.body);
      expect(types(await store.readStream(`order-${orderId}`))).toEqual([
        'OrderPlaced',
        'ItemAdded',
        'OrderShipped',
      ]);
    });
  });

  describe('OpenAPI', () => {
    it('documents every command route at /docs-json and serves Swagger UI at /docs', async () => {
      const document = (await http().get('/docs-json').expect(200)).body;
      // The admin, query and append APIs are documented too; this test is about the command routes.
      const commandPaths = Object.keys(document.paths).filter((p) => !/^\/(admin|views|streams)\//.test(p));
      expect(commandPaths.sort()).toEqual([
        '/customers',
        '/customers/{customerId}/follow',
        '/customers/{customerId}/follow/{followedCustomerId}',
        '/customers/{customerId}/rename',
        '/orders',
        '/orders/{orderId}/cancel',
        '/orders/{orderId}/items',
        '/orders/{orderId}/ship',
        '/products',
        '/products/{productId}',
        '/products/{productId}/price',
      ]);
      expect(Object.keys(document.paths['/orders/{orderId}/items'].post.responses)).toEqual(
        expect.arrayContaining(['202', '400', '404', '409', '422', '503']),
      );
      const addItem = document.paths['/orders/{orderId}/items'].post as {
        requestBody: { content: Record<string, { schema: { $ref: string } }> };
        parameters: { name: string }[];
      };
      expect(addItem.requestBody.content['application/json']!.schema.$ref).toBe(
        '#/components/schemas/AddItemDto',
      );
      expect(addItem.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining(['orderId', 'Idempotency-Key', 'If-Match', 'X-Correlation-Id']),
      );
      expect(document.components.schemas.AddItemDto.properties.qty.type).toBe('integer');
      expect(document.components.schemas.ListProductDto.required).toEqual(
        expect.arrayContaining(['title', 'description', 'category', 'price']),
      );
      expect(document.components.schemas.CommandAcceptedDto.properties.position.type).toBe('string');
      expect((await http().get('/docs').expect(200)).text).toContain('swagger-ui');
    });
  });
});
