/**
 * Prism on secured stores (issue #18): Neo4j with authentication on and Bolt TLS required (the repo's
 * launcher, a private instance), and Elasticsearch behind a TLS-terminating proxy that checks basic
 * credentials and API keys the way the security layer of a production cluster does (the security module
 * itself is not on Maven Central). Secrets come from `<VAR>_FILE`. Prism connects, projects and queries
 * through them; a wrong secret or a missing CA fails with a clear error that does not show the secret.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { createElasticsearchClient } from '../../src/stores/elasticsearch/elasticsearch-connection';
import { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import { makeTestCertificates, type TestCertificates } from '../support/certificates';
import {
  startElasticsearchSecurityProxy,
  type ElasticsearchSecurityProxy,
  type RecordedRequest,
} from '../support/elasticsearch-security-proxy';
import { startSecuredNeo4j, type SecuredNeo4j } from '../support/secured-neo4j';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';

const PROJECTIONS = path.join(__dirname, '../../projections');
const NEO4J_PASSWORD = 'neo4j-test-secret-1';
const ES_USER = { username: 'prism', password: 'es-test-secret-2' };
const ES_API_KEY = Buffer.from('prism-key-id:es-test-api-key-3').toString('base64');

function copyDefinition(directory: string, file: string, replacements: Record<string, string>): void {
  let text = readFileSync(path.join(PROJECTIONS, file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replace(from, to);
  writeFileSync(path.join(directory, file), text);
}

const PRISM_INDEX = /^prism-[a-z0-9_.-]*$/;

/** Whether a request needs only cluster `monitor` and privileges on `prism-*` indices and aliases. */
function withinDocumentedPrivileges(request: RecordedRequest): boolean {
  const path = request.path.split('?')[0]!;
  if (path === '/' || path === '/_cluster/health')
    return request.method === 'GET' || request.method === 'HEAD';
  // Cluster health of Prism's own indices (the bookkeeping index waits for its shards): cluster `monitor`.
  if (path.startsWith('/_cluster/health/'))
    return (
      request.method === 'GET' &&
      decodeURIComponent(path.slice('/_cluster/health/'.length))
        .split(',')
        .every((name) => PRISM_INDEX.test(name))
    );
  if (path === '/_bulk') {
    // Each action line names its index; documents lines do not.
    return request.body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, { _index?: string } | undefined>)
      .every((line) => {
        const action = line.index ?? line.create ?? line.update ?? line.delete;
        return action === undefined ? true : PRISM_INDEX.test(action._index ?? '');
      });
  }
  if (path === '/_aliases') {
    const { actions } = JSON.parse(request.body) as { actions: Record<string, Record<string, unknown>>[] };
    return actions.every((action) =>
      Object.values(action).every((target) =>
        ['index', 'alias', 'indices', 'aliases'].every((field) => {
          const names = target[field] === undefined ? [] : [target[field]].flat();
          return names.every((name) => typeof name === 'string' && PRISM_INDEX.test(name));
        }),
      ),
    );
  }
  // GET /_alias/<alias>: which index holds a view's alias.
  const alias = /^\/_alias\/([^/]+)$/.exec(path);
  if (alias)
    return decodeURIComponent(alias[1]!)
      .split(',')
      .every((name) => PRISM_INDEX.test(name));
  // Index-scoped APIs: the first path segment is the index list (comma-separated), e.g. /prism-x/_search.
  const first = decodeURIComponent(path.split('/')[1] ?? '');
  return first.split(',').every((name) => PRISM_INDEX.test(name) || /^prism-[a-z0-9_.-]*\*$/.test(name));
}

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'Prism on secured stores', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-secured-'));
  const definitions = path.join(directory, 'projections');
  const search = uniqueTestName('sec_search');
  const graph = uniqueTestName('sec_graph');
  let certificates: TestCertificates;
  let neo4jServer: SecuredNeo4j;
  let proxy: ElasticsearchSecurityProxy;
  let app: INestApplication | undefined;
  const http = () => request(app!.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    certificates = makeTestCertificates(directory);
    rmSync(definitions, { recursive: true, force: true });
    mkdirSync(definitions);
    copyDefinition(definitions, 'order-search.yaml', {
      'name: order_search': `name: ${search}`,
      'index: order_search': `index: ${search}`,
    });
    copyDefinition(definitions, 'purchase-graph.yaml', { 'name: purchase_graph': `name: ${graph}` });
    writeFileSync(path.join(directory, 'neo4j-password'), `${NEO4J_PASSWORD}\n`);
    writeFileSync(path.join(directory, 'es-password'), `${ES_USER.password}\n`);
    proxy = await startElasticsearchSecurityProxy({
      upstream: urls.elasticsearch,
      certificates,
      basic: ES_USER,
      apiKey: ES_API_KEY,
    });
    neo4jServer = await startSecuredNeo4j({ directory, password: NEO4J_PASSWORD, certificates });
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    const admin = createElasticsearchClient({ url: urls.elasticsearch });
    await deleteIndicesWithPrefix(admin, `prism-${search}`).catch(() => undefined);
    await admin.close();
    await neo4jServer?.stop();
    await proxy?.close();
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);

  it('projects and queries through authenticated TLS connections, secrets read from files', async () => {
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: proxy.url,
      PRISM_ES_USERNAME: ES_USER.username,
      PRISM_ES_PASSWORD_FILE: path.join(directory, 'es-password'),
      PRISM_ES_CA_FILE: certificates.caFile,
      PRISM_NEO4J_URL: neo4jServer.url,
      PRISM_NEO4J_PASSWORD_FILE: path.join(directory, 'neo4j-password'),
      PRISM_NEO4J_CA_FILE: certificates.caFile,
      PRISM_PROJECTIONS_DIR: definitions,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();

    await http()
      .post('/customers')
      .send({ customerId: 'c-sec', name: 'Ada', email: 'ada@example.com', city: 'London' })
      .expect(201);
    await http()
      .post('/products')
      .send({
        productId: 'p-sec',
        title: 'Lamp',
        description: 'A lamp',
        category: 'home',
        price: 1500,
        tags: [],
      })
      .expect(201);
    await http().post('/orders').send({ orderId: 'o-sec', customerId: 'c-sec' }).expect(201);
    const added = await http().post('/orders/o-sec/items').send({ productId: 'p-sec', qty: 2 }).expect(202);
    const position = added.body.position as string;

    const hits = await http().get(`/views/${search}/search`).query({ after: position }).expect(200);
    expect((hits.body as { hits: { id: string }[] }).hits.map((hit) => hit.id)).toEqual(['o-sec']);
    const buyers = await http()
      .get(`/views/${graph}/graph/buyersOfProduct`)
      .query({ productId: 'p-sec', after: position })
      .expect(200);
    expect(buyers.body.rows).toEqual([{ customerId: 'c-sec', name: 'Ada' }]);

    // Every request reached Elasticsearch through the security layer with valid credentials.
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.filter((r) => !r.authenticated)).toEqual([]);
    // ...and stayed within the privileges README "Running against managed services" documents:
    // cluster `monitor`, and index privileges on `prism-*` only.
    expect(proxy.requests.filter((r) => !withinDocumentedPrivileges(r))).toEqual([]);
  });

  it('authenticates to Elasticsearch with an API key, and a wrong key is refused', async () => {
    const good = createElasticsearchClient({
      url: proxy.url,
      auth: { apiKey: ES_API_KEY },
      caPem: readFileSync(certificates.caFile, 'utf8'),
    });
    const bad = createElasticsearchClient({
      url: proxy.url,
      auth: { apiKey: Buffer.from('prism-key-id:wrong').toString('base64') },
      caPem: readFileSync(certificates.caFile, 'utf8'),
    });
    try {
      const health = await good.cluster.health();
      expect(['green', 'yellow']).toContain(health.status);
      await expect(bad.cluster.health()).rejects.toMatchObject({ meta: { statusCode: 401 } });
    } finally {
      await Promise.all([good.close(), bad.close()]);
    }
  });

  it('does not trust the Elasticsearch certificate without the CA', async () => {
    const client = createElasticsearchClient({ url: proxy.url, auth: ES_USER });
    try {
      await expect(client.cluster.health()).rejects.toThrow(/certificate/i);
    } finally {
      await client.close();
    }
  });

  it('fails to connect to Neo4j with a wrong password, without showing it', async () => {
    const error = (await Neo4jTarget.connect({
      url: neo4jServer.url,
      auth: { username: 'neo4j', password: 'not-the-password' },
      caFile: certificates.caFile,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/unauthorized|authentication/i);
    expect(error.message).not.toContain('not-the-password');
  });

  it('cannot reach the TLS-only Neo4j without TLS', async () => {
    const error = (await Neo4jTarget.connect({
      url: neo4jServer.url,
      auth: { username: 'neo4j', password: NEO4J_PASSWORD },
      maxRetryMs: 0,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
  });
});
