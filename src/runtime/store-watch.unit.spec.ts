import { StoreWatch } from './store-watch';

// Kinds as the stores name themselves; the watch only repeats them.
const kinds = { 'event-store': 'some-log', 'view-store': 'some-view-store' } as const;

describe('StoreWatch', () => {
  it('blames a failure on the store whose call raised it, from the start of that call', async () => {
    const watch = new StoreWatch(kinds);
    const target = watch.watch('view-store', {
      commit: () => Promise.reject(new Error('connect ECONNREFUSED')),
      classify: () => 'sync result',
    });
    expect(target.classify()).toBe('sync result');
    const error = await target.commit().catch((e: unknown) => e);
    expect(watch.failed(error, 'event-store')).toBe('view-store');
    expect(watch.stall(60_000)).toBeUndefined();
    expect(watch.stall(0)).toMatchObject({
      store: 'view-store',
      kind: 'some-view-store',
      lastError: 'connect ECONNREFUSED',
    });
  });

  it('an error no watched call raised is blamed on the fallback store', () => {
    const watch = new StoreWatch(kinds);
    expect(watch.failed(new Error('subscription ended'), 'event-store')).toBe('event-store');
    expect(watch.stall(0)).toMatchObject({ store: 'event-store', kind: 'some-log' });
  });

  it('a call that never answers is a stall once it waited the bound, and ends when it answers', async () => {
    const watch = new StoreWatch(kinds);
    let answer!: (value: number) => void;
    const store = watch.watch('event-store', { head: () => new Promise<number>((r) => (answer = r)) });
    const pending = store.head();
    const start = Date.now();
    expect(watch.isPending('event-store')).toBe(true);
    expect(watch.stall(1000, start + 500)).toBeUndefined();
    expect(watch.stall(1000, start + 5000)).toMatchObject({
      store: 'event-store',
      lastError: expect.stringMatching(/^no answer from the some-log event store for \d+ s$/) as unknown,
    });
    answer(7);
    expect(await pending).toBe(7);
    expect(watch.stall(0)).toBeUndefined();
  });

  it('a successful call of the same store ends its outage; the event store is named first', async () => {
    const watch = new StoreWatch(kinds);
    watch.failed(new Error('view down'), 'view-store');
    watch.failed(new Error('log down'), 'event-store');
    expect(watch.stall(0)?.store).toBe('event-store');
    const log = watch.watch('event-store', { head: () => Promise.resolve(1) });
    await log.head();
    expect(watch.stall(0)).toMatchObject({ store: 'view-store', lastError: 'view down' });
    const view = watch.watch('view-store', { load: () => Promise.resolve([]) });
    await view.load();
    expect(watch.stall(0)).toBeUndefined();
  });
});
