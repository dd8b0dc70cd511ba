/**
 * The coordination contract's node and admin-request cases (the lease cases are in
 * coordination.contract.ts, which runs these inside its suite).
 */
import { AdminRequestNotClaimedError } from '../../src/coordination/coordination.errors';
import type { AdminRequestDraft, NodeAnnouncement } from '../../src/coordination/coordination.port';
import type { CoordinationFixture } from './coordination.contract';
import { waitFor } from './event-store.contract';

const LONG_TTL_MS = 60_000;
const SHORT_TTL_MS = 300;

export function coordinationRecordCases({ store, peer, name }: CoordinationFixture): void {
  function announcement(id: string, overrides: Partial<NodeAnnouncement> = {}): NodeAnnouncement {
    return {
      id,
      role: 'worker',
      version: '1.2.3',
      definitions: { orders: 'fp-orders-1', carts: 'fp-carts-1' },
      report: { projections: [{ name: 'orders', state: 'live', position: '42' }] },
      ...overrides,
    };
  }

  async function node(id: string) {
    return (await store().listNodes()).find((n) => n.id === id);
  }

  describe('nodes', () => {
    it('announces a node and lists it alive with what it announced', async () => {
      await store().heartbeat(announcement(name('n1')), LONG_TTL_MS);
      const listed = await node(name('n1'));
      expect(listed).toMatchObject({ ...announcement(name('n1')), alive: true });
      expect(listed!.heartbeatAt.getTime()).toBeGreaterThanOrEqual(listed!.startedAt.getTime());
      const other = await peer();
      expect((await other.listNodes()).find((n) => n.id === name('n1'))?.alive).toBe(true);
    });

    it('a heartbeat renews the announcement and its report but keeps the start time', async () => {
      await store().heartbeat(announcement(name('n1'), { report: null }), LONG_TTL_MS);
      const first = await node(name('n1'));
      await store().heartbeat(announcement(name('n1'), { report: { busy: true } }), LONG_TTL_MS);
      const second = await node(name('n1'));
      expect(second).toMatchObject({ report: { busy: true }, alive: true });
      expect(second!.startedAt).toEqual(first!.startedAt);
      expect(second!.heartbeatAt.getTime()).toBeGreaterThanOrEqual(first!.heartbeatAt.getTime());
    });

    it('a node that comes back with other definitions starts anew', async () => {
      await store().heartbeat(announcement(name('n1')), LONG_TTL_MS);
      const first = await node(name('n1'));
      const changed = { ...announcement(name('n1')).definitions, orders: 'fp-orders-2' };
      await store().heartbeat(announcement(name('n1'), { definitions: changed }), LONG_TTL_MS);
      const second = await node(name('n1'));
      expect(second!.definitions).toEqual(changed);
      expect(second!.startedAt.getTime()).toBeGreaterThanOrEqual(first!.heartbeatAt.getTime());
    });

    it('a node not renewed within its TTL is listed as not alive, until it heartbeats again', async () => {
      await store().heartbeat(announcement(name('n1')), SHORT_TTL_MS);
      await store().heartbeat(announcement(name('n2'), { role: 'api' }), LONG_TTL_MS);
      await waitFor(async () => (await node(name('n1')))?.alive === false, 'node n1 to expire');
      expect((await node(name('n2')))?.alive).toBe(true);
      const dead = await node(name('n1'));
      await store().heartbeat(announcement(name('n1')), LONG_TTL_MS);
      const back = await node(name('n1'));
      expect(back?.alive).toBe(true);
      // Missing heartbeats is not a new deploy: a paused process that wakes up does not look newer.
      expect(back!.startedAt).toEqual(dead!.startedAt);
    });

    it('removes a node', async () => {
      await store().heartbeat(announcement(name('n1')), LONG_TTL_MS);
      await store().heartbeat(announcement(name('n2')), LONG_TTL_MS);
      await (await peer()).removeNode(name('n1'));
      expect(await node(name('n1'))).toBeUndefined();
      expect(await node(name('n2'))).toBeDefined();
      await store().removeNode(name('never-there'));
    });
  });

  describe('admin requests', () => {
    function draft(projection: string, overrides: Partial<AdminRequestDraft> = {}): AdminRequestDraft {
      return { projection, action: 'replay', args: { position: '42' }, from: 'node-api', ...overrides };
    }

    it('submits a pending request and reads it back', async () => {
      const submitted = await store().submit(draft(name('orders')));
      expect(submitted).toMatchObject({
        ...draft(name('orders')),
        status: 'pending',
        runBy: null,
        outcome: null,
        completedAt: null,
      });
      expect(typeof submitted.id).toBe('string');
      expect(submitted.requestedAt).toBeInstanceOf(Date);
      expect(await (await peer()).readRequest(submitted.id)).toEqual(submitted);
      expect(await store().readRequest('no-such-request')).toBeUndefined();
    });

    it('lists pending requests for the given projections, oldest first', async () => {
      const first = await store().submit(draft(name('orders'), { action: 'pause', args: {} }));
      const other = await store().submit(draft(name('carts')));
      const second = await store().submit(draft(name('orders'), { action: 'resume', args: {} }));
      await store().submit(draft(name('unrelated')));
      const pending = await (await peer()).pending([name('orders'), name('carts')]);
      expect(pending.map((r) => r.id)).toEqual([first.id, other.id, second.id]);
      expect(await store().pending([])).toEqual([]);
    });

    it('claims a request once; a claimed request is no longer pending', async () => {
      const request = await store().submit(draft(name('orders')));
      expect(await store().claim(request.id, 'node-a')).toBe(true);
      expect(await (await peer()).claim(request.id, 'node-b')).toBe(false);
      expect(await store().pending([name('orders')])).toEqual([]);
      expect(await store().readRequest(request.id)).toMatchObject({ status: 'running', runBy: 'node-a' });
      expect(await store().claim('no-such-request', 'node-a')).toBe(false);
    });

    it('two concurrent claimers: exactly one gets the request', async () => {
      const request = await store().submit(draft(name('orders')));
      const [a, b] = [await peer(), await peer()];
      const claims = await Promise.all([a.claim(request.id, 'node-a'), b.claim(request.id, 'node-b')]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = claims[0] === true ? 'node-a' : 'node-b';
      expect(await store().readRequest(request.id)).toMatchObject({ status: 'running', runBy: winner });
    });

    it('completes a claimed request with its outcome, done or failed', async () => {
      const done = await store().submit(draft(name('orders')));
      const failed = await store().submit(draft(name('carts'), { action: 'rebuild', args: {} }));
      await store().claim(done.id, 'node-a');
      await store().claim(failed.id, 'node-a');
      const outcome = { projection: name('orders'), replayed: 3, position: '42' };
      const error = { code: 'projection_failed', status: 409, message: 'it failed' };
      await store().complete(done.id, 'done', outcome);
      await (await peer()).complete(failed.id, 'failed', error);
      const read = await (await peer()).readRequest(done.id);
      expect(read).toMatchObject({ status: 'done', runBy: 'node-a', outcome });
      expect(read!.completedAt).toBeInstanceOf(Date);
      expect(read!.completedAt!.getTime()).toBeGreaterThanOrEqual(read!.requestedAt.getTime());
      expect(await store().readRequest(failed.id)).toMatchObject({ status: 'failed', outcome: error });
      expect(await store().pending([name('orders'), name('carts')])).toEqual([]);
    });

    it('refuses to complete a request that is not running', async () => {
      const request = await store().submit(draft(name('orders')));
      await expect(store().complete(request.id, 'done', {})).rejects.toBeInstanceOf(
        AdminRequestNotClaimedError,
      );
      await store().claim(request.id, 'node-a');
      await store().complete(request.id, 'done', {});
      await expect(store().complete(request.id, 'failed', {})).rejects.toBeInstanceOf(
        AdminRequestNotClaimedError,
      );
      expect(await store().readRequest(request.id)).toMatchObject({ status: 'done', outcome: {} });
    });
  });
}
