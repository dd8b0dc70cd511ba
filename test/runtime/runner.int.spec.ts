/**
 * The runner on every store (support/runtime-stores.ts): catch-up then live, batching, the checkpoint
 * compare-and-set, idempotent re-delivery, retries, stall reporting, pause/resume. Cases of the runner's
 * own logic (`itLight`) are skipped on heavy stores; the cases that reach into PostgreSQL itself, and
 * isolation between projections, run on PostgreSQL only (at the end).
 */
import type { EventStore } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { Target } from '../../src/stores/target.port';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { expectedOrderSummary, orderSummaryPlan, orderSummaryShape } from './fixtures/order-summary.fixture';
import {
  appendOrders,
  byKey,
  connectionReset,
  FaultyTarget,
  openTestLog,
  readAllEvents,
  TEST_RUNNER,
  waitFor,
} from './support/runtime-harness';
import { describeOnRuntimeStores } from './support/runtime-suite';

describeOnRuntimeStores('projection runner', (context) => {
  const { start, itLight } = context;
  const name = () => context.fixture().name;
  const log = () => context.log();
  const head = () => context.head();
  const expected = async () => context.fixture().expected(await readAllEvents(log()));

  it('catches up from the start, then follows the log live, in one commit per batch', async () => {
    const events = await appendOrders(log(), 60);
    const faulty = new FaultyTarget(context.target());
    const rt = await start({ target: faulty });
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(context.fixture().expected(events));
    // Batches of at most 50 events, or, for a store with larger catch-up batches (Neo4j), of up to
    // TEST_RUNNER's catch-up budget once a full batch was read: one load (where plans read state) and one
    // commit each.
    const catchUp = faulty.capabilities.catchUpBatchSize;
    const largest =
      catchUp === undefined ? 50 : Math.max(50, Math.min(catchUp, TEST_RUNNER.catchUpBatchEvents!));
    expect(faulty.commits.length).toBeLessThanOrEqual(Math.ceil(events.length / 50) + 2);
    expect(faulty.commits.length).toBeGreaterThanOrEqual(Math.ceil(events.length / largest));
    expect(faulty.loads).toBe(faulty.capabilities.readsState ? faulty.commits.length : 0);
    expect(faulty.commits.every((c) => c.batch.checkpoint.to > c.batch.checkpoint.from)).toBe(true);

    const more = await appendOrders(log(), 70); // orders 60..69 are new: the generator is deterministic
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(context.fixture().expected(more));
    const status = rt.status(name());
    expect(status.state).toBe('live');
    expect(status.live?.checkpoint).toBe(await head());
    expect(status.live?.behind).toBe(0n);
    expect(status.live?.eventsApplied).toBe(more.length);
  });

  itLight(
    'commits a lone live event within the batch latency instead of waiting for a full batch',
    async () => {
      const events = await appendOrders(log(), 1);
      const rt = await start({ runner: { batchSize: 10_000, maxBatchLatencyMs: 20 } });
      await rt.waitForCheckpoint(name(), await head(), 5_000);
      expect(await context.view()).toEqual(context.fixture().expected(events));
    },
  );

  itLight('applies events of one key in log order when orders interleave', async () => {
    const events = await appendOrders(log(), 40, { mode: 'interleaved' });
    const rt = await start();
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(context.fixture().expected(events));
  });

  it('re-delivering events that are already applied changes nothing', async () => {
    const events = await appendOrders(log(), 30);
    let rt = await start();
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(context.fixture().expected(events));
    await context.stop(rt);

    // A log that ignores `after` and re-delivers everything from the start, every time.
    const store = log();
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
    const faulty = new FaultyTarget(context.target());
    rt = await start({ log: redelivering, target: faulty });
    await appendOrders(store, 31);
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(await expected());
    // Only the new order's events were committed again.
    const committedPositions = faulty.commits.flatMap((c) => c.batch.operations.map((o) => o.position));
    expect(Math.min(...committedPositions.map(Number))).toBeGreaterThan(Number(events.at(-1)!.position));
  });

  itLight(
    'replaying a committed batch against the target is refused by the checkpoint compare-and-set',
    async () => {
      await appendOrders(log(), 10);
      const faulty = new FaultyTarget(context.target());
      const rt = await start({ target: faulty });
      await rt.waitForCheckpoint(name(), await head());
      const before = await context.view();
      const first = faulty.commits[0]!;
      const again = await context.target().commit(first.view, first.batch);
      expect(again).toEqual({ kind: 'checkpoint-mismatch', actual: await head() });
      expect(await context.view()).toEqual(before);
    },
  );

  it('two runtimes on the same view never apply an event twice (checkpoint compare-and-set)', async () => {
    const events = await appendOrders(log(), 80);
    const first = await start();
    const second = await start({ runner: { batchSize: 7 } });
    await Promise.all([
      first.waitForCheckpoint(name(), await head()),
      second.waitForCheckpoint(name(), await head()),
    ]);
    expect(await context.view()).toEqual(context.fixture().expected(events));
  });

  itLight('retries transient store errors with backoff and keeps its place', async () => {
    const events = await appendOrders(log(), 20);
    const faulty = new FaultyTarget(context.target());
    let failures = 0;
    faulty.beforeCommit = () => {
      if (failures < 4) {
        failures += 1;
        throw connectionReset();
      }
    };
    const rt = await start({ target: faulty });
    await rt.waitForCheckpoint(name(), await head());
    expect(failures).toBe(4);
    expect(await context.view()).toEqual(context.fixture().expected(events));
    expect(rt.status(name()).live?.lastError).toBeNull();
  });

  itLight('reports a projection stalled when it makes no progress while behind the head', async () => {
    await appendOrders(log(), 5);
    const faulty = new FaultyTarget(context.target());
    let healthy = false;
    faulty.beforeCommit = () => {
      if (!healthy) throw connectionReset();
    };
    const rt = await start({ target: faulty, runner: { stallAfterMs: 150 } });
    await waitFor(
      () => rt.status(name()).state === 'stalled' && rt.status(name()).live?.lastError != null,
      'the stalled state',
    );
    const stalled = rt.status(name()).live!;
    expect(stalled.lastError?.kind).toBe('transient');
    expect(stalled.lastError?.message).toMatch(/ECONNRESET/);
    expect(stalled.behind).toBeGreaterThan(0n);
    healthy = true;
    await rt.waitForCheckpoint(name(), await head());
    await waitFor(() => rt.status(name()).state === 'live', 'live again');
  });

  itLight('pauses and resumes, and the pause survives a restart', async () => {
    await appendOrders(log(), 5);
    let rt = await start();
    await rt.waitForCheckpoint(name(), await head());
    await rt.pause(name());
    const paused = rt.status(name()).live!.checkpoint;
    await appendOrders(log(), 8);
    const last = await head();
    await waitFor(() => rt.status(name()).live!.head === last, 'the new head');
    expect(rt.status(name()).state).toBe('paused');
    expect(rt.status(name()).live!.checkpoint).toBe(paused);

    await context.stop(rt);
    rt = await start();
    await waitFor(() => rt.status(name()).live?.head === last, 'the head after restart');
    expect(rt.status(name()).state).toBe('paused');
    expect(rt.status(name()).live!.checkpoint).toBe(paused);
    await rt.resume(name());
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(await expected());
  });

  itLight('answers a pause once the commit it found under way has landed, and moves no further', async () => {
    await appendOrders(log(), 20);
    const { faulty, commits, release } = holdCommit(context.target(), 2);
    const rt = await start({ target: faulty });
    await waitFor(() => commits() === 2, 'the second commit, held');
    let answered = false;
    const pause = rt.pause(name()).then(() => (answered = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The pause does not answer while the second batch is still being committed...
      expect(answered).toBe(false);
    } finally {
      release();
    }
    await pause;
    // ...and once it has, what it committed is stored (a pipelined store may have started one more batch
    // before the loop saw the pause; the pause waits for that too), and nothing moves any more.
    const landed = faulty.commits.length;
    const last = faulty.commits[landed - 1]!;
    const paused = await faulty.readCheckpoint(last.view);
    expect(paused).toBe(last.batch.checkpoint.to);
    await appendOrders(log(), 30);
    const newHead = await head();
    await waitFor(() => rt.status(name()).live!.head === newHead, 'the new head');
    expect(await faulty.readCheckpoint(last.view)).toBe(paused);
    expect(faulty.commits.length).toBe(landed);
    await rt.resume(name());
    await rt.waitForCheckpoint(name(), newHead);
    expect(await context.view()).toEqual(await expected());
  });

  itLight('answers a pause after pauseSettleMs when the commit under way does not finish', async () => {
    await appendOrders(log(), 20);
    const { faulty, commits, release } = holdCommit(context.target(), 2);
    const rt = await start({ target: faulty, runner: { pauseSettleMs: 300 } });
    try {
      await waitFor(() => commits() === 2, 'the second commit, held');
      const started = Date.now();
      await rt.pause(name());
      // Answered while the store still holds the commit: a slow store does not hold the admin API.
      expect(faulty.commits.length).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(rt.status(name()).state).toBe('paused');
    } finally {
      release();
    }
    await rt.resume(name());
    await rt.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(await expected());
  });

  itLight('reports lag and progress while catching up', async () => {
    await appendOrders(log(), 50);
    const { faulty, commits, release } = holdCommit(context.target(), 3);
    const rt = await start({ target: faulty });
    const last = await head();
    try {
      await waitFor(() => commits() === 3 && rt.status(name()).live!.head === last, 'the third batch');
      const status = rt.status(name());
      expect(status.state).toBe('catching-up');
      expect(status.live!.checkpoint).toBe(100n);
      expect(status.live!.behind).toBe(last - 100n);
      expect(status.live!.progress).toBeCloseTo(100 / Number(last), 5);
      expect(status.live!.lagSeconds).not.toBe(0);
    } finally {
      release();
    }
    await rt.waitForCheckpoint(name(), await head());
    expect(rt.status(name()).live!.etaSeconds).toBe(0);
  });
});

/** Isolation between projections, shown by breaking one projection's table behind the runner's back. */
describeWithStores(['postgres'], 'projection runner, PostgreSQL specifics', (urls) => {
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
});

/** The target with its `n`-th commit held until `release()`; `commits()` counts the commits begun. */
function holdCommit(
  target: Target,
  n: number,
): { faulty: FaultyTarget; commits: () => number; release: () => void } {
  const faulty = new FaultyTarget(target);
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let commits = 0;
  faulty.beforeCommit = async () => {
    commits += 1;
    if (commits === n) await released;
  };
  return { faulty, commits: () => commits, release };
}
