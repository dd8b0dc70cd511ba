/**
 * A client generated from the served document drives every route (issue #20): openapi-typescript makes
 * the types from /docs-json, a script calls every operation of the document through openapi-fetch with
 * them (tsc type-checks it, strict: per-view paths, typed query parameters, bodies optional where the
 * server takes none), and it runs against the app on real PostgreSQL, Elasticsearch and Neo4j. Every
 * response is checked against the document (status, headers, body; an undocumented status fails), and
 * every operation of the document must have been called.
 *
 * Needs the devDependencies openapi-typescript and openapi-fetch (test/support/openapi-client.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { writeExampleViews } from '../support/example-views';
import { findClientTools, GeneratedClientProject } from '../support/openapi-client';
import { OpenApiResponseChecker, type OpenApiDocument } from '../support/openapi-responses';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const KEYS = { admin: 'admin-key-openapi-client', writer: 'writer-key-openapi-client' };
const tools = findClientTools();

// Skipped, saying why, until the devDependencies are installed (the lead installs packages).
const describeWithClient = tools === undefined ? describe.skip : describe;

describeWithClient('a generated client (openapi-typescript + openapi-fetch)', () => {
  describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'drives every route', (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    // Unique view names: Elasticsearch indices and Neo4j labels are named after them and shared.
    let SEARCH: string;
    let GRAPH: string;
    let directory: string;
    let app: INestApplication;
    let document: OpenApiDocument;
    let baseUrl: string;

    beforeAll(async () => {
      directory = mkdtempSync(path.join(tmpdir(), 'prism-openapi-client-'));
      const definitions = path.join(directory, 'projections');
      mkdirSync(definitions);
      ({ search: SEARCH, graph: GRAPH } = writeExampleViews(definitions));
      const config = loadConfig({
        PRISM_PG_URL: database.url,
        PRISM_ES_URL: urls.elasticsearch,
        PRISM_NEO4J_URL: urls.neo4j,
        PRISM_PROJECTIONS_DIR: definitions,
        PRISM_DATA_DIR: directory,
        PRISM_API_KEYS: `admin:${KEYS.admin},writer:${KEYS.writer}`,
      });
      app = await createPrismApp(config, { logger: false });
      await app.listen(0, '127.0.0.1');
      await app.get(ProjectionsService).ready();
      const server = app.getHttpServer() as { address(): AddressInfo };
      baseUrl = `http://127.0.0.1:${server.address().port}`;
      document = (await request(baseUrl).get('/docs-json').expect(200)).body as OpenApiDocument;
    });

    afterAll(async () => {
      await app?.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    });

    it('type-checks a script over every operation, and every answer it gets is documented', async () => {
      const project = new GeneratedClientProject(directory, tools!);
      await project.generate(document);
      const script = driveScript({
        search: SEARCH,
        graph: GRAPH,
        definition: readFileSync(path.join(__dirname, '../../projections/order-summary.yaml'), 'utf8'),
      });
      await project.typeCheck(script);
      const responses = await project.drive({
        PRISM_URL: baseUrl,
        ADMIN_KEY: KEYS.admin,
        WRITER_KEY: KEYS.writer,
        RUN: uniqueTestName('r').replace(/_/g, '-'),
      });

      const checker = new OpenApiResponseChecker(document);
      const problems = responses.flatMap((response) => checker.check(response));
      const called = new Set(
        responses.map(
          (response) => `${response.method.toUpperCase()} ${checker.route(response.method, response.path)}`,
        ),
      );
      const documented = Object.entries(document.paths).flatMap(([route, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${route}`),
      );
      expect(documented.filter((operation) => !called.has(operation))).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});

if (tools === undefined) {
  it.skip('needs openapi-typescript and openapi-fetch (devDependencies) to generate and drive a client', () => {});
}

/**
 * The script a team would write with the generated client: every operation, typed. View paths name this
 * run's views, so they are literal paths of the document (a view's own schema and parameters).
 */
function driveScript(names: { search: string; graph: string; definition: string }): string {
  const { search, graph } = names;
  return `
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

const observed: unknown[] = [];
const record: Middleware = {
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    observed.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: text === '' ? undefined : JSON.parse(text),
    });
    return undefined;
  },
};
function client(key?: string) {
  const made = createClient<paths>({
    baseUrl: process.env.PRISM_URL!,
    headers: key === undefined ? {} : { Authorization: \`Bearer \${key}\` },
  });
  made.use(record);
  return made;
}
const reader = client();
const writer = client(process.env.WRITER_KEY);
const admin = client(process.env.ADMIN_KEY);
const run = process.env.RUN!;
const [customer, friend, product, spare, order, other] = ['c', 'f', 'p', 's', 'o', 'x'].map((p) => \`\${p}-\${run}\`) as [
  string, string, string, string, string, string,
];

async function main(): Promise<void> {
  // Commands: every route, typed bodies; ship, cancel, delist and unfollow without one.
  await writer.POST('/customers', { body: { customerId: customer, name: 'Ada', email: 'ada@example.com', city: 'London' } });
  await writer.POST('/customers', { body: { customerId: friend, name: 'Bob', email: 'bob@example.com', city: 'Paris' } });
  await writer.POST('/customers/{customerId}/rename', { params: { path: { customerId: customer } }, body: { name: 'Ada King' } });
  await writer.POST('/customers/{customerId}/follow', { params: { path: { customerId: customer } }, body: { followedCustomerId: friend } });
  await writer.DELETE('/customers/{customerId}/follow/{followedCustomerId}', {
    params: { path: { customerId: customer, followedCustomerId: friend } },
  });
  await writer.POST('/products', { body: { productId: product, title: 'Dune', description: 'A novel', category: 'books', price: 1200 } });
  await writer.POST('/products', { body: { productId: spare, title: 'Spare', description: 'x', category: 'misc', price: 100, tags: ['a'] } });
  await writer.POST('/products/{productId}/price', { params: { path: { productId: product } }, body: { price: 1300 } });
  await writer.DELETE('/products/{productId}', { params: { path: { productId: spare } } });
  await writer.POST('/orders', { body: { orderId: order, customerId: customer } });
  const added = await writer.POST('/orders/{orderId}/items', { params: { path: { orderId: order } }, body: { productId: product, qty: 2 } });
  const position: string = added.data!.position;
  const shipped = await writer.POST('/orders/{orderId}/ship', { params: { path: { orderId: order } } });
  // The search below filters on status shipped: it waits for the ship, which a runner may commit in a
  // later batch than the item.
  const shippedAt: string = shipped.data!.position;
  await writer.POST('/orders', { body: { orderId: other, customerId: customer } });
  await writer.POST('/orders/{orderId}/cancel', { params: { path: { orderId: other } } });
  await writer.POST('/orders/{orderId}/cancel', { params: { path: { orderId: other } } }); // 422: already cancelled
  await writer.POST('/streams/{streamId}/events', {
    params: { path: { streamId: \`note-\${run}\` } },
    body: { events: [{ type: 'NoteAdded', data: { text: 'hello' } }] },
  });
  await reader.POST('/orders', { body: { customerId: customer } }); // 401: no key

  // A relational view, by its own paths (typed rows) and the generic ones.
  const row = await reader.GET('/views/order_summary/{key}', {
    params: { path: { key: order }, query: { after: position, wait: 10000 } },
  });
  const status: string | undefined = row.data?.status;
  if (status !== 'placed' && status !== 'shipped') throw new Error(\`unexpected row \${JSON.stringify(row.data)}\`);
  const page = await reader.GET('/views/order_summary', { params: { query: { 'total[gte]': 1, limit: 10, sort: '-total' } } });
  const totals: (number | undefined)[] = (page.data?.items ?? []).map((item) => item.total);
  if (totals.length === 0) throw new Error('no rows');
  await reader.GET('/views/order_summary/{key}', { params: { path: { key: 'no-such-order' } } }); // 404
  // The generic paths, with a name no view has: 404 unknown_view.
  await reader.GET('/views/{name}', { params: { path: { name: 'no_such_view' }, query: { limit: 1 } } });
  await reader.GET('/views/{name}/{key}', { params: { path: { name: 'no_such_view', key: 'k' } } });
  await reader.GET('/views/{name}/search', { params: { path: { name: 'no_such_view' } } });
  await reader.POST('/views/{name}/search/raw', { params: { path: { name: 'no_such_view' } }, body: { size: 1 } });

  // A search view.
  const found = await reader.GET('/views/${search}/search', {
    params: { query: { after: shippedAt, wait: 10000, 'filter.status': 'shipped' } },
  });
  const facets = found.data?.facets?.status ?? [];
  if (found.data === undefined || facets.length === 0) throw new Error(\`no facets: \${JSON.stringify(found.error)}\`);
  await reader.GET('/views/${search}/search', { params: { query: { size: 5, sort: 'placed_at:desc' } } });
  await reader.POST('/views/${search}/search/raw', { body: { query: { term: { order_id: order } } } });
  await reader.POST('/views/${search}/search/raw', { body: { query: { match_all: {} }, aggs: { s: { script: {} } } } }); // 400
  await reader.GET('/views/${search}/search/ordersWithProduct', { params: { query: { productId: product } } });
  await reader.GET('/views/${search}/search/customerOrders', { params: { query: { customerId: customer, status: 'shipped' } } });
  await reader.GET('/views/{name}/search/{template}', { params: { path: { name: '${search}', template: 'nope' } } }); // 404

  // A graph view's named query, with its typed parameters.
  await reader.GET('/views/${graph}/graph/buyersOfProduct', { params: { query: { productId: product, limit: 5, after: position, wait: 10000 } } });
  await reader.GET('/views/${graph}/graph/alsoBought', { params: { query: { productId: product } } });
  await reader.GET('/views/{name}/graph/{query}', { params: { path: { name: '${graph}', query: 'nope' } } }); // 404

  // Admin.
  const name = { path: { name: 'order_summary' } };
  await admin.GET('/admin/projections');
  await admin.GET('/admin/projections/{name}', { params: name });
  await admin.POST('/admin/projections/{name}/pause', { params: name });
  await admin.POST('/admin/projections/{name}/resume', { params: name });
  await admin.GET('/admin/projections/{name}/parked', { params: name });
  await admin.POST('/admin/projections/{name}/parked/{position}/replay', { params: { path: { name: 'order_summary', position: '1' } } });
  await admin.POST('/admin/projections/{name}/parked/{position}/discard', { params: { path: { name: 'order_summary', position: 'x' } } });
  await admin.GET('/admin/projections/{name}/verify', { params: name }); // 404: none running
  await admin.POST('/admin/projections/{name}/verify', { params: name, body: { maxDifferences: 5 } });
  await admin.POST('/admin/plan', { body: { definition: ${JSON.stringify(names.definition)}, filename: 'order-summary.yaml' } });
  await admin.GET('/admin/nodes');
  await admin.GET('/admin/console/overview');
  await admin.GET('/admin/projections/{name}/definition', { params: name });
  await admin.GET('/admin/projections/{name}/generations', { params: name });
  await admin.DELETE('/admin/projections/{name}', { params: { path: { name: 'order_summary' }, query: { dryRun: 'true' } } }); // 409
  await admin.POST('/admin/projections/{name}/rebuild', { params: name });
  await admin.POST('/admin/projections/{name}/reset', { params: name });
  await writer.GET('/admin/projections'); // 403
}

main().then(
  () => process.stdout.write(JSON.stringify(observed)),
  (error: unknown) => {
    process.stderr.write(String(error instanceof Error ? error.stack : error));
    process.exit(1);
  },
);
`;
}
