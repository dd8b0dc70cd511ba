import { AdminRequestQueue } from './admin-request-queue';

function setUp(isRunning = true) {
  const loop = { isRunning, interrupts: 0, interrupt: () => (loop.interrupts += 1) };
  return { loop, queue: new AdminRequestQueue(() => loop) };
}

describe('admin request queue', () => {
  it('holds requests until the loop runs them between batches, in arrival order, waking the loop for each', async () => {
    const { loop, queue } = setUp();
    const ran: string[] = [];
    const request = (name: string) => async () => {
      ran.push(name);
      return name;
    };
    const first = queue.enqueue(request('first'));
    const second = queue.enqueue(async () => {
      ran.push('second');
      // A request queued while the queue runs (a replay asked for during a replay) runs in the same turn, last.
      void queue.enqueue(request('queued meanwhile'));
      return 'second';
    });
    await Promise.resolve();

    expect(ran).toEqual([]);
    expect(queue.pending).toBe(true);
    expect(loop.interrupts).toBe(2);
    await queue.runAll();
    expect(ran).toEqual(['first', 'second', 'queued meanwhile']);
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
    expect(queue.pending).toBe(false);
  });

  it('a failing request fails alone; the ones behind it still run', async () => {
    const { queue } = setUp();
    const failing = queue.enqueue(() => Promise.reject(new Error('no parked event')));
    const next = queue.enqueue(() => Promise.resolve('ran'));
    await queue.runAll();

    await expect(failing).rejects.toThrow('no parked event');
    await expect(next).resolves.toBe('ran');
  });

  it('runs a request at once when the loop is not running (nothing to race with)', async () => {
    const { loop, queue } = setUp(false);
    await expect(queue.enqueue(() => Promise.resolve('direct'))).resolves.toBe('direct');
    expect(loop.interrupts).toBe(0);
    expect(queue.pending).toBe(false);
  });

  it('fails the requests still waiting when the loop ends, rather than leave them hanging', async () => {
    const { queue } = setUp();
    const waiting = [queue.enqueue(() => Promise.resolve(1)), queue.enqueue(() => Promise.resolve(2))];
    queue.rejectAll(() => new Error('runner stopped'));

    for (const request of waiting) await expect(request).rejects.toThrow('runner stopped');
    expect(queue.pending).toBe(false);
  });
});
