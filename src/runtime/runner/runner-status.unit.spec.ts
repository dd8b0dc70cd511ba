import { orderSummaryPlan } from '../../../test/runtime/fixtures/order-summary.fixture';
import { orderEvents, runnerParts } from '../../../test/runtime/support/runner-parts';
import { CheckpointTimeoutError } from '../runtime.errors';
import type { RunnerActivity } from './runner-status';

const running: RunnerActivity = { lifecycle: 'running', paused: false, role: 'live' };

function setUp() {
  return { ...runnerParts(orderSummaryPlan(), { stallAfterMs: 30_000 }), events: orderEvents() };
}

describe('runner status', () => {
  it('reports progress as unknown (0) until the head was read, then by position', () => {
    const { status } = setUp();
    expect(status.report({ ...running, lifecycle: 'starting' })).toMatchObject({
      state: 'starting',
      progress: 0,
    });

    status.headRead(0n);
    expect(status.report(running)).toMatchObject({ state: 'live', progress: 1, behind: 0n });
    status.headRead(10n);
    expect(status.report(running)).toMatchObject({ state: 'catching-up', progress: 0, behind: 10n });
    expect(status.report({ ...running, role: 'rebuild' }).state).toBe('rebuilding');
  });

  it('moves with commits: checkpoint, counts of parked and held events, waits for a checkpoint', async () => {
    const { status, events } = setUp();
    status.headRead(4n);
    const waited = status.waitForCheckpoint(3n, 5_000);
    const batch = [events.placed('a'), events.placed('b'), events.item('a', 1)];

    status.committed(3n, batch, 1, 2);

    await expect(waited).resolves.toBeUndefined();
    expect(status.report(running)).toMatchObject({
      checkpoint: 3n,
      behind: 1n,
      parked: 1,
      held: 2,
      eventsApplied: 3,
    });
    await expect(status.waitForCheckpoint(4n, 10)).rejects.toBeInstanceOf(CheckpointTimeoutError);
  });

  it('a commit clears the failures counted before it', () => {
    const { status, events } = setUp();
    status.attempts = 3;
    status.lastError = {
      message: 'down',
      kind: 'transient',
      attempts: 3,
      at: new Date(),
      store: 'view-store',
    };
    status.committed(1n, [events.placed('a')], 0, 0);
    expect(status.attempts).toBe(0);
    expect(status.report(running).lastError).toBeNull();
  });

  it('is stalled, blaming the event store, when behind and nothing arrived for the stall bound', () => {
    const { status } = setUp();
    status.headRead(10n);
    const later = Date.now() + 31_000;

    expect(status.report(running, Date.now()).state).toBe('catching-up');
    expect(status.report(running, later)).toMatchObject({
      state: 'stalled',
      stall: {
        store: 'event-store',
        lastError: expect.stringMatching(/^no events received for 31 s while 10 positions behind$/),
      },
    });
    // Paused or failed, a runner is not stalled: it is not trying.
    expect(status.report({ ...running, paused: true }, later)).toMatchObject({
      state: 'paused',
      stall: null,
    });
    expect(status.report({ ...running, lifecycle: 'failed' }, later)).toMatchObject({
      state: 'failed',
      stall: null,
    });
  });

  it('caught up, a quiet log is not a stall', () => {
    const { status } = setUp();
    status.headRead(0n);
    expect(status.report(running, Date.now() + 60_000)).toMatchObject({ state: 'live', stall: null });
  });
});
