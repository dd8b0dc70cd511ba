/**
 * Poison events on the real PostgreSQL target: parked with their reason, later events of the same key
 * held behind them (sequenced) or not (skip), bisecting batches the store rejects, and list / replay /
 * discard releasing held events in log order.
 */
import type { EventStore, EventToAppend, StoredEvent } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import { describeWithStores, useTestDatabase } from '../support/stores';
import {
  expectedOrderSummary,
  orderSummaryPlan,
  orderSummaryShape,
  type OrderSummaryOptions,
} from './fixtures/order-summary.fixture';
import {
  appendVisible,
  byKey,
  FaultyTarget,
  openTestLog,
  readAllEvents,
  TEST_RUNNER,
  waitFor,
} from './support/runtime-harness';

const placed = (orderId: string, customerId = `c-${orderId}`): EventToAppend => ({
  type: 'OrderPlaced',
  data: { orderId, customerId },
});
const item = (orderId: string, qty: number, price: number | string): EventToAppend => ({
  type: 'ItemAdded',
  data: { orderId, productId: 'p', qty, price },
});
const shipped = (orderId: string): EventToAppend => ({ type: 'OrderShipped', data: { orderId } });

describeWithStores(['postgres'], 'parking poison events on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let schema = 0;
  let target: RelationalTarget;
  let store: EventStore;
  let runtime: ProjectionRuntime | undefined;

  beforeEach(async () => {
    schema += 1;
    target = await RelationalTarget.connect({
      kind: 'postgres',
      url: database.url,
      schema: `parking_${schema}`,
      poolSize: 4,
    });
    store = await openTestLog(database.url, `log_${schema}`);
  });
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await target.close();
    await store.close();
  });

  const start = async (options: OrderSummaryOptions = {}, faulty?: FaultyTarget) => {
    runtime = new ProjectionRuntime({
      store,
      targets: { postgres: faulty ?? target },
      runner: TEST_RUNNER,
      logger: silentLogger,
    });
    await runtime.start([orderSummaryPlan(options)]);
    await runtime.waitForCheckpoint('order_summary', await store.headPosition());
    return runtime;
  };
  const view = async () => byKey(await target.readActive(orderSummaryShape()));
  const row = async (orderId: string) => (await view()).find((r) => r.order_id === orderId);
  const all = () => readAllEvents(store);
  const without = (events: readonly StoredEvent[], position: bigint) =>
    events.filter((e) => e.position !== position);

  /** a: clean; b: its second item is poison (when `poisoned` says so); c: clean, after b. */
  const appendScenario = async () => {
    await appendVisible(store, 'order-a', [placed('a'), item('a', 1, 10)]);
    await appendVisible(store, 'order-b', [placed('b'), item('b', 1, 5), item('b', 2, 7)]);
    await appendVisible(store, 'order-a', [shipped('a')]);
    await appendVisible(store, 'order-b', [item('b', 3, 1), shipped('b')]);
    await appendVisible(store, 'order-c', [placed('c'), item('c', 4, 4), shipped('c')]);
    return (await all()).find((e) => e.type === 'ItemAdded' && e.data.orderId === 'b' && e.data.qty === 2)!;
  };

  it('parks the poison event, holds later events of its key, and lets other keys move on', async () => {
    const poison = await appendScenario();
    let broken = true;
    const rt = await start({
      poison: (e) => (broken && e.position === poison.position ? 'price list unavailable' : undefined),
    });

    const parked = await rt.listParked('order_summary');
    expect(parked.map((p) => [p.position, p.status, p.eventType, p.keys])).toEqual([
      [poison.position, 'parked', 'ItemAdded', ['b']],
      [poison.position + 2n, 'held', 'ItemAdded', ['b']],
      [poison.position + 3n, 'held', 'OrderShipped', ['b']],
    ]);
    expect(parked[0]!.reason).toMatch(/price list unavailable/);
    expect(parked[0]!.event).toEqual(poison);
    expect(rt.status('order_summary').live).toMatchObject({
      parked: 1,
      held: 2,
      checkpoint: await store.headPosition(),
    });
    // b stopped before its poison event; a and c are complete.
    expect(await row('b')).toEqual({
      order_id: 'b',
      customer_id: 'c-b',
      status: 'placed',
      item_count: 1,
      total: 5,
    });
    expect((await view()).filter((r) => r.order_id !== 'b')).toEqual(
      expectedOrderSummary(await all()).filter((r) => r.order_id !== 'b'),
    );

    // Later events for b keep being held while the parked one is unresolved.
    await appendVisible(store, 'order-b', [item('b', 1, 100)]);
    await rt.waitForCheckpoint('order_summary', await store.headPosition());
    expect(rt.status('order_summary').live).toMatchObject({ parked: 1, held: 3 });

    // Replaying while the cause persists leaves it parked.
    expect(await rt.replay('order_summary', poison.position)).toEqual({
      kind: 'still-parked',
      reason: expect.stringMatching(/price list unavailable/),
    });
    expect(rt.status('order_summary').live).toMatchObject({ parked: 1, held: 3 });

    broken = false;
    expect(await rt.replay('order_summary', poison.position)).toEqual({ kind: 'replayed', released: 3 });
    expect(await rt.listParked('order_summary')).toEqual([]);
    expect(rt.status('order_summary').live).toMatchObject({ parked: 0, held: 0 });
    expect(await view()).toEqual(expectedOrderSummary(await all()));

    // b is no longer blocked: new events apply directly.
    await appendVisible(store, 'order-b', [item('b', 1, 1)]);
    await rt.waitForCheckpoint('order_summary', await store.headPosition());
    expect(await view()).toEqual(expectedOrderSummary(await all()));
  });

  it('discarding a parked event releases the held ones in log order', async () => {
    const poison = await appendScenario();
    const rt = await start({
      poison: (e) => (e.position === poison.position ? 'corrupt payload' : undefined),
    });
    expect(await rt.discard('order_summary', poison.position)).toEqual({ kind: 'discarded', released: 2 });
    expect(await rt.listParked('order_summary')).toEqual([]);
    expect(await view()).toEqual(expectedOrderSummary(without(await all(), poison.position)));
    await expect(rt.discard('order_summary', poison.position)).rejects.toThrow(/no parked event at position/);
  });

  it('with onPoison: skip, only the failing event is set aside', async () => {
    const poison = await appendScenario();
    const rt = await start({
      onPoison: 'skip',
      poison: (e) => (e.position === poison.position ? 'bad' : undefined),
    });
    expect((await rt.listParked('order_summary')).map((p) => [p.position, p.status])).toEqual([
      [poison.position, 'parked'],
    ]);
    expect(await view()).toEqual(expectedOrderSummary(without(await all(), poison.position)));
  });

  it('parks a document that does not fit the declared shape, whatever the batch boundaries', async () => {
    await appendVisible(store, 'order-a', [
      placed('a'),
      item('a', 1, 10),
      item('a', 2, 'cheap'),
      item('a', 1, 1),
    ]);
    await appendVisible(store, 'order-c', [placed('c'), item('c', 1, 3)]);
    const rt = await start();
    const parked = await rt.listParked('order_summary');
    const cheap = (await all()).find((e) => e.data.price === 'cheap')!;
    expect(parked.map((p) => [p.position, p.status])).toEqual([
      [cheap.position, 'parked'],
      [cheap.position + 1n, 'held'],
    ]);
    // 2 x 'cheap' is NaN: not an integer, so the target's shape check rejects the document.
    expect(parked[0]!.reason).toMatch(/column "total" \(integer\) expects a 32-bit integer/);
    expect(await row('a')).toMatchObject({ item_count: 1, total: 10 });
    expect(await row('c')).toMatchObject({ item_count: 1, total: 3 });
  });

  it('parks an event whose keys cannot be computed, holding nothing', async () => {
    await appendVisible(store, 'order-a', [
      placed('a'),
      { type: 'ItemAdded', data: { qty: 1, price: 1 } },
      item('a', 1, 2),
    ]);
    const rt = await start();
    const parked = await rt.listParked('order_summary');
    const keyless = (await all()).find((e) => e.data.orderId === undefined)!;
    expect(parked.map((p) => [p.position, p.status, p.keys])).toEqual([[keyless.position, 'parked', []]]);
    expect(parked[0]!.reason).toMatch(/keys could not be computed: .*orderId is missing/);
    expect(await row('a')).toMatchObject({ item_count: 1, total: 2 });
  });

  it('bisects a batch the store rejects and parks only the failing event', async () => {
    // A UNIQUE index on customer_id: the second order of customer "shared" violates it in the database.
    const events: [string, EventToAppend[]][] = [];
    for (let i = 0; i < 20; i += 1) events.push([`order-o${i}`, [placed(`o${i}`), item(`o${i}`, 1, i + 1)]]);
    events.splice(7, 0, ['order-dup', [placed('dup', 'c-o3'), item('dup', 2, 2), shipped('dup')]]);
    for (const [stream, batch] of events) await appendVisible(store, stream, batch);
    const faulty = new FaultyTarget(target);
    const rt = await start({ uniqueCustomer: true }, faulty);

    const parked = await rt.listParked('order_summary');
    const placedDup = (await all()).find((e) => e.data.orderId === 'dup' && e.type === 'OrderPlaced')!;
    expect(parked.map((p) => [p.position, p.status])).toEqual([
      [placedDup.position, 'parked'],
      [placedDup.position + 1n, 'held'],
      [placedDup.position + 2n, 'held'],
    ]);
    expect(parked[0]!.reason).toMatch(/duplicate key value violates unique constraint/);
    expect(await view()).toEqual(expectedOrderSummary(await all()).filter((r) => r.order_id !== 'dup'));
    // The rejected batches were split: more commits than batches, none of them containing "dup".
    expect(faulty.commits.length).toBeGreaterThan(Math.ceil((await all()).length / 50));
  });

  it('releases held events orphaned by a crash in the middle of a release', async () => {
    const poison = await appendScenario();
    let rt = await start({ poison: (e) => (e.position === poison.position ? 'bad' : undefined) });
    await rt.stop();
    // As if a discard committed the parked event's release and the process died before the held ones.
    await target.dataSource.query(`DELETE FROM parking_${schema}.prism_parked_events WHERE position = $1`, [
      poison.position.toString(),
    ]);
    rt = await start({ poison: (e) => (e.position === poison.position ? 'bad' : undefined) });
    await waitFor(
      async () => (await rt.listParked('order_summary')).length === 0,
      'the orphans to be released',
    );
    expect(await view()).toEqual(expectedOrderSummary(without(await all(), poison.position)));
  });
});
