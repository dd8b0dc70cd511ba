/**
 * The runner's parts composed, over the in-memory log and a transactional store in memory: the loop,
 * the pipeline, poison isolation and the admin request queue working together (the real stores run the
 * same through test/runtime/).
 */
import { orderSummaryPlan } from '../../test/runtime/fixtures/order-summary.fixture';
import { InMemoryEventStore } from '../../test/runtime/support/in-memory-event-store';
import { InMemoryTarget } from '../../test/runtime/support/in-memory-target';
import { ProjectionRunner } from './projection-runner';
import { ParkedEventNotFoundError, RunnerNotRunningError } from './runtime.errors';
import { silentLogger } from './runtime.logger';
import { runnerOptions } from './runtime.options';
import type { StoreCapabilities } from '../stores/store-capabilities';

const plan = orderSummaryPlan();

function setUp(capabilities?: StoreCapabilities) {
  const store = new InMemoryEventStore();
  const target = new InMemoryTarget(plan.target.kind, capabilities);
  const runner = new ProjectionRunner({
    store,
    target,
    plan,
    view: { projection: plan.name, generation: 1, shape: plan.target },
    fingerprint: plan.fingerprint,
    role: 'live',
    options: runnerOptions({
      batchSize: 50,
      maxBatchLatencyMs: 5,
      headPollMs: 20,
      backoff: { initialMs: 1, maxMs: 5 },
    }),
    logger: silentLogger,
  });
  return { store, target, runner };
}

const placed = (orderId: string, customerId = `c-${orderId}`) => ({
  type: 'OrderPlaced',
  data: { orderId, customerId },
});
const item = (orderId: string, qty: number) => ({
  type: 'ItemAdded',
  data: { orderId, productId: 'p', qty, price: 10 },
});

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('ProjectionRunner', () => {
  let runner: ProjectionRunner | undefined;
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });

  it('parks what the store refuses, holds its key, and releases it on replay', async () => {
    const built = setUp();
    runner = built.runner;
    const { store, target } = built;
    target.reject = (batch) =>
      batch.operations.some((op) => op.kind === 'put' && op.document.customer_id === 'taken')
        ? 'taken'
        : undefined;
    await store.append('order-a', [placed('a', 'taken'), item('a', 2)], 'any');
    await store.append('order-b', [placed('b')], 'any');
    runner.start();
    await runner.waitForCheckpoint(3n, 5_000);

    expect(runner.status()).toMatchObject({ state: 'live', checkpoint: 3n, parked: 1, held: 1 });
    target.reject = () => undefined;
    await expect(runner.replay(1n)).resolves.toEqual({ kind: 'replayed', released: 1 });
    expect(target.documentsByKey().a).toMatchObject({ customer_id: 'taken', item_count: 2 });
    expect(runner.status()).toMatchObject({ parked: 0, held: 0 });
  });

  it("catches up in the store's larger batches, then commits live events in small ones", async () => {
    const built = setUp({ transactional: true, readsState: true, catchUpBatchSize: 200 });
    runner = built.runner;
    const { store, target } = built;
    for (let i = 0; i < 100; i += 1)
      await store.append(`order-${i}`, [placed(`${i}`), item(`${i}`, 1), item(`${i}`, 2)], 'any');
    runner.start();
    await runner.waitForCheckpoint(300n, 5_000);
    await store.append('order-live', [placed('live')], 'any');
    await runner.waitForCheckpoint(301n, 5_000);

    const sizes = target.commits.map(({ batch }) => Number(batch.checkpoint.to - batch.checkpoint.from));
    // the first read is a live-sized one (50); once it came back full, reads ask for 200
    expect(sizes[0]).toBe(50);
    expect(Math.max(...sizes)).toBeGreaterThan(50);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(301);
    expect(sizes.at(-1)).toBe(1);
  });

  it('runs an admin request only once the commit in flight is stored, never beside it', async () => {
    const built = setUp();
    runner = built.runner;
    const { store, target } = built;
    let release!: () => void;
    target.gate = () => new Promise<void>((resolve) => (release = resolve));
    await store.append('order-a', [placed('a')], 'any');
    runner.start();
    while (target.commits.length === 0) await new Promise((resolve) => setImmediate(resolve));

    const request = runner.discard(1n);
    expect(await settled(request)).toBe(false);
    target.gate = () => Promise.resolve();
    release();

    // Position 1 was applied, not parked: the request saw the stored commit.
    await expect(request).rejects.toBeInstanceOf(ParkedEventNotFoundError);
    expect(runner.position).toBe(1n);
  });

  it('fails requests still waiting when it stops, rather than leave them hanging', async () => {
    const built = setUp();
    runner = built.runner;
    const { store, target } = built;
    let release!: () => void;
    target.gate = () => new Promise<void>((resolve) => (release = resolve));
    await store.append('order-a', [placed('a')], 'any');
    runner.start();
    while (target.commits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const request = runner.replay(1n);
    const stopped = runner.stop();
    release();
    await stopped;

    await expect(request).rejects.toBeInstanceOf(RunnerNotRunningError);
    expect(runner.status().state).toBe('stopped');
  });
});
