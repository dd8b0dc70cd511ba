/**
 * The OpenAPI document Prism serves at /docs-json is valid OpenAPI 3.0 under a standard linter at
 * recommended strictness (issue #20): zero errors, with every store's query API mounted (PostgreSQL
 * views, Elasticsearch search, Neo4j graph), a view of each with its own paths, the admin API and the
 * example marketplace's command routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { componentName } from '../../src/query/view-openapi';
import { writeExampleViews, type ExampleViews } from '../support/example-views';
import { describeProblems, lintOpenApi } from '../support/openapi-lint';
import { describeWithStores, useTestDatabase } from '../support/stores';

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<
    string,
    {
      description?: string;
      headers?: Record<string, { schema?: unknown }>;
      content?: Record<string, { schema?: Schema }>;
    }
  >;
  security?: Record<string, string[]>[];
};
type Document = {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> } & {
    securitySchemes: Record<string, Record<string, unknown>>;
  };
};

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'the OpenAPI document', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let directory: string;
  let app: INestApplication;
  let document: Document;
  let views: ExampleViews;

  beforeAll(async () => {
    // A view in each store: the generic query routes (/views/{name}/...) and each view's own paths.
    directory = mkdtempSync(path.join(tmpdir(), 'prism-openapi-'));
    views = writeExampleViews(directory);
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: urls.neo4j,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
      PORT: '0',
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    const server = app.getHttpServer() as Parameters<typeof request>[0];
    document = (await request(server).get('/docs-json').expect(200)).body as Document;
  });

  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([route, item]) =>
      Object.entries(item).map(([method, operation]) => ({ route, method, operation })),
    );
  const operation = (route: string, method: string): Operation => {
    const found = document.paths[route]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${route} is not in the document`);
    return found;
  };

  it('has zero errors under Redocly lint (recommended)', async () => {
    const problems = await lintOpenApi(document);
    const errors = problems.filter((problem) => problem.severity === 'error');
    expect(describeProblems(errors)).toBe('');
  });

  it('documents the search, graph and relational query routes, each with a summary', () => {
    const routes = Object.keys(document.paths);
    for (const route of ['/views/{name}', '/views/{name}/search', '/views/{name}/graph/{query}'])
      expect(routes).toContain(route);
    const untitled = operations().filter(({ operation }) => !operation.summary?.trim());
    expect(untitled.map(({ route, method }) => `${method} ${route}`)).toEqual([]);
  });

  it('gives every response header a schema', () => {
    const bare = operations().flatMap(({ route, method, operation }) =>
      Object.entries(operation.responses).flatMap(([status, response]) =>
        Object.entries(response.headers ?? {})
          .filter(([, header]) => header.schema === undefined)
          .map(([name]) => `${method} ${route} ${status} ${name}`),
      ),
    );
    expect(bare).toEqual([]);
  });

  it('names a server, and documents X-Prism-After as optional on every query route', () => {
    expect(document.servers?.length).toBeGreaterThan(0);
    const queries = operations().filter(({ route }) => route.startsWith('/views/'));
    expect(queries.length).toBeGreaterThan(0);
    for (const { route, method, operation } of queries) {
      // Header names are case-insensitive; Nest documents the one the controller reads in lowercase.
      const after = (operation.parameters ?? []).filter(
        (parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'x-prism-after',
      );
      expect({ route, method, after: after.map(({ required }) => required ?? false) }).toEqual({
        route,
        method,
        after: [false],
      });
    }
  });

  it("documents the relational list's read-your-writes and paging parameters, none required", () => {
    const list = operation('/views/{name}', 'get').parameters ?? [];
    const query = list.filter((parameter) => parameter.in === 'query');
    expect(query.map((parameter) => parameter.name).sort()).toEqual(
      ['after', 'cursor', 'fields', 'limit', 'sort', 'wait'].sort(),
    );
    expect(query.filter((parameter) => parameter.required)).toEqual([]);
  });

  it('documents POST .../search/raw as a 200 with a JSON body', () => {
    const raw = operation('/views/{name}/search/raw', 'post');
    expect(Object.keys(raw.responses)).toContain('200');
    expect(Object.keys(raw.responses)).not.toContain('201');
    expect(raw.requestBody?.required).toBe(true);
    expect(Object.keys(raw.requestBody?.content ?? {})).toEqual(['application/json']);
  });

  it('marks the bodies of commands without required fields as optional', () => {
    for (const [route, method] of [
      ['/orders/{orderId}/ship', 'post'],
      ['/orders/{orderId}/cancel', 'post'],
      ['/products/{productId}', 'delete'],
      ['/customers/{customerId}/follow/{followedCustomerId}', 'delete'],
    ] as const)
      expect({ route, required: operation(route, method).requestBody?.required ?? false }).toEqual({
        route,
        required: false,
      });
  });

  it("lists a command's 400 codes from the error catalog, `fields` required by none of them", () => {
    const bad = operation('/orders/{orderId}/ship', 'post').responses['400'] as { description: string };
    for (const code of ['validation_failed', 'invalid_id', 'invalid_if_match', 'malformed_request'])
      expect(bad.description).toContain(code);
    const schema = document.components.schemas.ValidationErrorResponseDto as { required?: string[] };
    expect(schema.required ?? []).not.toContain('fields');
  });

  it('documents a bad e-mail as the 400 the server answers, never a 422 invalid_email', () => {
    const email = document.components.schemas.RegisterCustomerDto?.properties?.email;
    expect(email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    const register = operation('/customers', 'post').responses;
    expect(register['400']?.description).toContain('validation_failed');
    expect(register['422']?.description ?? '').not.toContain('invalid_email');
  });

  it('puts no default on a field a client may leave out (tags)', () => {
    const tags = document.components.schemas.ListProductDto?.properties?.tags;
    expect(tags).toBeDefined();
    expect(tags).not.toHaveProperty('default');
  });

  it('describes API keys as they are: a bearer token (not a JWT) or an X-API-Key header', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.bearer).not.toHaveProperty('bearerFormat', 'JWT');
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    // Either one is enough on any route that needs a key.
    const send = operation('/orders', 'post');
    expect(send.security ?? []).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }]));
  });

  /** The codes an error response lists, by status (its description names them in backquotes or after Codes:). */
  const codesOf = (route: string, method: string, status: string): string =>
    operation(route, method).responses[status]?.description ?? '';

  it("documents each admin operation's success body and its real error codes, by status from the catalog", () => {
    const admin = operations().filter(({ route }) => route.startsWith('/admin/'));
    expect(admin.length).toBeGreaterThanOrEqual(13);
    for (const { route, method, operation: op } of admin) {
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect({ route, method, success: success.length }).toEqual({ route, method, success: 1 });
      const body = success[0]![1].content?.['application/json']?.schema;
      expect({ route, method, ref: body?.$ref }).toEqual({
        route,
        method,
        ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/),
      });
      // @RequireRole('admin'): 401, and 403 with admin_api_disabled besides forbidden.
      expect(codesOf(route, method, '401')).toContain('unauthorized');
      expect(codesOf(route, method, '403')).toContain('admin_api_disabled');
    }
    const replay = '/admin/projections/{name}/parked/{position}/replay';
    const expected: Record<string, string[]> = {
      '400': ['invalid_position'],
      '404': ['unknown_projection', 'parked_event_not_found'],
      '409': ['projection_not_running', 'projection_not_owned'],
      '503': ['coordination_unavailable', 'projection_runtime_unavailable'],
      '504': ['admin_request_timeout'],
      '500': ['admin_request_failed'],
    };
    for (const [status, codes] of Object.entries(expected))
      for (const code of codes) expect(`${status}: ${codesOf(replay, 'post', status)}`).toContain(code);
    expect(codesOf('/admin/plan', 'post', '422')).toContain('invalid_definition');
    expect(codesOf('/admin/projections/{name}', 'delete', '409')).toContain('projection_still_defined');
    expect(operation('/admin/projections/{name}/rebuild', 'post').responses['202']).toBeDefined();
  });

  it('gives a relational view its own paths: its row schema, a filter per column operator', () => {
    const list = operation('/views/order_summary', 'get');
    const page = list.responses['200']?.content?.['application/json']?.schema as {
      properties: { items: { items: { $ref: string } } };
    };
    expect(page.properties.items.items.$ref).toBe('#/components/schemas/OrderSummaryRow');
    const row = document.components.schemas.OrderSummaryRow!;
    expect(Object.keys(row.properties ?? {})).toEqual([
      'order_id',
      'customer_id',
      'status',
      'item_count',
      'total',
    ]);
    expect(row.properties?.total).toEqual({ type: 'integer' });
    const names = (list.parameters ?? []).map((parameter) => parameter.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'status',
        'status[in]',
        'total[gte]',
        'after',
        'wait',
        'sort',
        'limit',
        'cursor',
      ]),
    );
    expect(names).not.toContain('name');
    const byKey = operation('/views/order_summary/{key}', 'get');
    expect(byKey.responses['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/OrderSummaryRow',
    });
  });

  it("gives a search view its document, facets, filters and each template's typed parameters", () => {
    const search = operation(`/views/${views.search}/search`, 'get');
    const result = search.responses['200']?.content?.['application/json']?.schema as {
      properties: {
        facets: { properties: Record<string, unknown> };
        hits: { items: { properties: { document: Schema } } };
      };
    };
    expect(Object.keys(result.properties.facets.properties).sort()).toEqual(['product_ids', 'status']);
    expect(result.properties.hits.items.properties.document).toEqual({
      $ref: `#/components/schemas/${componentName(views.search)}Document`,
    });
    const names = (search.parameters ?? []).map((parameter) => parameter.name);
    expect(names).toEqual(expect.arrayContaining(['q', 'size', 'filter.status', 'filter.total.gte']));
    expect(names).not.toContain('filter.order_id'); // not declared `filter: true`
    const template = operation(`/views/${views.search}/search/customerOrders`, 'get').parameters ?? [];
    expect(
      template.filter((parameter) => parameter.in === 'query' && !['after', 'wait'].includes(parameter.name)),
    ).toEqual([
      { name: 'customerId', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'status', in: 'query', required: false, schema: { type: 'string', default: 'placed' } },
    ]);
    expect(operation(`/views/${views.search}/search/raw`, 'post').responses['200']).toBeDefined();
  });

  it('gives a graph view one path per named query with its typed parameters, and 504 query_timeout', () => {
    const buyers = operation(`/views/${views.graph}/graph/buyersOfProduct`, 'get');
    const typed = (buyers.parameters ?? []).filter((parameter) =>
      ['productId', 'limit'].includes(parameter.name),
    );
    expect(typed).toEqual([
      { name: 'productId', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', default: 50 } },
    ]);
    expect(codesOf('/views/{name}/graph/{query}', 'get', '504')).toContain('query_timeout');
  });

  it('documents 304 with an ETag on every query GET, and Retry-After on its 503', () => {
    const gets = operations().filter(({ route, method }) => route.startsWith('/views/') && method === 'get');
    for (const { route, operation: op } of gets) {
      expect({ route, etag: Object.keys(op.responses['200']?.headers ?? {}) }).toEqual({
        route,
        etag: ['ETag'],
      });
      expect({ route, has304: op.responses['304'] !== undefined }).toEqual({ route, has304: true });
      expect({ route, retry: Object.keys(op.responses['503']?.headers ?? {}) }).toEqual({
        route,
        retry: ['Retry-After'],
      });
      expect(codesOf(route, 'get', '503')).toContain('not_yet_consistent');
    }
  });
});

describeWithStores(['postgres'], 'the OpenAPI document without Elasticsearch and Neo4j', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let directory: string;
  let app: INestApplication;
  let views: ExampleViews;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'prism-openapi-unconfigured-'));
    views = writeExampleViews(directory);
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('lists no view of a store that is not configured, and the generic route answers what it documents', async () => {
    const server = app.getHttpServer() as Parameters<typeof request>[0];
    const document = (await request(server).get('/docs-json').expect(200)).body as Document;
    const routes = Object.keys(document.paths);
    expect(routes).toContain('/views/order_summary');
    expect(routes.filter((route) => route.includes(views.search) || route.includes(views.graph))).toEqual([]);
    // The generic routes stay: the server serves them, and answers a documented 404 unknown_view.
    expect(routes).toEqual(expect.arrayContaining(['/views/{name}/search', '/views/{name}/graph/{query}']));
    const answer = await request(server).get(`/views/${views.search}/search`);
    expect({ status: answer.status, error: (answer.body as { error: string }).error }).toEqual({
      status: 404,
      error: 'unknown_view',
    });
    expect(document.paths['/views/{name}/search']?.get?.responses['404']?.description).toContain(
      'unknown_view',
    );
    expect(describeProblems((await lintOpenApi(document)).filter((p) => p.severity === 'error'))).toBe('');
  });
});
