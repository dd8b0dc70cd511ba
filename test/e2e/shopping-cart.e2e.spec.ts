/**
 * The shopping-cart example (examples/shopping-cart: one aggregate file and one YAML projection) in a
 * real Prism app on real PostgreSQL, over HTTP: its generated command routes with every status they
 * answer, the events they append, and the projection's query seeing the writes (read-your-writes).
 * Also the bad input every generated route refuses with a specific 4xx.
 */
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { cart } from '../../examples/shopping-cart/cart.aggregate';
import { loadConfig } from '../../src/config/app-config';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import { createPrismApp } from '../../src/main';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const PROJECTIONS = path.join(__dirname, '../../examples/shopping-cart/projections');

describeWithStores(['postgres'], 'the shopping-cart example on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let store: EventStore;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);
  const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

  beforeAll(async () => {
    const config = loadConfig({ PRISM_PG_URL: database.url, PRISM_PROJECTIONS_DIR: PROJECTIONS });
    app = await createPrismApp(config, { logger: false, aggregates: [cart] });
    await app.init();
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function openCart(cartId = id('cart')): Promise<string> {
    await http().post('/carts').send({ cartId }).expect(201);
    return cartId;
  }

  it('opens, fills, empties a line and confirms a cart, and its view follows', async () => {
    const opened = await http().post('/carts').send({ cartId: 'c-1' }).expect(201);
    expect(opened.body).toMatchObject({ id: 'c-1', streamId: 'cart-c-1', revision: 0 });
    await http().post('/carts/c-1/add-product').send({ productId: 'lamp', qty: 2 }).expect(202);
    await http().post('/carts/c-1/add-product').send({ productId: 'desk', qty: 1 }).expect(202);
    await http().post('/carts/c-1/remove-product').send({ productId: 'lamp' }).expect(202);
    const confirmed = await http().post('/carts/c-1/confirm').set('If-Match', '"3"').expect(202);
    expect(confirmed.headers.etag).toBe('"4"');

    const events = await store.readStream('cart-c-1');
    expect(events.map((event) => event.type)).toEqual([
      'CartOpened',
      'ProductAdded',
      'ProductAdded',
      'ProductRemoved',
      'CartConfirmed',
    ]);
    expect(events[3]!.data).toEqual({ cartId: 'c-1', productId: 'lamp', qty: 2 });
    expect(events[0]!.metadata.schemaVersion).toBe(1);

    const view = await http()
      .get('/views/carts/c-1')
      .query({ after: confirmed.body.position as string })
      .expect(200);
    expect(view.body).toMatchObject({
      cart_id: 'c-1',
      status: 'confirmed',
      lines: [{ productId: 'desk', qty: 1 }],
      items: 1,
    });
  });

  it('generates the id of a cart opened without one', async () => {
    const opened = await http().post('/carts').expect(201);
    expect(opened.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store.readStream(`cart-${opened.body.id as string}`)).length).toBe(1);
  });

  it('answers a broken rule with 422 and its code, a missing cart with 404, a second open with 409', async () => {
    const cartId = await openCart();
    const empty = await http().post(`/carts/${cartId}/confirm`).expect(422);
    expect(empty.body).toMatchObject({ error: 'cart_empty' });
    expect(empty.body.message).toContain('Add a product');

    const missing = await http().post('/carts/nowhere/add-product').send({ productId: 'p', qty: 1 });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'cart_not_found', cartId: 'nowhere' });

    expect((await http().post('/carts').send({ cartId }).expect(409)).body.error).toBe('cart_exists');
    expect((await store.readStream(`cart-${cartId}`)).length).toBe(1);
  });

  it('refuses a stale revision with 409 concurrency_conflict and writes nothing', async () => {
    const cartId = await openCart();
    await http().post(`/carts/${cartId}/add-product`).send({ productId: 'p1', qty: 1 }).expect(202);
    const stale = await http()
      .post(`/carts/${cartId}/add-product`)
      .send({ productId: 'p2', qty: 1, expectedRevision: 0 })
      .expect(409);
    expect(stale.body).toMatchObject({
      error: 'concurrency_conflict',
      streamId: `cart-${cartId}`,
      expectedRevision: 0,
      actualRevision: 1,
    });
    expect((await store.readStream(`cart-${cartId}`)).length).toBe(2);
  });

  it('replays a command retried with the same Idempotency-Key', async () => {
    const cartId = await openCart();
    const send = () =>
      http()
        .post(`/carts/${cartId}/add-product`)
        .set('Idempotency-Key', `key-${cartId}`)
        .send({ productId: 'p1', qty: 3 });
    const first = await send().expect(202);
    const retry = await send().expect(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect((await store.readStream(`cart-${cartId}`)).length).toBe(2);
  });

  describe('bad input, each a specific 4xx', () => {
    it.each([
      [
        'a body that is not an object',
        '[1, 2]',
        { '(body)': ['the body must be a JSON object, not an array'] },
      ],
      ['a wrong field type', '{"productId": "p", "qty": "2"}', { qty: ['qty must be an integer number'] }],
      [
        'a missing field',
        '{"qty": 2}',
        { productId: ['productId is required', 'productId must be a string'] },
      ],
      [
        'an unknown field',
        '{"productId": "p", "qty": 2, "colour": "red"}',
        { colour: ['property colour should not exist'] },
      ],
      [
        'a value out of range',
        '{"productId": "p", "qty": 100}',
        { qty: ['qty must not be greater than 99'] },
      ],
    ])('%s: 400 validation_failed naming the field', async (_what, body, fields) => {
      const cartId = await openCart();
      const response = await http()
        .post(`/carts/${cartId}/add-product`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(response.body).toMatchObject({ error: 'validation_failed', fields });
      expect((await store.readStream(`cart-${cartId}`)).length).toBe(1);
    });

    it('a malformed id in the path or in the body: 400', async () => {
      const path = await http().post('/carts/not%20an%20id/confirm').expect(400);
      expect(path.body).toMatchObject({ error: 'invalid_id' });
      expect(path.body.message).toContain('cartId');
      const body = await http().post('/carts').send({ cartId: 'a/b' }).expect(400);
      expect(body.body).toMatchObject({
        error: 'validation_failed',
        fields: { cartId: ['cartId must be 1 to 64 letters, digits, _ or -'] },
      });
    });

    it('an unknown command path or method: 404 route_not_found', async () => {
      const cartId = await openCart();
      expect((await http().post(`/carts/${cartId}/checkout`).expect(404)).body.error).toBe('route_not_found');
      expect((await http().put(`/carts/${cartId}/confirm`).expect(404)).body.error).toBe('route_not_found');
    });

    it('a bad If-Match or a conflicting expectedRevision: 400', async () => {
      const cartId = await openCart();
      const ifMatch = await http().post(`/carts/${cartId}/confirm`).set('If-Match', 'soon').expect(400);
      expect(ifMatch.body.error).toBe('invalid_if_match');
      const both = await http()
        .post(`/carts/${cartId}/confirm`)
        .set('If-Match', '"0"')
        .send({ expectedRevision: 1 })
        .expect(400);
      expect(both.body.error).toBe('conflicting_expected_revision');
    });
  });

  it('documents the routes and their bodies from the zod schemas', async () => {
    const document = (await http().get('/docs-json').expect(200)).body;
    const addProduct = document.paths['/carts/{cartId}/add-product'].post;
    expect(addProduct.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/AddProductDto',
    );
    expect(Object.keys(addProduct.responses)).toEqual(
      expect.arrayContaining(['202', '400', '404', '409', '422', '503']),
    );
    expect(document.components.schemas.AddProductDto).toMatchObject({
      type: 'object',
      required: ['productId', 'qty'],
      properties: {
        qty: { type: 'integer', minimum: 1, maximum: 99 },
        expectedRevision: { type: 'integer' },
      },
      additionalProperties: false,
    });
    expect(document.paths['/carts'].post.responses['201']).toBeDefined();
    expect(document.components.schemas.OpenDto.properties).not.toHaveProperty('expectedRevision');
  });
});
