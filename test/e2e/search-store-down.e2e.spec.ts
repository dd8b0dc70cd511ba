/**
 * With Elasticsearch unreachable, the search API answers 503 view_store_unavailable (retry later), as the
 * relational API does for its store, never 500 internal_error (issue #20). Elasticsearch is reached
 * through a loopback proxy the test cuts, so the view is built first and the outage comes after.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { TcpProxy } from '../support/tcp-proxy';

describeWithStores(['postgres', 'elasticsearch'], 'search with Elasticsearch down', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const view = uniqueTestName('order_search');
  let directory: string;
  let proxy: TcpProxy;
  let port: number;
  let app: INestApplication;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'prism-search-down-'));
    const definition = readFileSync(path.join(__dirname, '../../projections/order-search.yaml'), 'utf8')
      .replace('name: order_search', `name: ${view}`)
      .replace('index: order_search', `index: ${view}`);
    writeFileSync(path.join(directory, 'order-search.yaml'), definition);
    const direct = new URL(urls.elasticsearch);
    proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port) });
    port = await proxy.start();
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: `http://127.0.0.1:${port}`,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers 503 view_store_unavailable, not 500, and 200 again once it is back', async () => {
    await http()
      .post('/customers')
      .send({ customerId: 'down-c', name: 'Ada', email: 'a@example.com', city: 'X' });
    const placed = await http().post('/orders').send({ orderId: 'down-o', customerId: 'down-c' }).expect(201);
    const after = placed.body.position as string;
    await http().get(`/views/${view}/search`).query({ after, wait: '20000' }).expect(200);

    await proxy.stop();
    for (const [method, url] of [
      ['get', `/views/${view}/search?filter.status=placed`],
      ['get', `/views/${view}/search/customerOrders?customerId=down-c`],
      ['post', `/views/${view}/search/raw`],
    ] as const) {
      const pending =
        method === 'get'
          ? http().get(url)
          : http()
              .post(url)
              .send({ query: { match_all: {} } });
      const response = await pending;
      expect({ url, status: response.status, error: response.body.error }).toEqual({
        url,
        status: 503,
        error: 'view_store_unavailable',
      });
      // The message names the store, never its address.
      expect(response.body.message).toContain('Elasticsearch is unavailable');
      expect(response.body.message).not.toContain('127.0.0.1');
    }

    await proxy.start(port);
    await http().get(`/views/${view}/search`).expect(200);
  });
});
