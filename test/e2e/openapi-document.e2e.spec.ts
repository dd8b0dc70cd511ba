/**
 * The OpenAPI document Prism serves at /docs-json is valid OpenAPI 3.0 under a standard linter at
 * recommended strictness (issue #20): zero errors, with every store's query API mounted (PostgreSQL
 * views, Elasticsearch search, Neo4j graph) and the example marketplace's command routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { describeProblems, lintOpenApi } from '../support/openapi-lint';
import { describeWithStores, useTestDatabase } from '../support/stores';

type Operation = {
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, { headers?: Record<string, { schema?: unknown }> }>;
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

  beforeAll(async () => {
    // No projections: the query routes are generic (/views/{name}/...), mounted by the stores' URLs.
    directory = mkdtempSync(path.join(tmpdir(), 'prism-openapi-'));
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
});
