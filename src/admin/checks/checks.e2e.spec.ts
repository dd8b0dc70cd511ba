/**
 * `prism verify` and `prism plan` against a running app (HTTP, port 0) on real stores: PostgreSQL (event
 * store and relational views), Elasticsearch and Neo4j. Views are corrupted directly in their stores, and
 * verify must find exactly that; an intact view must show no difference, also while events are appended.
 * The CLI commands run in-process against the same app.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import { Logger, type INestApplication } from '@nestjs/common';
import neo4j, { type Driver } from 'neo4j-driver';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { untilVisible } from '../../../test/runtime/support/runtime-harness';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../../test/support/stores';
import { loadConfig } from '../../config/app-config';
import type { EventStore, EventToAppend } from '../../eventstore/event-store.port';
import { EVENT_STORE } from '../../eventstore/event-store.module';
import { createPrismApp } from '../../main';
import { ProjectionsService } from '../../projection-host/projections.service';
import type { ProjectionRuntime } from '../../runtime/projection-runtime';
import { createProgram } from '../../cli/program';
import { runVerify } from '../../cli/commands/verify.command';
import type { CliIo } from '../../cli/cli-io';
import { deleteIndicesWithPrefix } from '../../stores/elasticsearch/elasticsearch-cleanup';
import { keyConstraintName, physicalName } from '../../stores/neo4j/neo4j-names';
import type { PlanReport } from './plan-definition';
import type { VerifyReport } from './verify-projection';
import { ChecksService } from './checks.service';
import { logFilterOf } from '../../runtime/source-filter';

const ROOT = path.join(__dirname, '..', '..', '..');
const ADMIN_KEY = 'checks-admin-key-0123456789';

function example(file: string, replacements: readonly [RegExp, string][]): string {
  let text = readFileSync(path.join(ROOT, 'projections', `${file}.yaml`), 'utf8');
  for (const [pattern, value] of replacements) text = text.replace(pattern, value);
  return text;
}

describeWithStores(['postgres', 'elasticsearch', 'neo4j'], 'prism verify and plan (HTTP + CLI)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const suffix = uniqueTestName('chk').replace(/-/g, '_');
  const orders = `${suffix}_orders`;
  const products = `${suffix}_products`;
  const graph = `${suffix}_graph`;
  const folder = mkdtempSync(path.join(tmpdir(), 'prism-checks-'));
  const projectionsDir = path.join(folder, 'projections');
  const ordersYaml = example('order-summary', [
    [/^name: .*$/m, `name: ${orders}`],
    [/^ {2}table: .*$/m, `  table: ${orders}`],
  ]);
  let app: INestApplication;
  let baseUrl: string;
  let store: EventStore;
  let runtime: ProjectionRuntime;
  let pg: PgClient;
  let es: EsClient;
  let driver: Driver;
  const http = () => request(baseUrl);

  beforeAll(async () => {
    mkdirSync(projectionsDir, { recursive: true });
    writeFileSync(path.join(projectionsDir, 'orders.yaml'), ordersYaml);
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
    const config = loadConfig({
      PRISM_EVENT_STORE: 'postgres',
      PRISM_PG_URL: database.url,
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: urls.neo4j,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_DATA_DIR: path.join(folder, 'data'),
      PRISM_API_KEYS: `admin:${ADMIN_KEY}`,
      PORT: '0',
    });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    store = app.get<EventStore>(EVENT_STORE);
    runtime = await app.get(ProjectionsService).ready();
    pg = new PgClient({ connectionString: database.url });
    // The test database is dropped WITH (FORCE) at the end; that ends this connection on the server side.
    pg.on('error', () => undefined);
    await pg.connect();
    es = new EsClient({ node: urls.elasticsearch });
    driver = neo4j.driver(urls.neo4j);

    let lastOrder = 0n;
    let lastProduct = 0n;
    for (let i = 1; i <= 20; i++) lastOrder = await placeOrder(i);
    for (let i = 1; i <= 8; i++) lastProduct = await listProduct(i);
    await runtime.waitForCheckpoint(orders, lastOrder);
    await runtime.waitForCheckpoint(products, lastProduct);
    await runtime.waitForCheckpoint(graph, lastProduct);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await pg?.end();
    if (es !== undefined) {
      await deleteIndicesWithPrefix(es, `prism-${products}`);
      // Its bookkeeping in the shared meta index too: left there, other apps list it as orphaned.
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
      const shape = { nodes: ['Customer', 'Order', 'Product'] };
      for (const label of shape.nodes) {
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

  async function append(streamId: string, events: EventToAppend[]): Promise<bigint> {
    return (await store.append(streamId, events, 'any')).position;
  }

  async function placeOrder(i: number, extraItems = 0): Promise<bigint> {
    const orderId = `o-${i}`;
    const customerId = `c-${i % 5}`;
    if (i <= 5)
      await append(`customer-${customerId}`, [
        {
          type: 'CustomerRegistered',
          data: { customerId, name: `Customer ${i % 5}`, email: `c${i}@x.io`, city: 'Oslo' },
        },
      ]);
    const events: EventToAppend[] = [
      { type: 'OrderPlaced', data: { orderId, customerId, placedAt: '2024-05-01T10:00:00.000Z' } },
      {
        type: 'ItemAdded',
        data: { orderId, productId: `p-${(i % 8) + 1}`, qty: 1 + (i % 3), price: 100 * i },
      },
    ];
    for (let k = 0; k < extraItems; k++)
      events.push({ type: 'ItemAdded', data: { orderId, productId: `p-${k + 1}`, qty: 1, price: 7 } });
    if (i % 4 === 0) events.push({ type: 'OrderShipped', data: { orderId } });
    return append(`order-${orderId}`, events);
  }

  async function listProduct(i: number): Promise<bigint> {
    return append(`product-p-${i}`, [
      {
        type: 'ProductListed',
        data: {
          productId: `p-${i}`,
          title: `Lamp ${i}`,
          description: 'A lamp',
          category: i % 2 === 0 ? 'home' : 'garden',
          price: 1000 + i,
          tags: ['light'],
        },
      },
    ]);
  }

  async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function verify(name: string): Promise<VerifyReport> {
    const response = await http()
      .post(`/admin/projections/${name}/verify`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({})
      .expect(200);
    return response.body as VerifyReport;
  }

  async function plan(definition: string): Promise<PlanReport> {
    const response = await http()
      .post('/admin/plan')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ definition, filename: 'projections/orders.yaml' })
      .expect(200);
    return response.body as PlanReport;
  }

  function bufferIo(cwd = folder): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, cwd, out: (line) => lines.push(line), err: (line) => errors.push(line) };
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

  /** Waits until the projection applied every event of its source appended so far. */
  async function applied(name: string): Promise<void> {
    const definition = app.get(ProjectionsService).catalog.projections.find((p) => p.name === name)!;
    await runtime.waitForCheckpoint(name, await store.headPosition(logFilterOf(definition)));
  }

  it('needs an admin key', async () => {
    await http().post(`/admin/projections/${orders}/verify`).send({}).expect(401);
  });

  it('reports no difference on intact views of every kind', async () => {
    for (const name of [orders, products, graph]) {
      const report = await verify(name);
      expect({ name, total: report.total, settled: report.settled }).toEqual({
        name,
        total: 0,
        settled: true,
      });
      expect(report.liveEntries).toBeGreaterThan(0);
      expect(report.rebuiltEntries).toBe(report.liveEntries);
    }
    const relational = await verify(orders);
    expect(relational.liveEntries).toBe(20);
    expect(relational.eventsFolded).toBe(20 * 2 + 5);
  });

  it('reports no difference while events keep being appended', async () => {
    // Issue #12: this used to count on a concurrent writer moving the log while verify ran (0 times out
    // of 6 on a busy machine). Now the writer appends at known moments, through verify's hook: after it
    // read the live checkpoint and before it compares, and the live projection applies those events
    // before verify goes on, so every run really compares a view that moved.
    const checks = app.get(ChecksService);
    let next = 100;
    for (const name of [orders, graph, orders, graph]) {
      const moments: bigint[] = [];
      const report = await checks.verify(name, {
        afterCheckpointRead: async ({ checkpoint }) => {
          moments.push(checkpoint);
          if (moments.length > 3) return;
          // New orders and items on existing orders, several streams at once.
          const i = next++;
          const positions = await Promise.all([
            placeOrder(i, 3),
            append(`order-o-${(i % 20) + 1}`, [
              {
                type: 'ItemAdded',
                data: { orderId: `o-${(i % 20) + 1}`, productId: 'p-1', qty: 1, price: 1 },
              },
            ]),
          ]);
          // The PostgreSQL log shows readers only the prefix below the oldest transaction still open on the
          // server (other suites, other processes), so its head may not show these events yet: wait until it
          // does, or `applied` would wait for an older head and the scan could run before they are applied.
          await untilVisible(
            store,
            positions.reduce((a, b) => (a > b ? a : b)),
          );
          await applied(orders);
          await applied(graph);
        },
      });
      expect({ name, total: report.total, differences: report.differences, settled: report.settled }).toEqual(
        {
          name,
          total: 0,
          differences: [],
          settled: true,
        },
      );
      // The view moved after the first checkpoint was read: the new orders were only live at the scan,
      // so verify had to settle them at a later position.
      expect(report.rounds).toBeGreaterThanOrEqual(1);
      expect(BigInt(report.checkpoint)).toBeGreaterThan(moments[0]!);
    }
  }, 120_000);

  it('stops a verification whose HTTP caller disconnects (issue #17)', async () => {
    const checks = app.get(ChecksService);
    const target = app.get(ProjectionsService).target('relational')!;
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    // Holds the verification at its first checkpoint read until the caller has gone away, so the
    // disconnect lands while it runs whatever the machine's speed (the runners do not read checkpoints
    // once started; verify reads one first).
    let entered!: () => void;
    const reached = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const readCheckpoint = target.readCheckpoint.bind(target);
    const spy = jest.spyOn(target, 'readCheckpoint').mockImplementation(async (view) => {
      if (view.projection === orders) {
        entered();
        await gate;
      }
      return readCheckpoint(view);
    });
    const cancelledBefore = checks.cancelled;
    // When the server sees the caller's connection close (the same 'close' the controller listens to).
    const server = app.getHttpServer() as import('node:http').Server;
    const closedOnServer = new Promise<void>((resolve) =>
      server.once('request', (_request, response: import('node:http').ServerResponse) =>
        response.once('close', () => resolve()),
      ),
    );
    try {
      const caller = new AbortController();
      const answer = fetch(`${baseUrl}/admin/projections/${orders}/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: '{}',
        signal: caller.signal,
      }).catch((error: unknown) => error);
      await reached;
      expect(checks.progress(orders)).toBeDefined();
      caller.abort();
      expect((await answer) as { name?: string }).toMatchObject({ name: 'AbortError' });
      // Once the server has seen the connection close, the verification may go on: it must stop.
      await closedOnServer;
      release();
      await waitFor(() => checks.cancelled === cancelledBefore + 1);
      expect(checks.progress(orders)).toBeUndefined();
      const stopped = warnings.mock.calls
        .map((call) => String(call[0]))
        .find((m) => m.startsWith(`verify ${orders} stopped`));
      expect(stopped).toContain('the HTTP caller disconnected');
      expect(stopped).toContain('0 events folded');
    } finally {
      release();
      spy.mockRestore();
      warnings.mockRestore();
    }
    // Nothing was left behind: the next verification runs and finds the view intact.
    expect((await verify(orders)).total).toBe(0);
  });

  it('prism verify prints the progress of the verification while it waits', async () => {
    const target = app.get(ProjectionsService).target('relational')!;
    // The verification waits at its first checkpoint read until a progress line was printed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const readCheckpoint = target.readCheckpoint.bind(target);
    const spy = jest.spyOn(target, 'readCheckpoint').mockImplementation(async (view) => {
      if (view.projection === orders) await gate;
      return readCheckpoint(view);
    });
    const io = bufferIo();
    try {
      const exit = runVerify(orders, { url: baseUrl, apiKey: ADMIN_KEY, progressEveryMs: 50 }, io);
      await waitFor(() => io.errors.length > 0);
      release();
      expect(await exit).toBe(0);
    } finally {
      release();
      spy.mockRestore();
    }
    expect(io.errors[0]).toBe(`verify ${orders}: folding the log: 0 event(s), position 0 of 0`);
    expect(io.lines).toContain('✔ no differences');
  });

  it('finds a row corrupted, deleted and added directly in PostgreSQL', async () => {
    const table = `prism."${orders}__g1"`;
    await pg.query(`UPDATE ${table} SET status = 'lost', total = total + 1 WHERE order_id = 'o-3'`);
    await pg.query(`DELETE FROM ${table} WHERE order_id = 'o-7'`);
    await pg.query(
      `INSERT INTO ${table} (order_id, customer_id, status, item_count, total) VALUES ('ghost', 'c-0', 'placed', 0, 0)`,
    );
    const report = await verify(orders);
    expect(report.counts).toEqual({ onlyLive: 1, onlyRebuilt: 1, different: 1 });
    const different = report.differences.find((d) => d.kind === 'different');
    expect(different?.key).toBe('o-3');
    expect(different?.fields.map((f) => f.field)).toEqual(['status', 'total']);
    expect(different?.fields[0]).toEqual({ field: 'status', live: 'lost', rebuilt: 'placed' });
    expect(report.differences.find((d) => d.kind === 'only-rebuilt')?.key).toBe('o-7');
    expect(report.differences.find((d) => d.kind === 'only-live')?.key).toBe('ghost');

    const io = bufferIo();
    expect(await cli(io, 'verify', orders)).toBe(1);
    expect(io.lines.join('\n')).toContain('✖ 3 difference(s): 1 different, 1 only live, 1 only rebuilt');
    expect(io.lines).toContain('    status: live "lost", rebuilt "placed"');
    const json = bufferIo();
    expect(await cli(json, 'verify', orders, '--json')).toBe(1);
    expect((JSON.parse(json.lines.join('\n')) as VerifyReport).total).toBe(3);
  });

  it('finds a document corrupted directly in Elasticsearch', async () => {
    await es.update({ index: `prism-${products}-g1`, id: 'p-3', doc: { price: 999_999 }, refresh: true });
    const report = await verify(products);
    expect(report.total).toBe(1);
    expect(report.differences[0]).toMatchObject({
      key: 'p-3',
      kind: 'different',
      fields: [{ field: 'price', live: 999_999, rebuilt: 1003 }],
    });
  });

  it('finds a node and a relationship corrupted directly in Neo4j', async () => {
    await driver.executeQuery(
      `MATCH (c:\`${physicalName('Customer', graph, 1)}\` {customerId: 'c-1'}) SET c.name = 'Mallory'`,
    );
    await driver.executeQuery(
      `MATCH (:\`${physicalName('Order', graph, 1)}\` {orderId: 'o-2'})-[r:\`${physicalName('CONTAINS', graph, 1)}\`]->(:\`${physicalName('Product', graph, 1)}\` {productId: 'p-3'}) DELETE r`,
    );
    const target = app.get(ProjectionsService).target('neo4j')!;
    const scans = jest.spyOn(target, 'scan');
    const reads = jest.spyOn(target, 'readEntries' as never) as unknown as jest.SpyInstance<
      Promise<unknown>,
      [unknown, readonly string[]]
    >;
    let report: VerifyReport;
    let pages: string[];
    let reread: string[];
    try {
      report = await verify(graph);
      pages = scans.mock.calls.map(([, options]) => options.after ?? '(start)');
      reread = reads.mock.calls.flatMap(([, keys]) => keys);
    } finally {
      scans.mockRestore();
      reads.mockRestore();
    }
    // Issue #17: the suspects are read again by key; the graph is scanned once, no page twice.
    expect(pages.length).toBeGreaterThan(0);
    expect(new Set(pages).size).toBe(pages.length);
    expect(reread).toEqual(expect.arrayContaining(['node:Customer:"c-1"', 'rel:CONTAINS:["o-2","p-3"]']));
    expect(report.counts).toEqual({ onlyLive: 0, onlyRebuilt: 1, different: 1 });
    expect(report.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'node:Customer:"c-1"',
          kind: 'different',
          fields: [{ field: 'name', live: 'Mallory', rebuilt: 'Customer 1' }],
        }),
        expect.objectContaining({ key: 'rel:CONTAINS:["o-2","p-3"]', kind: 'only-rebuilt' }),
      ]),
    );
  });

  it('plan: an unchanged definition does not rebuild', async () => {
    const report = await plan(ordersYaml);
    expect(report.action).toBe('none');
    expect(report.fingerprint.new).toBe(report.fingerprint.active);
    expect(report.sample.counts.changed + report.sample.counts.added + report.sample.counts.removed).toBe(0);
    expect(report.sample.counts.unchanged).toBeGreaterThan(0);
  });

  it('plan: a changed definition rebuilds, counts the events to replay and shows the changed field', async () => {
    const changed = ordersYaml
      .replace(`status: '"shipped"'`, `status: '"sent"'`)
      .replace(
        '    total: { type: bigint }\n',
        '    total: { type: bigint }\n    note: { type: text, nullable: true }\n',
      );
    expect(changed).not.toBe(ordersYaml);
    // What the log holds, counted by SQL on the event store's own table.
    const counts = await pg.query<{ type: string; n: string }>(
      `SELECT type, count(*) AS n FROM prism.events WHERE stream_id LIKE 'order-%' AND type IN ('OrderPlaced','ItemAdded','OrderShipped','OrderCancelled') GROUP BY type`,
    );
    const report = await plan(changed);
    expect(report.action).toBe('rebuild');
    expect(report.fingerprint.new).not.toBe(report.fingerprint.active);
    const expected = Object.fromEntries(counts.rows.map((row) => [row.type, Number(row.n)]));
    expect(report.replay.byType).toEqual({ OrderCancelled: 0, ...expected });
    expect(report.replay.byType.OrderPlaced).toBeGreaterThanOrEqual(20);
    expect(report.replay.events).toBe(Object.values(report.replay.byType).reduce((a, b) => a + b, 0));
    expect(report.replay.approximate).toBe(false);
    expect(report.estimate.seconds).toBeGreaterThan(0);
    expect(report.shapeChanges).toContainEqual({ change: 'added', what: 'column note', to: 'text nullable' });
    const shipped = report.sample.differences.find((d) => d.kind === 'different');
    expect(shipped?.fields).toEqual([{ field: 'status', live: 'shipped', rebuilt: 'sent' }]);
    expect(report.sample.counts.changed).toBeGreaterThan(0);

    const file = path.join(folder, 'changed.yaml');
    writeFileSync(file, changed);
    const io = bufferIo();
    expect(await cli(io, 'plan', 'changed.yaml')).toBe(0);
    const text = io.lines.join('\n');
    expect(text).toContain(`plan ${orders} (changed.yaml): REBUILD`);
    expect(text).toContain('+ column note text nullable');
    expect(text).toContain('status: "shipped" → "sent"');
  });

  it('plan (CLI) validates locally first and prints file:line:column problems', async () => {
    writeFileSync(path.join(folder, 'broken.yaml'), ordersYaml.replace('source:', 'sourc:'));
    const io = bufferIo();
    expect(await cli(io, 'plan', 'broken.yaml')).toBe(1);
    expect(io.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broken\.yaml:\d+:\d+ error unknown-key sourc: unknown key "sourc"/),
      ]),
    );
    expect(io.errors[io.errors.length - 1]).toMatch(/^✖ \d+ error\(s\) in broken\.yaml/);
    expect(io.lines).toEqual([]);
  });
});
