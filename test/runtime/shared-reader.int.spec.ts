/**
 * Issue #17: one shared reader of the log for the runners of a node, on PostgreSQL (log and views). Five
 * projections read the same log through it; one commits slowly (held at a gate), one is paused, one fails.
 * The others must reach the head meanwhile; once the slow one is let go, the paused one resumed and the
 * failed one's store fixed, every view must equal the one computed straight from the log. A small window
 * makes the laggards fall out of it (or leave it, failing) and read on their own, then rejoin. And at start, a runner whose store
 * takes a while to prepare (an Elasticsearch or Neo4j target beside PostgreSQL ones) still finds the log's
 * start in the window: the reader holds it until every runner subscribed.
 */
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import type { EventLog, EventStore } from '../../src/eventstore/event-store.port';
import { interceptedLog } from '../support/intercepted-log';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { expectedOrderSummary, orderSummaryPlan } from './fixtures/order-summary.fixture';
import {
  appendOrders,
  byKey,
  FaultyTarget,
  openTestLog,
  TEST_RUNNER,
  waitFor,
} from './support/runtime-harness';
import { readView } from './support/runtime-stores';

const NAMES = ['fast_a', 'fast_b', 'slow', 'paused', 'failing'] as const;

describeWithStores(['postgres'], 'shared log reader (issue #17)', ({ postgres }) => {
  const database = useTestDatabase(() => postgres);
  let log: EventStore;
  let target: RelationalTarget;
  let runtime: ProjectionRuntime | undefined;
  let openGate: () => void = () => {};

  beforeAll(async () => {
    log = await openTestLog(database.url, 'log');
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'views' });
    await target.initialize();
  });

  afterAll(async () => {
    openGate();
    await runtime?.stop();
    await target?.close();
    await log?.close();
  });

  /** A small window, so laggards fall out of it. */
  const sharedRuntime = (store: EventLog, views: FaultyTarget) =>
    new ProjectionRuntime({
      store,
      targets: { postgres: views },
      runner: TEST_RUNNER,
      logger: silentLogger,
      sharedReader: { window: 120 },
    });

  const rows = async (name: string) =>
    byKey(Object.values(await readView(target, name)) as never[]).map((row) => ({ ...row }));

  it('a slow, a paused and a failing projection do not hold the others back; every view ends exact', async () => {
    await appendOrders(log, 120);
    let events;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let failing = true;
    let slowCommits = 0;
    const faulty = new FaultyTarget(target);
    faulty.beforeCommit = async (view) => {
      if (view.projection === 'slow' && ++slowCommits > 1) await gate;
      if (view.projection === 'failing' && failing) throw new Error('disk full (injected)');
    };
    runtime = sharedRuntime(log, faulty);
    await runtime.start(NAMES.map((name) => orderSummaryPlan({ name, table: name })));
    await runtime.pause('paused');

    let head = await log.headPosition();
    await runtime.waitForCheckpoint('fast_a', head, 30_000);
    await runtime.waitForCheckpoint('fast_b', head, 30_000);
    await waitFor(() => runtime!.status('failing').state === 'failed', 'failing to fail');
    expect(runtime.status('slow').live!.checkpoint).toBeLessThan(head);
    expect(runtime.status('paused').state).toBe('paused');
    // (Whether the laggards were let go or left by themselves depends on timing: the failing runner's
    // subscriptions end with each failure. What counts is that the others reached the head.)

    // Live traffic while the laggards are still behind.
    events = await appendOrders(log, 160, { mode: 'interleaved' });
    head = await log.headPosition();
    await runtime.waitForCheckpoint('fast_a', head, 30_000);
    await runtime.waitForCheckpoint('fast_b', head, 30_000);

    openGate();
    await runtime.resume('paused');
    failing = false;
    await runtime.resume('failing');
    for (const name of NAMES) await runtime.waitForCheckpoint(name, head, 60_000);
    const expected = byKey(expectedOrderSummary(events));
    for (const name of NAMES) expect(await rows(name)).toEqual(expected);

    // After catching up, everyone reads through the shared window again.
    events = await appendOrders(log, 180, { mode: 'interleaved' });
    head = await log.headPosition();
    for (const name of NAMES) await runtime.waitForCheckpoint(name, head, 30_000);
    const later = byKey(expectedOrderSummary(events));
    for (const name of NAMES) expect(await rows(name)).toEqual(later);
    // Runners rejoin the window as they reach it: on a loaded machine one may still be on its own read.
    await waitFor(
      () => runtime!.sharedReaderStats!.attached === NAMES.length,
      'every runner reading through the shared window again',
    );
  }, 120_000);

  it('holds the window at start for a runner whose store prepares slowly: it reads the log start from the window', async () => {
    openGate(); // the first case's slow projection, should that case have stopped before opening it
    await runtime?.stop();
    runtime = undefined;
    await appendOrders(log, 60);
    const events = await log.readAll({ maxCount: 1_000_000 });
    /** Where each subscription on the log itself starts (undefined: at the log's start). */
    const opened: (bigint | undefined)[] = [];
    const counted = interceptedLog(log, (options) => {
      opened.push(options?.after);
      return log.subscribeToAll(options);
    });
    const faulty = new FaultyTarget(target);
    faulty.beforePrepare = async (spec) => {
      if (spec.projection === 'late_store') await new Promise((resolve) => setTimeout(resolve, 1_500));
    };
    runtime = sharedRuntime(counted, faulty);
    const names = ['early_store', 'late_store'];
    await runtime.start(names.map((name) => orderSummaryPlan({ name, table: name })));
    const head = await log.headPosition();
    for (const name of names) await runtime.waitForCheckpoint(name, head, 60_000);
    // The log was read from its start once, by the reader: the late runner did not start a read of its own.
    expect(opened.filter((after) => after === undefined)).toHaveLength(1);
    expect(runtime.sharedReaderStats!.attaches).toBeGreaterThanOrEqual(2);
    expect(events.length).toBeGreaterThan(120 * 3);
    const expected = byKey(expectedOrderSummary(events));
    for (const name of names) expect(await rows(name)).toEqual(expected);
  }, 120_000);
});
