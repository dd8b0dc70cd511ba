import { coordinationContract } from '../../../test/contract/coordination.contract';
import { createCoordinationStore } from '../coordination-store.factory';
import { InProcessCoordinationStore } from './in-process-coordination-store';

coordinationContract('In-process coordination store contract', () =>
  createCoordinationStore({ kind: 'in-process' }),
);

describe('In-process coordination store', () => {
  it('says it is not shared', () => {
    const store = new InProcessCoordinationStore();
    expect(store).toMatchObject({ kind: 'in-process', shared: false });
  });

  it('forgets nodes dead and requests finished for more than an hour', async () => {
    let now = 1_000_000;
    const store = new InProcessCoordinationStore({ now: () => now });
    const node = { id: 'old', role: 'all' as const, version: '1', definitions: {}, report: null };
    await store.heartbeat(node, 1_000);
    const request = await store.submit({ projection: 'p', action: 'pause', args: {}, from: 'old' });
    await store.claim(request.id, 'old');
    await store.complete(request.id, 'done', null);
    now += 60 * 60 * 1000;
    await store.heartbeat({ ...node, id: 'new' }, 1_000);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['new', 'old']);
    now += 2_000;
    await store.heartbeat({ ...node, id: 'new' }, 1_000);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['new']);
    expect(await store.readRequest(request.id)).toBeUndefined();
  });
});
