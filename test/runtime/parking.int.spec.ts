/**
 * Poison events on every store (support/runtime-stores.ts): parked with their reason, later events of the
 * same key held behind them (sequenced) or not (skip), values the view cannot hold, bisecting batches the
 * store rejects, and list / replay / discard releasing held events in log order. Cases of the runner's
 * own logic (`itLight`) are skipped on heavy stores.
 */
import type { EventToAppend, StoredEvent } from '../../src/eventstore/event-store.port';
import type { ParkedEvent } from '../../src/stores/target.port';
import { appendVisible, FaultyTarget, readAllEvents, waitFor } from './support/runtime-harness';
import type { FixtureOptions } from './support/runtime-stores';
import { describeOnRuntimeStores } from './support/runtime-suite';

const placed = (orderId: string, customerId = `c-${orderId}`): EventToAppend => ({
  type: 'OrderPlaced',
  data: { orderId, customerId },
});
/** Each order buys its own product, so graph views (keyed by order, line and product) hold only its events. */
const item = (orderId: string, qty: number, price: number | string): EventToAppend => ({
  type: 'ItemAdded',
  data: { orderId, productId: `p-${orderId}`, qty, price },
});
const shipped = (orderId: string): EventToAppend => ({ type: 'OrderShipped', data: { orderId } });

describeOnRuntimeStores('parking poison events', (context) => {
  const { itLight } = context;
  const name = () => context.fixture().name;
  const log = () => context.log();
  const all = () => readAllEvents(log());
  const start = async (options: FixtureOptions = {}, faulty?: FaultyTarget) => {
    const runtime = await context.start({
      plans: [context.fixture().plan(options)],
      ...(faulty !== undefined && { target: faulty }),
    });
    await runtime.waitForCheckpoint(name(), await context.head());
    return runtime;
  };
  /** The view a correct run leaves when the events at these positions were never applied. */
  const expectedWithout = async (positions: Iterable<bigint>) => {
    const left = new Set(positions);
    return context.fixture().expected((await all()).filter((event) => !left.has(event.position)));
  };
  const positionsOf = (parked: readonly ParkedEvent[]) => parked.map((p) => p.position);

  /** a: clean; b: its second item is poison (when `poisoned` says so); c: clean, after b. */
  const appendScenario = async (): Promise<StoredEvent> => {
    await appendVisible(log(), 'order-a', [placed('a'), item('a', 1, 10)]);
    await appendVisible(log(), 'order-b', [placed('b'), item('b', 1, 5), item('b', 2, 7)]);
    await appendVisible(log(), 'order-a', [shipped('a')]);
    await appendVisible(log(), 'order-b', [item('b', 3, 1), shipped('b')]);
    await appendVisible(log(), 'order-c', [placed('c'), item('c', 4, 4), shipped('c')]);
    return (await all()).find((e) => e.type === 'ItemAdded' && e.data.orderId === 'b' && e.data.qty === 2)!;
  };

  it('parks the poison event, holds later events of its key, and lets other keys move on', async () => {
    const poison = await appendScenario();
    let broken = true;
    const rt = await start({
      poison: (e) => (broken && e.position === poison.position ? 'price list unavailable' : undefined),
    });

    const parked = await rt.listParked(name());
    expect(parked.map((p) => [p.position, p.status, p.eventType])).toEqual([
      [poison.position, 'parked', 'ItemAdded'],
      [poison.position + 2n, 'held', 'ItemAdded'],
      [poison.position + 3n, 'held', 'OrderShipped'],
    ]);
    expect(parked[0]!.reason).toMatch(/price list unavailable/);
    expect(parked[0]!.event).toEqual(poison);
    expect(rt.status(name()).live).toMatchObject({
      parked: 1,
      held: 2,
      checkpoint: await context.head(),
    });
    // b stopped before its poison event; a and c are complete.
    expect(await context.view()).toEqual(await expectedWithout(positionsOf(parked)));

    // Later events for b keep being held while the parked one is unresolved.
    await appendVisible(log(), 'order-b', [item('b', 1, 100)]);
    await rt.waitForCheckpoint(name(), await context.head());
    expect(rt.status(name()).live).toMatchObject({ parked: 1, held: 3 });

    // Replaying while the cause persists leaves it parked.
    expect(await rt.replay(name(), poison.position)).toEqual({
      kind: 'still-parked',
      reason: expect.stringMatching(/price list unavailable/),
    });
    expect(rt.status(name()).live).toMatchObject({ parked: 1, held: 3 });

    broken = false;
    expect(await rt.replay(name(), poison.position)).toEqual({ kind: 'replayed', released: 3 });
    expect(await rt.listParked(name())).toEqual([]);
    expect(rt.status(name()).live).toMatchObject({ parked: 0, held: 0 });
    expect(await context.view()).toEqual(await expectedWithout([]));

    // b is no longer blocked: new events apply directly.
    await appendVisible(log(), 'order-b', [item('b', 1, 1)]);
    await rt.waitForCheckpoint(name(), await context.head());
    expect(await context.view()).toEqual(await expectedWithout([]));
  });

  itLight('discarding a parked event releases the held ones in log order', async () => {
    const poison = await appendScenario();
    const rt = await start({
      poison: (e) => (e.position === poison.position ? 'corrupt payload' : undefined),
    });
    expect(await rt.discard(name(), poison.position)).toEqual({ kind: 'discarded', released: 2 });
    expect(await rt.listParked(name())).toEqual([]);
    expect(await context.view()).toEqual(await expectedWithout([poison.position]));
    await expect(rt.discard(name(), poison.position)).rejects.toThrow(/no parked event at position/);
  });

  itLight('with onPoison: skip, only the failing event is set aside', async () => {
    const poison = await appendScenario();
    const rt = await start({
      onPoison: 'skip',
      poison: (e) => (e.position === poison.position ? 'bad' : undefined),
    });
    expect((await rt.listParked(name())).map((p) => [p.position, p.status])).toEqual([
      [poison.position, 'parked'],
    ]);
    expect(await context.view()).toEqual(await expectedWithout([poison.position]));
  });

  it('parks an event that makes a value the view cannot hold, whatever the batch boundaries', async () => {
    await appendVisible(log(), 'order-a', [
      placed('a'),
      item('a', 1, 10),
      item('a', 2, 'cheap'),
      item('a', 1, 1),
    ]);
    await appendVisible(log(), 'order-c', [placed('c'), item('c', 1, 3)]);
    const rt = await start();
    const parked = await rt.listParked(name());
    const cheap = (await all()).find((e) => e.data.price === 'cheap')!;
    expect(parked.map((p) => [p.position, p.status])).toEqual([
      [cheap.position, 'parked'],
      [cheap.position + 1n, 'held'],
    ]);
    // Documents: 2 x 'cheap' is NaN, not an integer total; graphs: the price property is an integer.
    expect(parked[0]!.reason).toMatch(context.fixture().misfit);
    expect(await context.view()).toEqual(await expectedWithout(positionsOf(parked)));
  });

  itLight('parks an event whose keys cannot be computed, holding nothing', async () => {
    await appendVisible(log(), 'order-a', [
      placed('a'),
      { type: 'ItemAdded', data: { qty: 1, price: 1 } },
      item('a', 1, 2),
    ]);
    const rt = await start();
    const parked = await rt.listParked(name());
    const keyless = (await all()).find((e) => e.data.orderId === undefined)!;
    expect(parked.map((p) => [p.position, p.status, p.keys])).toEqual([[keyless.position, 'parked', []]]);
    expect(parked[0]!.reason).toMatch(/keys could not be computed: .*orderId is missing/);
    expect(await context.view()).toEqual(await expectedWithout([keyless.position]));
  });

  itLight('bisects a batch the store rejects and parks only the failing event', async () => {
    const duplicate = context.fixture().duplicate;
    // Only views with unique indexes make the store itself refuse a document the shape check let through.
    if (duplicate === undefined) return;
    // A UNIQUE index on customer_id: the second order of customer "c-o3" violates it in the store.
    const events: [string, EventToAppend[]][] = [];
    for (let i = 0; i < 20; i += 1) events.push([`order-o${i}`, [placed(`o${i}`), item(`o${i}`, 1, i + 1)]]);
    events.splice(7, 0, ['order-dup', [placed('dup', 'c-o3'), item('dup', 2, 2), shipped('dup')]]);
    for (const [stream, batch] of events) await appendVisible(log(), stream, batch);
    const faulty = new FaultyTarget(context.target());
    const rt = await start({ uniqueCustomer: true }, faulty);

    const parked = await rt.listParked(name());
    const placedDup = (await all()).find((e) => e.data.orderId === 'dup' && e.type === 'OrderPlaced')!;
    expect(parked.map((p) => [p.position, p.status])).toEqual([
      [placedDup.position, 'parked'],
      [placedDup.position + 1n, 'held'],
      [placedDup.position + 2n, 'held'],
    ]);
    expect(parked[0]!.reason).toMatch(duplicate);
    expect(await context.view()).toEqual(await expectedWithout(positionsOf(parked)));
    // The rejected batches were split: more commits than batches, none of them containing "dup".
    expect(faulty.commits.length).toBeGreaterThan(Math.ceil((await all()).length / 50));
  });

  itLight('releases held events orphaned by a crash in the middle of a release', async () => {
    const poison = await appendScenario();
    const options: FixtureOptions = { poison: (e) => (e.position === poison.position ? 'bad' : undefined) };
    let rt = await start(options);
    await context.stop(rt);
    // As if a discard committed the parked event's release and the process died before the held ones.
    const target = context.target();
    const view = (await target.listGenerations(name())).map((g) => ({
      projection: name(),
      generation: g.generation,
      shape: g.shape,
    }))[0]!;
    const checkpoint = (await target.readCheckpoint(view))!;
    await target.commit(view, {
      operations: [],
      checkpoint: { from: checkpoint, to: checkpoint },
      release: [poison.position],
    });
    rt = await start(options);
    await waitFor(async () => (await rt.listParked(name())).length === 0, 'the orphans to be released');
    expect(await context.view()).toEqual(await expectedWithout([poison.position]));
  });
});
