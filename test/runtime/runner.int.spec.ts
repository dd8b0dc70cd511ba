/**
 * The runner on the real PostgreSQL target: catch-up then live, batching, the checkpoint compare-and-set,
 * idempotent re-delivery, retries, stall reporting, pause/resume, and isolation between projections.
 */
import type { EventStore, StoredEvent } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { expectedOrderSummary, orderSummaryPlan, orderSummaryShape } from './fixtures/order-summary.fixture';
import {
  appendOrders,
  byKey,
  connectionReset,
  FaultyTarget,
  readAllEvents,
  TEST_RUNNER,
  waitFor,
  openTestLog,
} from './support/runtime-harness';

describeWithStores(['postgres'], 'projection runner on PostgreSQL', (urls) => {
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
      schema: `runner_${schema}`,
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

  const startRuntime = async (
    options: {
      store?: EventStore;
      target?: FaultyTarget | RelationalTarget;
      plans?: Parameters<ProjectionRuntime['start']>[0];
      runner?: object;
    } = {},
  ) => {
    runtime = new ProjectionRuntime({
      store: options.store ?? store,
      targets: { postgres: options.target ?? target },
      runner: { ...TEST_RUNNER, ...options.runner },
      logger: silentLogger,
    });
    await runtime.start(options.plans ?? [orderSummaryPlan()]);
    return runtime;
  };
  const head = async (): Promise<bigint> => store.headPosition();
  const view = () => target.readActive(orderSummaryShape());

  it('catches up from the start, then follows the log live, in one commit per batch', async () => {
    const events = await appendOrders(store, 60);
    const faulty = new FaultyTarget(target);
    const rt = await startRuntime({ target: faulty });
    await rt.waitForCheckpoint('order_summary', await head());
    expect(byKey(await view())).toEqual(expectedOrderSummary(events));
    // Batches of at most 50 events: one load and one commit each, never one per event.
    expect(faulty.commits.length).toBeLessThanOrEqual(Math.ceil(events.length / 50) + 2);
    expect(faulty.commits.length).toBeGreaterThanOrEqual(Math.ceil(events.length / 50));
    expect(faulty.loads).toBe(faulty.commits.length);
    expect(faulty.commits.every((c) => c.batch.checkpoint.to > c.batch.checkpoint.from)).toBe(true);

    const more = await appendOrders(store, 70); // orders 60..69 are new: the generator is deterministic
    await rt.waitForCheckpoint('order_summary', await head());
    expect(byKey(await view())).toEqual(expectedOrderSummary(more));
    const status = rt.status('order_summary');
    expect(status.state).toBe('live');
    expect(status.live?.checkpoint).toBe(await head());
    expect(status.live?.behind).toBe(0n);
    expect(status.live?.lagSeconds).toBe(0);
    expect(status.live?.eventsApplied).toBe(more.length);
  });

  it('commits a lone live event within the batch latency instead of waiting for a full batch', async () => {
    await appendOrders(store, 1);
    const rt = await startRuntime({ runner: { batchSize: 10_000, maxBatchLatencyMs: 20 } });
    await rt.waitForCheckpoint('order_summary', await head(), 5_000);
    expect((await view()).length).toBe(1);
  });

  it('applies events of one key in log order when orders interleave', async () => {
    const events = await appendOrders(store, 40, { mode: 'interleaved' });
    const rt = await startRuntime();
    await rt.waitForCheckpoint('order_summary', await head());
    expect(byKey(await view())).toEqual(expectedOrderSummary(events));
  });

  it('re-delivering events that are already applied changes nothing', async () => {
    const events = await appendOrders(store, 30);
    let rt = await startRuntime();
    await rt.waitForCheckpoint('order_summary', await head());
    const before = byKey(await view());
    await rt.stop();

    // A log that ignores `after` and re-delivers everything from the start, every time.
    const redelivering: EventStore = {
      ...store,
      kind: 'redelivering',
      append: store.append.bind(store),
      readStream: store.readStream.bind(store),
      readAll: store.readAll.bind(store),
      headPosition: store.headPosition.bind(store),
      close: store.close.bind(store),
      subscribeToAll: (options) => store.subscribeToAll({ ...options, after: undefined }),
    };
    const faulty = new FaultyTarget(target);
    rt = await startRuntime({ store: redelivering, target: faulty });
    await appendOrders(store, 31);
    await rt.waitForCheckpoint('order_summary', await head());
    const after = byKey(await view());
    expect(after.slice(0, -1).length).toBe(before.length);
    expect(after).toEqual(expectedOrderSummary(await readAllEvents(store)));
    expect(before).toEqual(expectedOrderSummary(events));
    // Only the new order's events were committed again.
    const committedPositions = faulty.commits.flatMap((c) => c.batch.operations.map((o) => o.position));
    expect(Math.min(...committedPositions.map(Number))).toBeGreaterThan(
      Number(events[events.length - 1]!.position),
    );
  });

  it('replaying a committed batch against the target is refused by the checkpoint compare-and-set', async () => {
    await appendOrders(store, 10);
    const faulty = new FaultyTarget(target);
    const rt = await startRuntime({ target: faulty });
    await rt.waitForCheckpoint('order_summary', await head());
    const before = byKey(await view());
    const first = faulty.commits[0]!;
    const again = await target.commit(first.view, first.batch);
    expect(again).toEqual({ kind: 'checkpoint-mismatch', actual: await head() });
    expect(byKey(await view())).toEqual(before);
  });

  it('two runtimes on the same view never apply an event twice (checkpoint compare-and-set)', async () => {
    const events = await appendOrders(store, 80);
    await startRuntime();
    const second = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      runner: { ...TEST_RUNNER, batchSize: 7 },
      logger: silentLogger,
    });
    try {
      await second.start([orderSummaryPlan()]);
      await Promise.all([
        runtime!.waitForCheckpoint('order_summary', await head()),
        second.waitForCheckpoint('order_summary', await head()),
      ]);
    } finally {
      await second.stop();
    }
    expect(byKey(await view())).toEqual(expectedOrderSummary(events));
  });

  it('retries transient store errors with backoff and keeps its place', async () => {
    const events = await appendOrders(store, 20);
    const faulty = new FaultyTarget(target);
    let failures = 0;
    faulty.beforeCommit = () => {
      if (failures < 4) {
        failures += 1;
        throw connectionReset();
      }
    };
    const rt = await startRuntime({ target: faulty });
    await rt.waitForCheckpoint('order_summary', await head());
    expect(failures).toBe(4);
    expect(byKey(await view())).toEqual(expectedOrderSummary(events));
    expect(rt.status('order_summary').live?.lastError).toBeNull();
  });

  it('reports a projection stalled when it makes no progress while behind the head', async () => {
    await appendOrders(store, 5);
    const faulty = new FaultyTarget(target);
    let healthy = false;
    faulty.beforeCommit = () => {
      if (!healthy) throw connectionReset();
    };
    const rt = await startRuntime({ target: faulty, runner: { stallAfterMs: 150 } });
    await waitFor(() => rt.status('order_summary').state === 'stalled', 'the stalled state');
    const stalled = rt.status('order_summary').live!;
    expect(stalled.lastError?.kind).toBe('transient');
    expect(stalled.lastError?.message).toMatch(/ECONNRESET/);
    expect(stalled.behind).toBeGreaterThan(0n);
    healthy = true;
    await rt.waitForCheckpoint('order_summary', await head());
    await waitFor(() => rt.status('order_summary').state === 'live', 'live again');
  });

  it('pauses and resumes, and the pause survives a restart', async () => {
    await appendOrders(store, 5);
    let rt = await startRuntime();
    await rt.waitForCheckpoint('order_summary', await head());
    await rt.pause('order_summary');
    const paused = rt.status('order_summary').live!.checkpoint;
    await appendOrders(store, 8);
    const last = await head();
    await waitFor(() => rt.status('order_summary').live!.head === last, 'the new head');
    expect(rt.status('order_summary').state).toBe('paused');
    expect(rt.status('order_summary').live!.checkpoint).toBe(paused);

    await rt.stop();
    rt = await startRuntime();
    await waitFor(() => rt.status('order_summary').live?.head === last, 'the head after restart');
    expect(rt.status('order_summary').state).toBe('paused');
    expect(rt.status('order_summary').live!.checkpoint).toBe(paused);
    await rt.resume('order_summary');
    await rt.waitForCheckpoint('order_summary', await head());
    expect(byKey(await view())).toEqual(expectedOrderSummary(await readAllEvents(store)));
  });

  it('a projection that fails never stops the others', async () => {
    const events = await appendOrders(store, 10);
    const broken = orderSummaryPlan({ name: 'broken_summary', table: 'broken_summary' });
    const rt = await startRuntime({ plans: [orderSummaryPlan(), broken] });
    await rt.waitForCheckpoint('broken_summary', await head());
    // Someone drops the broken projection's table: every batch now fails with an unknown error.
    await target.dataSource.query(
      `DROP VIEW runner_${schema}.broken_summary; DROP TABLE runner_${schema}.broken_summary__g1`,
    );
    const more = await appendOrders(store, 20);
    await waitFor(() => rt.status('broken_summary').state === 'failed', 'broken_summary to fail');
    await rt.waitForCheckpoint('order_summary', await head());
    expect(byKey(await view())).toEqual(expectedOrderSummary(more));
    expect(rt.status('order_summary').state).toBe('live');
    expect(rt.status('broken_summary').live?.lastError?.message).toMatch(/broken_summary__g1/);
    expect(events.length).toBeLessThan(more.length);
  });

  it('a projection whose target kind is not configured fails alone', async () => {
    await appendOrders(store, 3);
    const elastic = {
      ...orderSummaryPlan({ name: 'search_orders' }),
      target: { kind: 'elasticsearch' as const, index: 'orders', id: 'order_id', fields: {} },
    };
    const rt = await startRuntime({ plans: [orderSummaryPlan(), elastic] });
    await rt.waitForCheckpoint('order_summary', await head());
    expect(rt.status('search_orders').state).toBe('failed');
    expect(rt.status('search_orders').notes.join()).toMatch(/no elasticsearch target configured/);
  });

  it('reports lag and progress while catching up', async () => {
    await appendOrders(store, 50);
    const faulty = new FaultyTarget(target);
    let gate: () => void = () => {};
    const opened = new Promise<void>((resolve) => (gate = resolve));
    let commits = 0;
    faulty.beforeCommit = async () => {
      commits += 1;
      if (commits === 3) await opened;
    };
    const rt = await startRuntime({ target: faulty });
    const last = await head();
    await waitFor(() => commits === 3 && rt.status('order_summary').live!.head === last, 'the third batch');
    const status = rt.status('order_summary');
    expect(status.state).toBe('catching-up');
    expect(status.live!.checkpoint).toBe(100n);
    expect(status.live!.behind).toBe(last - 100n);
    expect(status.live!.progress).toBeCloseTo(100 / Number(last), 5);
    expect(status.live!.lagSeconds).not.toBe(0);
    gate();
    await rt.waitForCheckpoint('order_summary', await head());
    expect(rt.status('order_summary').live!.etaSeconds).toBe(0);
  });
});

export type { StoredEvent };
