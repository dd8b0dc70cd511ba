/**
 * Issue #12: `verify` must end where the live view did after poison events were parked, held, replayed
 * and discarded, and after the store refused a document (a unique index). The real runtime runs the
 * example projections on real stores (PostgreSQL, Elasticsearch; the log is the embedded one), an
 * operator resolves parked events through the runtime, and verify must report no difference each time.
 * Every case first checks that the resolution really changed the live view, so "no difference" means the
 * rebuild redid it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../../test/support/stores';
import type { CompiledProjection } from '../../core/plan';
import { compileYamlDefinition, recompileDefinition } from '../../dsl';
import { createEmbeddedEventStore } from '../../eventstore/embedded/embedded-event-store';
import type { EventStore, EventToAppend } from '../../eventstore/event-store.port';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { deleteIndicesWithPrefix } from '../../stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../stores/elasticsearch/elasticsearch.target';
import { RelationalTarget } from '../../stores/relational/relational.target';
import { isRelationalShape } from '../../stores/relational/relational-view-shape';
import type { Target } from '../../stores/target.port';
import { verifyProjection, type VerifyReport } from './verify-projection';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const FAST_RUNNER = { batchSize: 50, maxBatchLatencyMs: 5, headPollMs: 20, progressLogMs: 60_000 };

function example(file: string): CompiledProjection {
  const yaml = readFileSync(path.join(__dirname, '../../../projections', `${file}.yaml`), 'utf8');
  return compileYamlDefinition(yaml, `${file}.yaml`);
}

const placed = (orderId: string): EventToAppend => ({
  type: 'OrderPlaced',
  data: { orderId, customerId: `c-${orderId}`, placedAt: '2024-05-01T10:00:00.000Z' },
});
const item = (orderId: string, qty: number, price: number | string): EventToAppend => ({
  type: 'ItemAdded',
  data: { orderId, productId: `p-${qty}`, qty, price },
});
const shipped = (orderId: string): EventToAppend => ({ type: 'OrderShipped', data: { orderId } });
const registered = (customerId: string, email: string): EventToAppend => ({
  type: 'CustomerRegistered',
  data: { customerId, name: `Customer ${customerId}`, email, city: 'Oslo' },
});
const renamed = (customerId: string, name: string): EventToAppend => ({
  type: 'CustomerRenamed',
  data: { customerId, name },
});

/** One projection running on a real target, with the operations a test needs. */
class Running {
  private constructor(
    readonly store: EventStore,
    readonly target: Target,
    readonly plan: CompiledProjection,
    readonly runtime: ProjectionRuntime,
  ) {}

  static async start(target: Target, plan: CompiledProjection): Promise<Running> {
    const store = createEmbeddedEventStore({ file: ':memory:' });
    const runtime = new ProjectionRuntime({
      store,
      targets: { [plan.target.kind]: target },
      runner: FAST_RUNNER,
      logger: silent,
    });
    await runtime.start([plan]);
    return new Running(store, target, plan, runtime);
  }

  /** Appends, then waits until the projection applied (or set aside) everything up to there. */
  async append(streamId: string, events: readonly EventToAppend[]): Promise<bigint> {
    const { position } = await this.store.append(streamId, events, 'any');
    await this.runtime.waitForCheckpoint(this.plan.name, position, 30_000);
    return position;
  }

  async parked(): Promise<[bigint, string][]> {
    return (await this.runtime.listParked(this.plan.name)).map((p) => [p.position, p.status]);
  }

  verify(): Promise<VerifyReport> {
    return verifyProjection(
      {
        store: this.store,
        target: this.target,
        catalogPlan: this.plan,
        recompile: (model) => recompileDefinition(model),
      },
      this.plan.name,
    );
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.store.close();
  }
}

/** What a test asserts of a verify report: no difference, compared at one still moment. */
function clean(report: VerifyReport): Pick<VerifyReport, 'total' | 'differences' | 'settled'> {
  return { total: report.total, differences: report.differences, settled: report.settled };
}
const CLEAN = { total: 0, differences: [], settled: true };

describeWithStores(['postgres'], 'verify after parking, on PostgreSQL (issue #12)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let schema = 0;
  let running: Running | undefined;
  let target: RelationalTarget;

  beforeEach(async () => {
    schema += 1;
    target = await RelationalTarget.connect({
      kind: 'postgres',
      url: database.url,
      schema: `verify_parking_${schema}`,
      poolSize: 4,
    });
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await target.close();
  });

  /** The live row of this key, read through the view's stable name. */
  const row = async (id: string) => {
    const shape = running!.plan.target;
    if (!isRelationalShape(shape)) throw new Error('a relational view was expected');
    return (await target.readActive(shape)).find((r) => r[shape.key] === id);
  };

  it('a poison event parked, then discarded: the held events are released and verify finds no difference', async () => {
    running = await Running.start(target, example('order-summary'));
    await running.append('order-a', [placed('a'), item('a', 1, 10)]);
    const poison = await running.append('order-b', [placed('b'), item('b', 2, 'cheap')]);
    await running.append('order-b', [item('b', 3, 5), shipped('b')]);
    await running.append('order-c', [placed('c'), item('c', 1, 4)]);
    expect(await running.parked()).toEqual([
      [poison, 'parked'],
      [poison + 1n, 'held'],
      [poison + 2n, 'held'],
    ]);
    expect(clean(await running.verify())).toEqual(CLEAN);

    expect(await running.runtime.discard(running.plan.name, poison)).toEqual({
      kind: 'discarded',
      released: 2,
    });
    expect(await row('b')).toMatchObject({ status: 'shipped', total: 15 });
    const report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({ resolutionsRedone: 1, eventsSetAside: 0 });

    // Later events of b apply directly, live and in the rebuild.
    await running.append('order-b', [item('b', 1, 1)]);
    expect(clean(await running.verify())).toEqual(CLEAN);
  });

  it('a duplicate email parked, then replayed once the other customer changed it: no difference', async () => {
    running = await Running.start(target, example('customer-directory'));
    await running.append('customer-a', [registered('a', 'same@x.io')]);
    const duplicate = await running.append('customer-b', [registered('b', 'same@x.io')]);
    await running.append('customer-b', [renamed('b', 'Bea')]);
    expect(await running.parked()).toEqual([
      [duplicate, 'parked'],
      [duplicate + 1n, 'held'],
    ]);
    // The rebuild refuses b as the unique index did.
    expect(clean(await running.verify())).toEqual(CLEAN);

    // Fixed: a moves to another address; replaying b now succeeds.
    await running.append('customer-a', [registered('a', 'a@x.io')]);
    expect(await running.runtime.replay(running.plan.name, duplicate)).toEqual({
      kind: 'replayed',
      released: 1,
    });
    expect(await row('b')).toMatchObject({ email: 'same@x.io', name: 'Bea' });
    const report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({
      resolutionsRedone: 1,
      eventsSetAside: 0,
      liveEntries: 2,
      rebuiltEntries: 2,
    });
  });

  it('a duplicate-email customer parked by the unique index, then discarded: not "only rebuilt"', async () => {
    running = await Running.start(target, example('customer-directory'));
    await running.append('customer-a', [registered('a', 'same@x.io')]);
    const duplicate = await running.append('customer-b', [registered('b', 'same@x.io')]);
    await running.append('customer-c', [registered('c', 'c@x.io')]);
    expect(await running.parked()).toEqual([[duplicate, 'parked']]);

    expect(await running.runtime.discard(running.plan.name, duplicate)).toEqual({
      kind: 'discarded',
      released: 0,
    });
    const report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({ liveEntries: 2, rebuiltEntries: 2, resolutionsRedone: 1 });
  });

  it('events held behind a parked key are released in log order, one of them parked in turn: no difference', async () => {
    running = await Running.start(target, example('order-summary'));
    const first = await running.append('order-b', [placed('b'), item('b', 1, 'bad')]);
    // Held behind it: a good item, another poison one, the shipping.
    await running.append('order-b', [item('b', 2, 5), item('b', 3, 'worse'), shipped('b')]);
    await running.append('order-c', [placed('c'), item('c', 1, 4)]);
    expect(clean(await running.verify())).toEqual(CLEAN);

    expect(await running.runtime.discard(running.plan.name, first)).toEqual({
      kind: 'discarded',
      released: 1,
    });
    // The good item applied; the second poison one is parked now, the shipping still held behind it.
    expect(await running.parked()).toEqual([
      [first + 2n, 'parked'],
      [first + 3n, 'held'],
    ]);
    expect(await row('b')).toMatchObject({ status: 'placed', total: 10 });
    let report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({ resolutionsRedone: 1, eventsSetAside: 2 });

    expect(await running.runtime.discard(running.plan.name, first + 2n)).toEqual({
      kind: 'discarded',
      released: 1,
    });
    expect(await row('b')).toMatchObject({ status: 'shipped', total: 10 });
    report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({ resolutionsRedone: 2, eventsSetAside: 0 });
  });
});

describeWithStores(['elasticsearch'], 'verify after parking, on Elasticsearch (issue #12)', (urls) => {
  const prefix = `${uniqueTestName('verify_parking')}-`;
  const admin = new EsClient({ node: urls.elasticsearch });
  let running: Running | undefined;
  afterAll(async () => {
    await running?.stop();
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });

  it('a poison event parked, held events behind it, then discarded: no difference', async () => {
    const target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    running = await Running.start(target, example('order-search'));
    await running.append('order-a', [placed('a'), item('a', 1, 10)]);
    const poison = await running.append('order-b', [placed('b'), item('b', 2, 'cheap')]);
    await running.append('order-b', [item('b', 3, 5), shipped('b')]);
    expect(await running.parked()).toEqual([
      [poison, 'parked'],
      [poison + 1n, 'held'],
      [poison + 2n, 'held'],
    ]);
    expect(clean(await running.verify())).toEqual(CLEAN);

    expect(await running.runtime.discard(running.plan.name, poison)).toEqual({
      kind: 'discarded',
      released: 2,
    });
    const report = await running.verify();
    expect(clean(report)).toEqual(CLEAN);
    expect(report).toMatchObject({ resolutionsRedone: 1, eventsSetAside: 0, liveEntries: 2 });
    await running.append('order-b', [item('b', 1, 1)]);
    expect(clean(await running.verify())).toEqual(CLEAN);
    await target.close();
  });
});
