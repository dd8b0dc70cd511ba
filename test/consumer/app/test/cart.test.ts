/**
 * The app's own end-to-end test on the package's aggregate and Nest module: boot it, send its commands,
 * read its projection with read-your-writes. Needs DATABASE_URL (a PostgreSQL database of its own).
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';

const databaseUrl = process.env.DATABASE_URL;

void test('a cart opened and filled by commands is read back from its projection', async () => {
  assert.ok(databaseUrl, 'DATABASE_URL is not set');
  const app = await NestFactory.create(
    AppModule.forRoot({
      databaseUrl,
      schema: 'cart_app',
      projectionsDir: path.join(__dirname, '..', '..', 'projections'),
    }),
    { logger: ['error', 'warn'] },
  );
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const post = (route: string, body: unknown) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  try {
    assert.equal((await post('/carts', { cartId: 'c1' })).status, 201);
    assert.equal((await post('/carts/c1/add-product', { productId: 'p1', qty: 2 })).status, 202);
    const added = await post('/carts/c1/add-product', { productId: 'p2', qty: 1 });
    assert.equal(added.status, 202);
    const { position } = (await added.json()) as { position: string };
    assert.equal((await post('/carts/c1/add-product', { productId: 'p3', qty: 0 })).status, 400);
    assert.equal((await post('/carts', { cartId: 'c1' })).status, 409);
    assert.equal((await post('/carts/c9/add-product', { productId: 'p1', qty: 1 })).status, 404);

    // The longest wait the server allows (10 s): a loaded CI machine may take more than the default 5 s.
    const row = await fetch(`${url}/views/cart_summary/c1?after=${position}&wait=10000`);
    assert.equal(row.status, 200);
    assert.deepEqual(await row.json(), { cart_id: 'c1', items: 3 });
  } finally {
    await app.close();
  }
});
