/**
 * Retiring a projection (issue #13), end to end on real PostgreSQL, Elasticsearch and Neo4j: views are
 * built, their definitions removed from the folder, the app restarted. Status lists them as `orphaned`,
 * a dry run lists what a drop deletes and deletes nothing, the drop removes the tables, indices, labels and
 * bookkeeping (asserted in the stores themselves), and status no longer lists them. A projection that still
 * has a definition is refused.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import type { INestApplication } from '@nestjs/common';
import neo4j, { type Driver } from 'neo4j-driver';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';
import type { CliIo } from '../cli/cli-io';
import { createProgram } from '../cli/program';
import { loadConfig, type AppConfig } from '../config/app-config';
import type { EventStore, EventToAppend } from '../eventstore/event-store.port';
import { EVENT_STORE } from '../eventstore/event-store.module';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { deleteIndicesWithPrefix } from '../stores/elasticsearch/elasticsearch-cleanup';
import { keyConstraintName, physicalName } from '../stores/neo4j/neo4j-names';
import type { ProjectionDropJson, ProjectionStatusJson } from './admin.dto';

const ROOT = path.join(__dirname, '..', '..');
const ADMIN_KEY = 'drop-admin-key-0123456789';
const GRAPH_LABELS = ['Customer', 'Order', 'Product'];

function example(file: string, replacements: readonly [RegExp, string][]): string {
  let text = readFileSync(path.join(ROOT, 'projections', `${file}.yaml`), 'utf8');
  for (const [pattern, value] of replacements) text = text.replace(pattern, value);
  return text;
}

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'retiring a projection (drop)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const suffix = uniqueTestName('drop').replace(/-/g, '_');
  const orders = `${suffix}_orders`;
  const keeper = `${suffix}_keeper`;
  const products = `${suffix}_products`;
  const graph = `${suffix}_graph`;
  const folder = mkdtempSync(path.join(tmpdir(), 'prism-drop-'));
  const projectionsDir = path.join(folder, 'projections');
  let config: AppConfig;
  let app: INestApplication | undefined;
  let baseUrl: string;
  let pg: PgClient;
  let es: EsClient;
  let driver: Driver;
  const http = () => request(baseUrl);
  const orderSummary = (name: string) =>
    example('order-summary', [
      [/^name: .*$/m, `name: ${name}`],
      [/^ {2}table: .*$/m, `  table: ${name}`],
    ]);

  async function start(): Promise<void> {
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await app.get(ProjectionsService).ready();
  }

  beforeAll(async () => {
    mkdirSync(projectionsDir, { recursive: true });
    writeFileSync(path.join(projectionsDir, 'orders.yaml'), orderSummary(orders));
    writeFileSync(path.join(projectionsDir, 'keeper.yaml'), orderSummary(keeper));
    writeFileSync(
      path.join(projectionsDir, 'products.yaml'),
      example('product-search', [
        [/^name: .*$/m, `name: ${products}`],
        [/^ {2}index: .*$/m, `  index: ${products}`],
      ]),
    );
    writeFileSync(
      path.join(projectionsDir, 'graph.yaml'),
      example('purchase-graph', [[/^name: .*$/m, `name: ${graph}`]]),
    );
    config = loadConfig({
      PRISM_EVENT_STORE: 'postgres',
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: urls.neo4j,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_DATA_DIR: path.join(folder, 'data'),
      PRISM_API_KEYS: `admin:${ADMIN_KEY}`,
      PORT: '0',
    });
    pg = new PgClient({ connectionString: database.url });
    pg.on('error', () => undefined);
    await pg.connect();
    es = new EsClient({ node: urls.elasticsearch });
    driver = neo4j.driver(urls.neo4j);

    // 1. Views of every kind are built.
    await start();
    const store = app!.get<EventStore>(EVENT_STORE);
    const runtime = await app!.get(ProjectionsService).ready();
    const append = async (streamId: string, events: EventToAppend[]) =>
      (await store.append(streamId, events, 'any')).position;
    await append('customer-c-1', [
      { type: 'CustomerRegistered', data: { customerId: 'c-1', name: 'Ann', email: 'a@x.io', city: 'Oslo' } },
    ]);
    const product = await append('product-p-1', [
      {
        type: 'ProductListed',
        data: {
          productId: 'p-1',
          title: 'Lamp',
          description: 'A lamp',
          category: 'home',
          price: 10,
          tags: [],
        },
      },
    ]);
    const last = await append('order-o-1', [
      {
        type: 'OrderPlaced',
        data: { orderId: 'o-1', customerId: 'c-1', placedAt: '2024-05-01T10:00:00.000Z' },
      },
      { type: 'ItemAdded', data: { orderId: 'o-1', productId: 'p-1', qty: 2, price: 10 } },
    ]);
    for (const name of [orders, keeper, graph]) await runtime.waitForCheckpoint(name, last);
    await runtime.waitForCheckpoint(products, product);

    // 2. Three definitions are removed from the folder, and the app restarted.
    await app!.close();
    for (const file of ['orders.yaml', 'products.yaml', 'graph.yaml'])
      unlinkSync(path.join(projectionsDir, file));
    await start();
    // A generation a rebuild left behind: a drop removes every generation, not only the active one.
    const relational = app!.get(ProjectionsService).target('postgres')!;
    const [first] = await relational.listGenerations(orders);
    await relational.prepare({ ...first!, generation: 2 });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await pg?.end();
    if (es !== undefined) {
      await deleteIndicesWithPrefix(es, `prism-${products}`);
      // Bookkeeping a failed run left in the shared meta index would list it as orphaned in other apps.
      // (This Elasticsearch has no delete-by-query: search, then delete by id.)
      const left = await es.search({
        index: 'prism-meta',
        size: 1000,
        query: { term: { projection: products } },
      });
      const operations = left.hits.hits.map((hit) => ({ delete: { _index: 'prism-meta', _id: hit._id! } }));
      if (operations.length > 0) await es.bulk({ operations, refresh: true });
      await es.close();
    }
    if (driver !== undefined) {
      for (const label of GRAPH_LABELS) {
        await driver.executeQuery(`MATCH (n:\`${physicalName(label, graph, 1)}\`) DETACH DELETE n`);
        await driver.executeQuery(`DROP CONSTRAINT \`${keyConstraintName(label, graph, 1)}\` IF EXISTS`);
      }
      await driver.executeQuery(
        'MATCH (n) WHERE (n:PrismProjection AND n.name = $name) OR ((n:PrismGeneration OR n:PrismCheckpoint OR n:PrismParked) AND n.projection = $name) DETACH DELETE n',
        { name: graph },
      );
      await driver.close();
    }
    rmSync(folder, { recursive: true, force: true });
  });

  const admin = (test: request.Test) => test.set('Authorization', `Bearer ${ADMIN_KEY}`);

  async function statuses(): Promise<Map<string, ProjectionStatusJson>> {
    const response = await admin(http().get('/admin/projections')).expect(200);
    const all = (response.body as { projections: ProjectionStatusJson[] }).projections;
    // The shared Elasticsearch and Neo4j may hold other tests' leftovers: only this test's names count.
    return new Map(all.filter((s) => s.name.startsWith(suffix)).map((s) => [s.name, s]));
  }

  async function tables(): Promise<string[]> {
    const result = await pg.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_name LIKE $1 ORDER BY table_name`,
      [`${orders}%`],
    );
    return result.rows.map((row) => row.table_name);
  }

  async function bookkeepingRows(): Promise<number> {
    let count = 0;
    for (const table of ['prism_projections', 'prism_generations', 'prism_checkpoints']) {
      const column = table === 'prism_projections' ? 'name' : 'projection';
      const schema = (
        await pg.query<{ table_schema: string }>(
          'SELECT table_schema FROM information_schema.tables WHERE table_name = $1',
          [table],
        )
      ).rows[0]!.table_schema;
      const result = await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}"."${table}" WHERE ${column} = $1`,
        [orders],
      );
      count += Number(result.rows[0]!.n);
    }
    return count;
  }

  async function graphNodes(): Promise<number> {
    let count = 0;
    for (const label of GRAPH_LABELS) {
      const result = await driver.executeQuery(
        `MATCH (n:\`${physicalName(label, graph, 1)}\`) RETURN count(n) AS n`,
      );
      count += Number(result.records[0]!.get('n'));
    }
    const bookkeeping = await driver.executeQuery(
      'MATCH (n) WHERE (n:PrismProjection AND n.name = $name) OR (n:PrismGeneration AND n.projection = $name) RETURN count(n) AS n',
      { name: graph },
    );
    return count + Number(bookkeeping.records[0]!.get('n'));
  }

  async function graphConstraints(): Promise<string[]> {
    const result = await driver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN name');
    const ours = GRAPH_LABELS.map((label) => keyConstraintName(label, graph, 1));
    return result.records.map((r) => String(r.get('name'))).filter((name) => ours.includes(name));
  }

  function bufferIo(): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, cwd: folder, out: (line) => lines.push(line), err: (line) => errors.push(line) };
  }

  async function cli(io: CliIo, ...args: string[]): Promise<number | undefined> {
    const previous = process.env.PRISM_API_KEY;
    process.env.PRISM_API_KEY = ADMIN_KEY;
    try {
      process.exitCode = undefined;
      await createProgram(io).parseAsync(['node', 'prism', ...args, '--url', baseUrl]);
      return process.exitCode;
    } finally {
      process.exitCode = undefined;
      if (previous === undefined) delete process.env.PRISM_API_KEY;
      else process.env.PRISM_API_KEY = previous;
    }
  }

  it('lists the projections whose definition was removed as orphaned, with what each store holds', async () => {
    const byName = await statuses();
    expect(byName.get(keeper)?.state).toBe('live');
    for (const name of [orders, products, graph]) expect(byName.get(name)?.state).toBe('orphaned');
    expect(byName.get(orders)!.orphaned).toEqual([
      {
        kind: 'postgres',
        activeGeneration: 1,
        generations: [
          { generation: 1, status: 'active' },
          { generation: 2, status: 'building' },
        ],
      },
    ]);
    expect(byName.get(graph)!.orphaned?.map((view) => view.kind)).toEqual(['neo4j']);
    expect(byName.get(products)!.notes.join(' ')).toContain(`prism drop ${products}`);
    const one = await admin(http().get(`/admin/projections/${products}`)).expect(200);
    expect((one.body as ProjectionStatusJson).state).toBe('orphaned');

    const io = bufferIo();
    expect(await cli(io, 'status')).toBe(0);
    expect(io.lines.find((line) => line.startsWith(`${graph} `))).toMatch(/orphaned/);
  });

  it('needs an admin key, refuses a projection that still has a definition, and an unknown one', async () => {
    await http().delete(`/admin/projections/${orders}`).expect(401);
    const still = await admin(http().delete(`/admin/projections/${keeper}`)).expect(409);
    expect(still.body).toMatchObject({ error: 'projection_still_defined' });
    const unknown = await admin(http().delete(`/admin/projections/${suffix}_nothing`)).expect(404);
    expect(unknown.body).toMatchObject({ error: 'orphaned_projection_not_found' });
    expect((unknown.body as { orphaned: string[] }).orphaned).toEqual(
      expect.arrayContaining([orders, products, graph]),
    );
    const bad = await admin(http().delete(`/admin/projections/${orders}?dryRun=maybe`)).expect(400);
    expect(bad.body).toMatchObject({ error: 'invalid_admin_parameter', parameter: 'dryRun' });
  });

  it('lists in a dry run what a drop deletes, per store, and deletes nothing', async () => {
    const response = await admin(http().delete(`/admin/projections/${products}?dryRun=true`)).expect(200);
    const drop = response.body as ProjectionDropJson;
    expect(drop).toMatchObject({ projection: products, dryRun: true });
    expect(drop.stores).toEqual([
      {
        kind: 'elasticsearch',
        readNames: [`prism-${products}`],
        generations: [{ generation: 1, status: 'active', physical: [`prism-${products}-g1`] }],
      },
    ]);

    const io = bufferIo();
    expect(await cli(io, 'drop', orders, '--dry-run')).toBe(0);
    expect(io.lines.join('\n')).toContain(`would drop generation 1 (active): ${orders}__g1`);
    expect(io.lines.join('\n')).toContain(`would drop generation 2 (building): ${orders}__g2`);

    const graphDrop = (await admin(http().delete(`/admin/projections/${graph}?dryRun=true`)).expect(200))
      .body as ProjectionDropJson;
    expect(graphDrop.stores[0]!.generations[0]!.physical).toEqual(
      expect.arrayContaining(GRAPH_LABELS.map((label) => physicalName(label, graph, 1))),
    );

    expect(await tables()).toEqual([orders, `${orders}__g1`, `${orders}__g2`]);
    expect(await es.indices.exists({ index: `prism-${products}-g1` })).toBe(true);
    expect(await graphNodes()).toBeGreaterThan(0);
    expect((await statuses()).get(orders)?.state).toBe('orphaned');
  });

  it('drops the tables, indices, labels and bookkeeping, after which status no longer lists them', async () => {
    const io = bufferIo();
    expect(await cli(io, 'drop', orders)).toBe(0);
    expect(io.lines[0]).toBe(`✔ dropped ${orders}`);
    for (const name of [products, graph]) {
      const drop = (await admin(http().delete(`/admin/projections/${name}`)).expect(200))
        .body as ProjectionDropJson;
      expect(drop.dryRun).toBe(false);
    }

    expect(await tables()).toEqual([]);
    expect(await bookkeepingRows()).toBe(0);
    expect(await es.indices.exists({ index: `prism-${products}-g1` })).toBe(false);
    expect(await es.indices.existsAlias({ name: `prism-${products}` })).toBe(false);
    // The claim on the alias goes too, so another projection may take the name.
    expect(await es.exists({ index: 'prism-meta', id: `view|prism-${products}` })).toBe(false);
    expect(await es.exists({ index: 'prism-meta', id: `projection|${products}` })).toBe(false);
    expect(await graphNodes()).toBe(0);
    expect(await graphConstraints()).toEqual([]);

    const byName = await statuses();
    expect([...byName.keys()]).toEqual([keeper]);
    expect(byName.get(keeper)?.state).toBe('live');
    await admin(http().delete(`/admin/projections/${orders}`)).expect(404);
  });
});
