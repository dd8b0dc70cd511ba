/**
 * Every answer the server gives matches the OpenAPI document it serves (issue #20): a real app on real
 * PostgreSQL, Elasticsearch and Neo4j, driven through commands, each view's own paths, the admin API and
 * their error cases; each answer's status must be documented for its operation, and its headers and JSON
 * body must match the documented schemas (test/support/openapi-responses.ts). An undocumented status fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { writeExampleViews } from '../support/example-views';
import { OpenApiResponseChecker, type OpenApiDocument } from '../support/openapi-responses';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const KEYS = { admin: 'admin-key-openapi-responses', writer: 'writer-key-openapi-responses' };

interface Call {
  readonly key?: keyof typeof KEYS;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'answers against the OpenAPI document', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let directory: string;
  let app: INestApplication;
  let checker: OpenApiResponseChecker;
  let SEARCH: string;
  let GRAPH: string;
  const problems: string[] = [];
  const statuses: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'prism-openapi-responses-'));
    ({ search: SEARCH, graph: GRAPH } = writeExampleViews(directory));
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: urls.neo4j,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
      PRISM_API_KEYS: `admin:${KEYS.admin},writer:${KEYS.writer}`,
      PORT: '0',
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();
    const document = (await call('get', '/docs-json')).body as OpenApiDocument;
    checker = new OpenApiResponseChecker(document);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** One request; its answer is checked against the document (except the document itself). */
  async function call(method: 'get' | 'post' | 'put' | 'delete', url: string, options: Call = {}) {
    let pending = request(app.getHttpServer() as Parameters<typeof request>[0])[method](url);
    if (options.key !== undefined) pending = pending.set('Authorization', `Bearer ${KEYS[options.key]}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) pending = pending.set(name, value);
    const response = await (options.body === undefined ? pending : pending.send(options.body as object));
    const observed = {
      method,
      path: url.split('?')[0]!,
      status: response.status,
      headers: response.headers as Record<string, string>,
      body: response.body as unknown,
    };
    if (url !== '/docs-json') {
      problems.push(...checker.check(observed));
      statuses.push(`${method.toUpperCase()} ${checker.route(method, observed.path)} ${response.status}`);
    }
    return response;
  }

  it('answers commands, view queries and admin operations only as documented', async () => {
    const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');
    const customer = id('c');
    const product = id('p');
    const order = id('o');

    // Commands.
    await call('post', '/customers', {
      key: 'writer',
      body: { customerId: customer, name: 'Ada', email: 'ada@example.com', city: 'London' },
    });
    await call('post', '/products', {
      key: 'writer',
      body: { productId: product, title: 'Dune', description: 'A novel', category: 'books', price: 1200 },
    });
    await call('post', '/orders', { key: 'writer', body: { orderId: order, customerId: customer } });
    const added = await call('post', `/orders/${order}/items`, {
      key: 'writer',
      body: { productId: product, qty: 2 },
    });
    expect(added.status).toBe(202);
    const position = added.body.position as string;
    await call('post', `/orders/${order}/items`, { key: 'writer', body: { productId: product, qty: 0 } }); // 422
    await call('post', '/orders/not a valid id/ship', { key: 'writer' }); // 400 invalid_id
    await call('post', `/orders/${order}/ship`, { key: 'writer', headers: { 'If-Match': 'x' } }); // 400
    await call('post', '/orders', { body: { customerId: customer } }); // 401
    await call('post', '/orders', { key: 'writer', body: { customerId: customer, extra: 1 } }); // 400

    // A relational view: list (filters, fields), row, ETag and 304, errors.
    const row = await call('get', `/views/order_summary/${order}?after=${position}&wait=10000`);
    expect(row.body).toMatchObject({ order_id: order, status: 'placed', item_count: 2, total: 2400 });
    const list = await call('get', `/views/order_summary?status=placed&total[gte]=1&customer_id=${customer}`);
    expect(list.body.items).toHaveLength(1);
    await call('get', `/views/order_summary?fields=order_id,total&limit=1`);
    const etag = list.headers.etag as string;
    expect(etag).toBeDefined();
    const again = await call(
      'get',
      `/views/order_summary?status=placed&total[gte]=1&customer_id=${customer}`,
      {
        headers: { 'If-None-Match': etag },
      },
    );
    expect(again.status).toBe(304);
    await call('get', '/views/order_summary/no-such-order'); // 404 row_not_found
    await call('get', '/views/no_such_view'); // 404 unknown_view
    await call('get', '/views/order_summary?total[gte]=many'); // 400 invalid_query
    await call('get', `/views/order_summary/${order}?after=${BigInt(position) + 1000n}&wait=0`); // 503

    // A search view: search with filters and facets, raw, a template.
    const found = await call('get', `/views/${SEARCH}/search?after=${position}&filter.status=placed`);
    expect(found.status).toBe(200);
    expect((found.body as { hits: { id: string }[] }).hits.map((hit) => hit.id)).toContain(order);
    await call('post', `/views/${SEARCH}/search/raw`, { body: { query: { term: { order_id: order } } } });
    await call('post', `/views/${SEARCH}/search/raw`, { body: { query: { script: {} } } }); // 400
    await call('get', `/views/${SEARCH}/search/customerOrders?customerId=${customer}`);
    await call('get', `/views/${SEARCH}/search/noSuchTemplate`); // 404
    await call('get', `/views/${SEARCH}/search?filter.nope=1`); // 400

    // A graph view's named query.
    const buyers = await call(
      'get',
      `/views/${GRAPH}/graph/buyersOfProduct?productId=${product}&after=${position}&wait=10000`,
    );
    expect(buyers.status).toBe(200);
    await call('get', `/views/${GRAPH}/graph/buyersOfProduct?limit=x`); // 400
    await call('get', `/views/${GRAPH}/graph/noSuchQuery`); // 404

    // Admin.
    await call('get', '/admin/projections', { key: 'admin' });
    await call('get', '/admin/projections/order_summary', { key: 'admin' });
    await call('get', '/admin/projections/no_such', { key: 'admin' }); // 404
    await call('get', '/admin/projections', { key: 'writer' }); // 403
    await call('get', '/admin/projections'); // 401
    await call('post', '/admin/projections/order_summary/pause', { key: 'admin' });
    await call('post', '/admin/projections/order_summary/resume', { key: 'admin' });
    await call('get', '/admin/projections/order_summary/parked', { key: 'admin' });
    await call('post', '/admin/projections/order_summary/parked/abc/replay', { key: 'admin' }); // 400
    await call('post', '/admin/projections/order_summary/parked/999999/discard', { key: 'admin' }); // 404
    await call('get', '/admin/projections/order_summary/verify', { key: 'admin' }); // 404
    await call('post', '/admin/projections/order_summary/verify', { key: 'admin', body: {} });
    await call('post', '/admin/plan', { key: 'admin', body: { definition: 'name: [', filename: 'x.yaml' } });
    await call('delete', '/admin/projections/order_summary', { key: 'admin' }); // 409 still defined
    await call('delete', '/admin/projections/order_summary?dryRun=maybe', { key: 'admin' }); // 400
    await call('get', '/admin/nodes', { key: 'admin' });
    await call('get', '/admin/console/overview', { key: 'admin' });
    await call('get', '/admin/projections/order_summary/definition', { key: 'admin' });
    await call('get', '/admin/projections/order_summary/generations', { key: 'admin' });
    await call('post', '/admin/projections/order_summary/rebuild', { key: 'admin' });

    // Something of each family was answered, successes and errors alike.
    expect(statuses).toEqual(
      expect.arrayContaining([
        'POST /orders/{orderId}/items 202',
        'GET /views/order_summary 304',
        'GET /views/order_summary/{key} 503',
        `GET /views/${SEARCH}/search 200`,
        `POST /views/${SEARCH}/search/raw 400`,
        `GET /views/${GRAPH}/graph/buyersOfProduct 200`,
        'POST /admin/plan 422',
        'POST /admin/projections/{name}/rebuild 202',
      ]),
    );
    expect(problems).toEqual([]);
  });
});
