/**
 * Issue #12 items 12 and 14: outages are visible in status, and readiness says whether this node can
 * serve. The whole app runs on real stores reached through loopback TCP proxies (test/support/tcp-proxy.ts):
 * pausing a proxy makes its store hang (what SIGSTOP did in the report), stopping it cuts the store off.
 *
 *  - Elasticsearch hung: the search projection becomes `stalled` naming the Elasticsearch view store
 *    within the stall bound, the relational projection stays live, readiness stays 200 (commands and the
 *    other views still work) while /health/components says Elasticsearch is down; back to live after.
 *  - PostgreSQL (the event store) cut: the projections become `stalled` naming the event store, never
 *    `live` and 0 behind; readiness answers 503; back to live once PostgreSQL is reachable again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { ProjectionStatusJson } from '../../src/admin/admin.dto';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import type { ComponentsReport } from '../../src/observability/health/components';
import { parsePrometheusText, sampleValue } from '../../src/observability/prometheus-text';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { TcpProxy, viaProxy } from '../support/tcp-proxy';

const PROJECTIONS = path.join(__dirname, '../../projections');
const ADMIN_KEY = 'admin-key-for-outages';
const WRITER_KEY = 'writer-key-for-outages';
const RELATIONAL = 'customer_directory';
/** The stall bound the app runs with (PRISM_STALL_AFTER_MS). */
const STALL_AFTER_MS = 1500;

jest.setTimeout(120_000);

describeWithStores(['postgres', 'elasticsearch'], 'projection outages in status and health', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const search = uniqueTestName('outage_search');
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-outages-'));
  let pgProxy: TcpProxy;
  let pgPort: number;
  let esProxy: TcpProxy;
  let app: INestApplication;
  let baseUrl: string;
  const http = () => request(baseUrl);
  const admin = (url: string) =>
    http().get(`/admin/projections${url}`).set('Authorization', `Bearer ${ADMIN_KEY}`);
  const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

  beforeAll(async () => {
    const text = readFileSync(path.join(PROJECTIONS, 'product-search.yaml'), 'utf8')
      .replace('name: product_search', `name: ${search}`)
      .replace('index: product_search', `index: ${search}`);
    writeFileSync(path.join(directory, 'product-search.yaml'), text);
    writeFileSync(
      path.join(directory, 'customer-directory.yaml'),
      readFileSync(path.join(PROJECTIONS, 'customer-directory.yaml'), 'utf8'),
    );
    const pg = new URL(database.url);
    pgProxy = new TcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    pgPort = await pgProxy.start();
    const es = new URL(urls.elasticsearch);
    esProxy = new TcpProxy({ host: es.hostname, port: Number(es.port || 9200) });
    const esPort = await esProxy.start();
    const config = loadConfig({
      PRISM_PG_URL: viaProxy(database.url, pgPort),
      PRISM_ES_URL: viaProxy(urls.elasticsearch, esPort),
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
      PRISM_STALL_AFTER_MS: String(STALL_AFTER_MS),
    });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    await app.get(ProjectionsService).ready();
  });

  afterAll(async () => {
    esProxy?.resume();
    await app?.close();
    await pgProxy?.stop();
    await esProxy?.stop();
    const client = new Client({ node: urls.elasticsearch });
    await deleteIndicesWithPrefix(client, `prism-${search}`).catch(() => undefined);
    await client.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function listProduct(): Promise<bigint> {
    const response = await http()
      .post('/products')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({
        productId: id('p'),
        title: 'Lamp',
        description: 'A lamp',
        category: 'home',
        price: 100,
        tags: [],
      })
      .expect(201);
    return BigInt(response.body.position as string);
  }

  async function registerCustomer(): Promise<bigint> {
    const customerId = id('c');
    const response = await http()
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId, name: 'Ada', email: `${customerId}@example.com`, city: 'London' })
      .expect(201);
    return BigInt(response.body.position as string);
  }

  async function statusUntil(
    name: string,
    what: string,
    check: (status: ProjectionStatusJson) => boolean,
    timeoutMs = 30_000,
  ): Promise<ProjectionStatusJson> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await admin(`/${name}`).expect(200)).body as ProjectionStatusJson;
      if (check(status)) return status;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting until ${what}: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const liveAt = (position: bigint) => (status: ProjectionStatusJson) =>
    status.state === 'live' && status.live !== null && BigInt(status.live.checkpoint) >= position;

  it('Elasticsearch hung: the search projection is stalled naming Elasticsearch, the others stay live, readiness stays 200', async () => {
    await statusUntil(search, 'the search projection is live', liveAt(await listProduct()));
    await statusUntil(RELATIONAL, 'the relational projection is live', liveAt(await registerCustomer()));

    esProxy.pause();
    const product = await listProduct();
    const stalled = await statusUntil(
      search,
      'the search projection is stalled',
      (s) => s.state === 'stalled',
    );
    expect(stalled.stall).toMatchObject({ store: 'view-store', kind: 'elasticsearch' });
    expect(stalled.stall!.lastError).toMatch(/\S/);
    expect(Date.parse(stalled.stall!.since)).not.toBeNaN();

    // The relational projection keeps following the log.
    await statusUntil(RELATIONAL, 'the relational projection still live', liveAt(await registerCustomer()));

    // Readiness: this node still serves commands and the other views.
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    const components = (await http().get('/health/components').expect(200)).body as ComponentsReport;
    expect(components.status).toBe('degraded');
    expect(components.stores.elasticsearch_views).toMatchObject({ status: 'down', role: 'view-store' });
    expect(components.stores.event_store).toMatchObject({ status: 'up' });
    expect(components.stores.postgres_views).toMatchObject({ status: 'up' });
    expect(components.projections.find((p) => p.name === search)).toMatchObject({
      status: 'down',
      state: 'stalled',
      stall: { store: 'view-store', kind: 'elasticsearch' },
    });
    expect(components.projections.find((p) => p.name === RELATIONAL)).toMatchObject({
      status: 'up',
      state: 'live',
    });

    const samples = parsePrometheusText((await http().get('/metrics').expect(200)).text);
    expect(sampleValue(samples, 'prism_projection_state', { projection: search, state: 'stalled' })).toBe(1);
    expect(sampleValue(samples, 'prism_projection_state', { projection: search, state: 'live' })).toBe(0);
    expect(sampleValue(samples, 'prism_projection_state', { projection: RELATIONAL, state: 'live' })).toBe(1);
    expect(
      sampleValue(samples, 'prism_projection_stalled_seconds', {
        projection: search,
        store: 'view-store',
        kind: 'elasticsearch',
      }),
    ).toBeGreaterThan(0);

    esProxy.resume();
    const recovered = await statusUntil(
      search,
      'the search projection is live again',
      liveAt(product),
      60_000,
    );
    expect(recovered.stall).toBeNull();
    const healthy = (await http().get('/health/components').expect(200)).body as ComponentsReport;
    expect(healthy.status).toBe('ok');
  });

  it('PostgreSQL cut: projections are stalled naming the event store, never live and 0 behind; readiness 503', async () => {
    await statusUntil(RELATIONAL, 'the relational projection is live', liveAt(await registerCustomer()));

    await pgProxy.stop();
    for (const name of [RELATIONAL, search]) {
      const stalled = await statusUntil(name, `${name} is stalled`, (s) => s.state === 'stalled');
      expect(stalled.stall).toMatchObject({ store: 'event-store', kind: 'postgres' });
      expect(stalled.stall!.lastError).toMatch(/\S/);
    }
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.down.event_store).toMatchObject({ status: 'down' });
    const components = (await http().get('/health/components').expect(200)).body as ComponentsReport;
    expect(components.stores.event_store).toMatchObject({
      status: 'down',
      role: 'event-store',
      kind: 'postgres',
    });

    await pgProxy.start(pgPort);
    await statusUntil(
      RELATIONAL,
      'the relational projection is live again',
      (s) => s.state === 'live',
      60_000,
    );
    const position = await registerCustomer();
    const live = await statusUntil(
      RELATIONAL,
      'the relational projection follows again',
      liveAt(position),
      60_000,
    );
    expect(live.stall).toBeNull();
    await statusUntil(search, 'the search projection is live again', (s) => s.state === 'live', 60_000);
    await http().get('/health/ready').expect(200);
  });
});
