import { ConsistencyTokenError } from './consistency.errors';
import { takeConsistencyToken } from './consistency-token';
import { RefreshCoalescer } from './refresh-coalescer';

describe('takeConsistencyToken', () => {
  it('takes after and wait off the parameters, defaulting the wait to 5 s under the cap', () => {
    expect(takeConsistencyToken({ after: '42', q: 'x' }, undefined, 10_000)).toEqual({
      token: { after: 42n, waitMs: 5_000 },
      parameters: { q: 'x' },
    });
    expect(takeConsistencyToken({ after: '42' }, undefined, 2_000).token?.waitMs).toBe(2_000);
    expect(takeConsistencyToken({ after: '42', wait: '60000' }, undefined, 10_000).token?.waitMs).toBe(
      10_000,
    );
    expect(takeConsistencyToken({ after: '42', wait: '250' }, undefined, 10_000).token?.waitMs).toBe(250);
  });

  it('reads the X-Prism-After header; no token means no wait', () => {
    expect(takeConsistencyToken({ status: 'a' }, '7', 10_000).token?.after).toBe(7n);
    expect(takeConsistencyToken({ status: 'a' }, undefined, 10_000)).toEqual({
      token: undefined,
      parameters: { status: 'a' },
    });
  });

  it.each([
    [{ after: 'abc' }, undefined, 'after'],
    [{ after: '-1' }, undefined, 'after'],
    [{ after: ['1', '2'] }, undefined, 'after'],
    [{ after: '1' }, '2', 'after'],
    [{ after: '1', wait: 'soon' }, undefined, 'wait'],
    [{ wait: '100' }, undefined, 'wait'],
  ])('rejects %j (header %s) naming %s', (query, header, field) => {
    let error: unknown;
    try {
      takeConsistencyToken(query, header, 10_000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConsistencyTokenError);
    expect((error as ConsistencyTokenError).field).toBe(field);
  });
});

describe('RefreshCoalescer', () => {
  /** A refresh that completes when the test says so. */
  function controlledRefresh() {
    const pending: (() => void)[] = [];
    return {
      run: () => new Promise<void>((resolve) => pending.push(resolve)),
      finish: async () => {
        pending.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      },
      get started() {
        return pending.length;
      },
    };
  }

  it('runs one refresh at a time; requests arriving during it share the next one', async () => {
    const refresh = controlledRefresh();
    const coalescer = new RefreshCoalescer(refresh.run);
    const done: string[] = [];
    void coalescer.request({ generation: 1, checkpoint: 5n }).then(() => done.push('a'));
    void coalescer.request({ generation: 1, checkpoint: 6n }).then(() => done.push('b'));
    void coalescer.request({ generation: 1, checkpoint: 7n }).then(() => done.push('c'));
    expect(coalescer.count).toBe(1);
    await refresh.finish();
    expect(done).toEqual(['a']);
    expect(coalescer.count).toBe(2);
    await refresh.finish();
    expect(done).toEqual(['a', 'b', 'c']);
    expect(coalescer.count).toBe(2);
  });

  it('skips the refresh when a completed one already covered the checkpoint (nothing written since)', async () => {
    const refresh = controlledRefresh();
    const coalescer = new RefreshCoalescer(refresh.run);
    const first = coalescer.request({ generation: 1, checkpoint: 9n });
    await refresh.finish();
    await first;
    await coalescer.request({ generation: 1, checkpoint: 9n });
    await coalescer.request({ generation: 1, checkpoint: 3n });
    expect(coalescer.count).toBe(1);
    void coalescer.request({ generation: 1, checkpoint: 10n });
    void coalescer.request({ generation: 2, checkpoint: 1n });
    expect(coalescer.count).toBe(2);
  });

  it('passes a failed refresh on to the requests that waited for it, and recovers', async () => {
    let fail = true;
    const coalescer = new RefreshCoalescer(async () => {
      if (fail) throw new Error('cluster unavailable');
    });
    await expect(coalescer.request({ generation: 1, checkpoint: 1n })).rejects.toThrow('cluster unavailable');
    fail = false;
    await expect(coalescer.request({ generation: 1, checkpoint: 1n })).resolves.toBeUndefined();
  });
});
