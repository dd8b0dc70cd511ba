/**
 * Issue #14, "A Nest module": a team's own Nest app hosts Prism with PrismModule.forRootAsync, whose
 * factory injects the app's own providers: the app's EventStore, pg Pool, Elasticsearch Client and Neo4j
 * Driver (real stores), projections written with the TypeScript builder and one YAML file, and the query
 * API mounted by the app under its own prefix and its own guard, without the admin API. Prism uses the
 * app's clients and leaves them open. Imports only the public entry point, as a team's app would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import {
  BadRequestException,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  Post,
} from '@nestjs/common';
import { APP_GUARD, NestFactory, RouterModule } from '@nestjs/core';
import neo4jDriver, { type Driver } from 'neo4j-driver';
import { Pool } from 'pg';
import request from 'supertest';
import {
  createEventStore,
  defineProjection,
  elasticsearch,
  type EventStore,
  PrismModule,
  PrismQueryModule,
  relational,
} from '@prism/platform';
import { describeWithStores, type StoreUrls, uniqueTestName, useTestDatabase } from '../support/stores';

interface CartEvents {
  CartOpened: { cartId: string; owner: string; note: string };
  ItemAdded: { cartId: string; sku: string; qty: number };
}

const TEAM_TOKEN = 'team-token-1';

/** The app's own guard: every route but its health needs its header (Prism adds no guard: `auth: false`). */
@Injectable()
class TeamGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ url: string; headers: Record<string, string> }>();
    return request.url.startsWith('/health') || request.headers['x-team-token'] === TEAM_TOKEN;
  }
}

/** A route of the app itself: its errors keep Nest's format, its form posts are not Prism's business. */
@Controller('team')
class TeamController {
  @Get('fail')
  fail(): never {
    throw new BadRequestException('the team route refused');
  }

  @Post('form')
  form(): { ok: true } {
    return { ok: true };
  }
}

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'a team app with forRootAsync', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  // Nested, so the app and its clients close before the database is dropped.
  describe('on its own clients', () => teamApp(urls, database));
});

function teamApp(urls: StoreUrls, database: { readonly url: string }): void {
  const suffix = uniqueTestName('h');
  const carts = `carts_${suffix}`;
  const search = `cart_search_${suffix}`;
  const graph = `cart_graph_${suffix}`;
  const folder = mkdtempSync(path.join(tmpdir(), 'prism-host-'));
  let app: INestApplication;
  let events: EventStore;
  let pool: Pool;
  let client: ElasticsearchClient;
  let driver: Driver;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    events = await createEventStore({ kind: 'postgres', url: database.url, schema: 'team_events' });
    pool = new Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined); // an app's pool listens for idle clients' errors itself
    client = new ElasticsearchClient({ node: urls.elasticsearch });
    driver = neo4jDriver.driver(urls.neo4j);
    writeFileSync(path.join(folder, 'cart-graph.yaml'), graphDefinition(graph));

    const cartsView = defineProjection<CartEvents>()({
      name: carts,
      version: 1,
      source: { events: ['CartOpened', 'ItemAdded'], streamPrefix: 'cart-' },
      target: relational({
        table: carts,
        key: 'cart_id',
        columns: { cart_id: { type: 'text' }, owner: { type: 'text' }, items: { type: 'integer' } },
      }),
    })
      .on('CartOpened', ({ event, upsert }) => [
        upsert({ key: event.data.cartId, set: { owner: event.data.owner, items: 0 } }),
      ])
      .on('ItemAdded', ({ event, update }) => [
        update({ key: event.data.cartId, increment: { items: event.data.qty } }),
      ]);
    const cartSearch = defineProjection<CartEvents>()({
      name: search,
      version: 1,
      source: { events: ['CartOpened'], streamPrefix: 'cart-' },
      target: elasticsearch({
        index: search,
        id: 'cart_id',
        fields: {
          cart_id: { type: 'keyword' },
          owner: { type: 'keyword', filter: true },
          note: { type: 'text' },
        },
      }),
    }).on('CartOpened', ({ event, upsert }) => [
      upsert({ key: event.data.cartId, set: { owner: event.data.owner, note: event.data.note } }),
    ]);

    // The app's own providers, which the factory injects.
    const STORES = Symbol('TEAM_STORES');
    @Module({
      providers: [{ provide: STORES, useValue: { events, pool, client, driver } }],
      exports: [STORES],
    })
    class TeamStoresModule {}

    @Module({
      imports: [
        PrismModule.forRootAsync({
          imports: [TeamStoresModule],
          inject: [STORES],
          useFactory: (stores: {
            events: EventStore;
            pool: Pool;
            client: ElasticsearchClient;
            driver: Driver;
          }) => ({
            eventStore: stores.events,
            viewStores: {
              relational: { pool: stores.pool, schema: 'team_views' },
              elasticsearch: { client: stores.client, refresh: 'wait_for' },
              neo4j: { driver: stores.driver },
            },
            projections: {
              definitions: [cartsView, cartSearch],
              files: [path.join(folder, 'cart-graph.yaml')],
            },
            auth: false,
          }),
          mount: { query: false, admin: false },
        }),
        PrismQueryModule,
        RouterModule.register([{ path: 'api/prism', module: PrismQueryModule }]),
      ],
      controllers: [TeamController],
      providers: [{ provide: APP_GUARD, useClass: TeamGuard }],
    })
    class TeamAppModule {}

    app = await NestFactory.create(TeamAppModule, { logger: false, abortOnError: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await events?.close();
    await pool?.end();
    await client?.close();
    await driver?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("projects the app's events into its own pg Pool, Elasticsearch Client and Neo4j Driver", async () => {
    await events.append(
      'cart-c1',
      [{ type: 'CartOpened', data: { cartId: 'c1', owner: 'ada', note: 'birthday gifts' } }],
      'no_stream',
    );
    const last = await events.append(
      'cart-c1',
      [{ type: 'ItemAdded', data: { cartId: 'c1', sku: 'lamp', qty: 2 } }],
      0,
    );
    const after = { after: last.position.toString(), wait: '20000' };
    const team = { 'x-team-token': TEAM_TOKEN };

    const row = await http().get(`/api/prism/views/${carts}/c1`).query(after).set(team).expect(200);
    expect(row.body).toEqual({ cart_id: 'c1', owner: 'ada', items: 2 });

    const found = await http()
      .get(`/api/prism/views/${search}/search`)
      .query({ ...after, q: 'gifts' })
      .set(team)
      .expect(200);
    expect((found.body as { hits: { id: string }[] }).hits.map((hit) => hit.id)).toEqual(['c1']);

    const owned = await http()
      .get(`/api/prism/views/${graph}/graph/cartsOf`)
      .query({ ...after, owner: 'ada' })
      .set(team)
      .expect(200);
    expect(owned.body.rows).toEqual([{ cartId: 'c1' }]);

    // The views live where the app's own clients point (the pool's schema, the client's cluster).
    const { rows } = await pool.query<{ items: number }>(
      `SELECT items FROM team_views.${carts} WHERE cart_id = 'c1'`,
    );
    expect(rows).toEqual([{ items: 2 }]);
  });

  it("serves the query API only under the app's prefix and behind the app's guard; admin is not mounted", async () => {
    const team = { 'x-team-token': TEAM_TOKEN };
    await http().get(`/api/prism/views/${carts}/c1`).expect(403);
    await http().get(`/views/${carts}/c1`).set(team).expect(404);
    await http().get('/admin/projections').set(team).expect(404);
    await http().get('/api/prism/admin/projections').set(team).expect(404);
    // Metrics and health are mounted at the root (not left out by `mount`).
    await http().get('/health/live').expect(200);
    expect((await http().get('/metrics').set(team).expect(200)).text).toContain('prism_');
  });

  it("keeps Prism's error format and request checks on Prism's routes, and the app's own on the app's", async () => {
    const team = { 'x-team-token': TEAM_TOKEN };
    const unknown = await http().get('/api/prism/views/no_such_view/k').set(team).expect(404);
    expect(unknown.body).toMatchObject({ error: 'unknown_view' });
    const secret = await http()
      .get(`/api/prism/views/${carts}`)
      .query({ api_key: 'x' })
      .set(team)
      .expect(400);
    expect(secret.body).toMatchObject({ error: 'credentials_in_url' });
    // The request checks run on Prism's routes under the app's prefix: a form post is refused, every
    // answer carries a correlation id.
    const form = await http()
      .post(`/api/prism/views/${search}/search/raw`)
      .set(team)
      .type('form')
      .send('query=x')
      .expect(415);
    expect(form.body).toMatchObject({ error: 'unsupported_media_type' });
    expect(form.headers['x-correlation-id']).toEqual(expect.any(String));

    const teamError = await http().get('/team/fail').set(team).expect(400);
    expect(teamError.body).toEqual({
      statusCode: 400,
      message: 'the team route refused',
      error: 'Bad Request',
    });
    const teamForm = await http().post('/team/form').set(team).type('form').send('a=1').expect(201);
    expect(teamForm.headers['x-correlation-id']).toBeUndefined();
  });

  it("leaves the app's clients open when the app closes", async () => {
    await app.close();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(await client.ping()).toBe(true);
    await expect(driver.getServerInfo()).resolves.toBeDefined();
    const appended = await events.append(
      'cart-c2',
      [{ type: 'CartOpened', data: { cartId: 'c2', owner: 'bo', note: '' } }],
      'no_stream',
    );
    expect(appended.revision).toBe(0);
  });
}

function graphDefinition(name: string): string {
  return `name: ${name}
version: 1
source:
  events: [CartOpened]
  streamPrefix: cart-
target:
  kind: neo4j
  nodes:
    Owner:
      key: ownerId
      properties: { ownerId: string }
    Cart:
      key: cartId
      properties: { cartId: string }
  relationships:
    OWNS: { from: Owner, to: Cart }
handlers:
  CartOpened:
    - mergeNode: { label: Owner, key: event.data.owner }
    - mergeNode: { label: Cart, key: event.data.cartId }
    - mergeRelationship:
        type: OWNS
        from: { label: Owner, key: event.data.owner }
        to: { label: Cart, key: event.data.cartId }
queries:
  cartsOf:
    parameters:
      owner: { type: string }
    cypher: |
      MATCH (:Owner {ownerId: $owner})-[:OWNS]->(cart:Cart)
      RETURN cart.cartId AS cartId
      ORDER BY cartId
`;
}
