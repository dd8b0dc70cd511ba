/**
 * Issue #13: the app opened a second Elasticsearch client and Neo4j driver for its query APIs beside the
 * targets' own. Now each store module's connection section makes ONE client per process, shared by the
 * store's target, its query API and its health probe, and closed once at shutdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import * as elasticsearchClients from '../stores/elasticsearch/elasticsearch-connection';
import { SearchService } from '../stores/elasticsearch/query/search.service';
import * as neo4jDrivers from '../stores/neo4j/neo4j-connection';
import { GraphQueryService } from '../stores/neo4j/query/graph-query.service';
import { describeWithStores } from '../../test/support/stores';
import { ProjectionsService } from './projections.service';

describeWithStores(['elasticsearch', 'neo4j'], 'one client per view store per process', (urls) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-one-client-'));
  let app: INestApplication | undefined;

  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('opens one Elasticsearch client and one Neo4j driver, shared by target, query API and health, closed once', async () => {
    const clients = jest.spyOn(elasticsearchClients, 'createElasticsearchClient');
    const drivers = jest.spyOn(neo4jDrivers, 'createNeo4jDriver');
    const config = loadConfig({
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: urls.neo4j,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
    });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    const projections = app.get(ProjectionsService);
    await projections.ready();

    expect(clients).toHaveBeenCalledTimes(1);
    expect(drivers).toHaveBeenCalledTimes(1);
    const client = clients.mock.results[0]!.value;
    const driver = drivers.mock.results[0]!.value;

    // The target, the query API and the store's connection hold the same client.
    expect(projections.viewStore('elasticsearch')?.connection.client).toBe(client);
    expect((projections.target('elasticsearch') as unknown as { client: unknown }).client).toBe(client);
    expect(app.get<SearchService, { client: unknown }>(SearchService).client).toBe(client);
    expect(projections.viewStore('neo4j')?.connection.client).toBe(driver);
    expect((projections.target('neo4j') as unknown as { driver: unknown }).driver).toBe(driver);
    expect(app.get<GraphQueryService, { driver: unknown }>(GraphQueryService).driver).toBe(driver);

    // Health probes through them, under the names users' probes read.
    const components = await request(await app.getUrl())
      .get('/health/components')
      .expect(200);
    expect(components.body.stores).toMatchObject({
      postgres_views: { status: 'up', role: 'view-store' },
      elasticsearch_views: { status: 'up', role: 'view-store' },
      neo4j_views: { status: 'up', role: 'view-store' },
    });
    const ready = await request(await app.getUrl())
      .get('/health/ready')
      .expect(200);
    expect(ready.body.info.views.stores).toEqual({
      postgres: 'connected',
      elasticsearch: 'connected',
      neo4j: 'connected',
    });
    expect(clients).toHaveBeenCalledTimes(1);
    expect(drivers).toHaveBeenCalledTimes(1);

    const clientClosed = jest.spyOn(client, 'close');
    const driverClosed = jest.spyOn(driver, 'close');
    await app.close();
    app = undefined;
    expect(clientClosed).toHaveBeenCalledTimes(1);
    expect(driverClosed).toHaveBeenCalledTimes(1);
  });
});
