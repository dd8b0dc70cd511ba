import { InProcessOperationLock } from './operation-lock';

describe('InProcessOperationLock', () => {
  it('runs the operations on one projection one at a time, in arrival order', async () => {
    const lock = new InProcessOperationLock();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = lock.run('p', async () => {
      log.push('first start');
      await gate;
      log.push('first end');
    });
    const second = lock.run('p', async () => {
      log.push('second');
      return 2;
    });
    const other = lock.run('q', async () => {
      log.push('other projection');
    });
    await other;
    expect(log).toEqual(['first start', 'other projection']);
    release();
    await first;
    expect(await second).toBe(2);
    expect(log).toEqual(['first start', 'other projection', 'first end', 'second']);
  });

  it('a failed operation rejects its caller and does not block the next one', async () => {
    const lock = new InProcessOperationLock();
    await expect(lock.run('p', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('p', () => Promise.resolve('ok'))).resolves.toBe('ok');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lock.busy).toEqual([]);
  });
});
