import {
  orderSummaryPlan,
  type OrderSummaryOptions,
} from '../../../test/runtime/fixtures/order-summary.fixture';
import { orderEvents, runnerParts } from '../../../test/runtime/support/runner-parts';

function setUp(options: OrderSummaryOptions = {}, transactional = true) {
  const parts = runnerParts(orderSummaryPlan(options), {}, { transactional, readsState: true });
  /** Commits wait here until released, so a test can fold the next batch while one is in flight. */
  const held: (() => void)[] = [];
  parts.target.gate = () => new Promise<void>((resolve) => held.push(resolve));
  const releaseCommits = () => {
    parts.target.gate = () => Promise.resolve();
    for (const release of held.splice(0)) release();
  };
  return { ...parts, events: orderEvents(), releaseCommits };
}

describe('batch pipeline', () => {
  it('folds the next batch while the previous one commits, from what that batch left', async () => {
    const { pipeline, target, status, events, releaseCommits } = setUp();
    await pipeline.process([events.placed('a'), events.item('a', 1)]);
    // The first commit is in flight, not stored: the second batch must see its documents all the same.
    expect(target.documents.size).toBe(0);
    const second = pipeline.process([events.item('a', 2), events.shipped('a')]);
    releaseCommits();
    await second;
    await pipeline.drain();

    expect(target.documentsByKey().a).toMatchObject({ item_count: 3, total: 30, status: 'shipped' });
    expect(target.commits.map((c) => [c.batch.checkpoint.from, c.batch.checkpoint.to, c.outcome])).toEqual([
      [0n, 2n, 'committed'],
      [2n, 4n, 'committed'],
    ]);
    // Only the first batch loaded from the store; the second read what the first left in the pipeline.
    expect(target.loads).toEqual([['a']]);
    expect(status.checkpoint).toBe(4n);
  });

  it('when the store refuses the commit in flight, bisects it and folds the next batch again from the stored state', async () => {
    const { pipeline, target, events, releaseCommits } = setUp({ onPoison: 'skip' });
    // The store refuses a total of exactly 999 (a check the fold cannot see).
    target.reject = (batch) =>
      batch.operations.some((op) => op.kind === 'put' && op.document.total === 999)
        ? 'total refused'
        : undefined;
    await pipeline.process([events.placed('a'), events.item('a', 1, 999)]);
    // Folded while the first commit is in flight, over the total of 999 that commit will not store.
    const second = pipeline.process([events.item('a', 1, 1)]);
    releaseCommits();
    await second;
    await pipeline.drain();

    // Folded again from what was stored (total 0), not from the refused batch (which would give 1000).
    expect(target.documentsByKey().a).toMatchObject({ item_count: 1, total: 1 });
    expect([...target.parked.values()].map((r) => [r.position, r.reason])).toEqual([[2n, 'total refused']]);
    expect(target.commits.map((c) => [c.batch.checkpoint.from, c.batch.checkpoint.to, c.outcome])).toEqual([
      [0n, 2n, 'rejected'],
      [0n, 2n, 'rejected'],
      [0n, 1n, 'committed'],
      [1n, 2n, 'rejected'],
      [1n, 2n, 'committed'],
      [2n, 3n, 'committed'],
    ]);
  });

  it('a commit that fails while nobody waits wakes the loop, which finds it failed', async () => {
    const { pipeline, target, events, interrupts } = setUp();
    target.gate = () => Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await pipeline.process([events.placed('a')]);
    await new Promise((resolve) => setImmediate(resolve));

    expect(interrupts.count).toBe(1);
    expect(pipeline.commitFailed).toBe(true);
    await expect(pipeline.settle()).rejects.toThrow('ECONNRESET');
    expect(pipeline.commitFailed).toBe(false);
  });

  it('without transactions, commits one batch at a time and skips events at or below the checkpoint', async () => {
    const { pipeline, target, events } = setUp({}, false);
    target.gate = () => Promise.resolve();
    const first = [events.placed('a'), events.item('a', 1)];
    await pipeline.process(first);
    expect(target.checkpoint).toBe(2n);
    // Re-delivered after a restart: the stored part is not applied twice.
    await pipeline.process([...first, events.item('a', 2)]);

    expect(target.documentsByKey().a).toMatchObject({ item_count: 3 });
    expect(target.commits.map((c) => [c.batch.checkpoint.from, c.batch.checkpoint.to])).toEqual([
      [0n, 2n],
      [2n, 3n],
    ]);
  });
});
