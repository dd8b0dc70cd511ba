/**
 * The CoordinationStore contract (issue #15): what "works" means for the store several Prism processes
 * share to decide who runs which projection. Every store (in-process, PostgreSQL, KurrentDB) runs this
 * same suite from its own spec file:
 *
 *   coordinationContract('PostgreSQL coordination store', () => createCoordinationStore({ kind: 'postgres', url, schema }));
 *
 * `createStore` opens a store on the same records each time it is called; for a shared store a second
 * one stands for another process (the concurrency cases open ten). For a store that is not shared
 * (in-process) the cases use the one store for every "process". Tests use resource, node and projection
 * names of their own, so the suite also runs against a server that already holds records (KurrentDB).
 *
 * Expiry is waited for (the store's own listing says the lease or node lapsed), never slept for: short
 * TTLs only make the wait short; nothing passes or fails on timing.
 */
import { randomUUID } from 'node:crypto';
import type { CoordinationStore, Lease } from '../../src/coordination/coordination.port';
import { coordinationRecordCases } from './coordination-records.cases';
import { waitFor } from './event-store.contract';

export interface CoordinationContractOptions {
  /** `describe.skip` to list the suite as skipped. */
  readonly describe?: jest.Describe;
}

/** A TTL no test outlives: a lease taken with it is held for the whole test. */
export const LONG_TTL_MS = 60_000;
/** A TTL the tests wait out. */
export const SHORT_TTL_MS = 300;

export interface CoordinationFixture {
  /** The store under test (initialized). */
  readonly store: () => CoordinationStore;
  /** Another process's store on the same records (the same store when it is not shared). */
  readonly peer: () => Promise<CoordinationStore>;
  /** A name unique to this test, for resources, nodes and projections. */
  readonly name: (what: string) => string;
}

export function coordinationContract(
  suite: string,
  createStore: () => Promise<CoordinationStore>,
  options: CoordinationContractOptions = {},
): void {
  (options.describe ?? describe)(suite, () => {
    let store: CoordinationStore;
    let ns: string;
    const peers: CoordinationStore[] = [];

    beforeEach(async () => {
      store = await createStore();
      await store.initialize();
      ns = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      await Promise.all(peers.splice(0).map((peer) => peer.close()));
      await store.close();
    });

    const fixture: CoordinationFixture = {
      store: () => store,
      peer: async () => {
        if (!store.shared) return store;
        const peer = await createStore();
        await peer.initialize();
        peers.push(peer);
        return peer;
      },
      name: (what) => `${what}-${ns}`,
    };
    const { name, peer } = fixture;

    /**
     * Waits until each of `observers` (default: the store under test) lists the lease as lapsed. The
     * store that acts next waits itself: a store whose clock is the server's estimates the server time
     * from its own probe, so two stores may see the moment a few milliseconds apart.
     */
    async function waitUntilLapsed(resource: string, ...observers: CoordinationStore[]): Promise<void> {
      for (const observer of observers.length === 0 ? [store] : observers) {
        await waitFor(
          async () => (await observer.listLeases()).some((l) => l.resource === resource && l.expired),
          `the lease on ${resource} to lapse`,
        );
      }
    }

    it('initialize is idempotent', async () => {
      await store.initialize();
      await (await peer()).initialize();
      expect(['in-process', 'postgres', 'kurrentdb']).toContain(store.kind);
    });

    describe('leases', () => {
      it('acquires a free lease: epoch 1, a local deadline of the TTL from before the call', async () => {
        const before = Date.now();
        const lease = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        const after = Date.now();
        expect(lease).toMatchObject({ resource: name('res'), holder: 'node-a', epoch: 1n });
        expect(lease!.localDeadline).toBeGreaterThanOrEqual(before + LONG_TTL_MS);
        expect(lease!.localDeadline).toBeLessThanOrEqual(after + LONG_TTL_MS);
        const listed = (await store.listLeases()).find((l) => l.resource === name('res'));
        expect(listed).toMatchObject({ holder: 'node-a', epoch: 1n, expired: false });
        expect(listed!.expiresAt.getTime()).toBeGreaterThan(listed!.acquiredAt.getTime());
        expect(listed!.renewedAt.getTime()).toBe(listed!.acquiredAt.getTime());
      });

      it('refuses a lease another holder holds unexpired', async () => {
        await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        expect(await (await peer()).acquire(name('res'), 'node-b', LONG_TTL_MS)).toBeUndefined();
        const listed = (await store.listLeases()).find((l) => l.resource === name('res'));
        expect(listed).toMatchObject({ holder: 'node-a', epoch: 1n });
      });

      it('re-acquires its own lease with the next epoch (the old epoch is fenced)', async () => {
        const first = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        const again = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        expect(again).toMatchObject({ holder: 'node-a', epoch: first!.epoch + 1n });
        expect(await store.renew([first!], LONG_TTL_MS)).toEqual([]);
      });

      it('gives a lapsed lease to another holder with the next epoch', async () => {
        const first = await store.acquire(name('res'), 'node-a', SHORT_TTL_MS);
        const other = await peer();
        await waitUntilLapsed(name('res'), other);
        const taken = await other.acquire(name('res'), 'node-b', LONG_TTL_MS);
        expect(taken).toMatchObject({ holder: 'node-b', epoch: first!.epoch + 1n });
      });

      it('renews held leases in one call: same epoch, later expiry and deadline', async () => {
        const a = await store.acquire(name('a'), 'node-a', LONG_TTL_MS);
        const b = await store.acquire(name('b'), 'node-a', LONG_TTL_MS);
        const [listedBefore] = (await store.listLeases()).filter((l) => l.resource === name('a'));
        const renewed = await store.renew([a!, b!], 2 * LONG_TTL_MS);
        expect(renewed.map((l) => [l.resource, l.holder, l.epoch]).sort()).toEqual(
          [
            [name('a'), 'node-a', a!.epoch],
            [name('b'), 'node-a', b!.epoch],
          ].sort(),
        );
        for (const lease of renewed) expect(lease.localDeadline).toBeGreaterThan(a!.localDeadline);
        const [listedAfter] = (await store.listLeases()).filter((l) => l.resource === name('a'));
        expect(listedAfter!.expiresAt.getTime()).toBeGreaterThan(listedBefore!.expiresAt.getTime());
        expect(listedAfter!.acquiredAt).toEqual(listedBefore!.acquiredAt);
        expect(await store.renew([], LONG_TTL_MS)).toEqual([]);
      });

      it('does not renew a lapsed lease, even one nobody took', async () => {
        const kept = await store.acquire(name('kept'), 'node-a', LONG_TTL_MS);
        const lapsing = await store.acquire(name('lapsing'), 'node-a', SHORT_TTL_MS);
        await waitUntilLapsed(name('lapsing'));
        const renewed = await store.renew([kept!, lapsing!], LONG_TTL_MS);
        expect(renewed.map((l) => l.resource)).toEqual([name('kept')]);
        expect(await store.acquire(name('lapsing'), 'node-a', LONG_TTL_MS)).toMatchObject({
          epoch: lapsing!.epoch + 1n,
        });
      });

      it('does not renew a lease another holder acquired after it lapsed', async () => {
        const stale = await store.acquire(name('res'), 'node-a', SHORT_TTL_MS);
        const other = await peer();
        await waitUntilLapsed(name('res'), other);
        const taken = await other.acquire(name('res'), 'node-b', LONG_TTL_MS);
        expect(await store.renew([stale!], LONG_TTL_MS)).toEqual([]);
        expect(await other.renew([taken!], LONG_TTL_MS)).toHaveLength(1);
        const listed = (await store.listLeases()).find((l) => l.resource === name('res'));
        expect(listed).toMatchObject({ holder: 'node-b', epoch: taken!.epoch, expired: false });
      });

      it('release lets another holder acquire at once; a stale release changes nothing', async () => {
        const first = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        await store.release(first!);
        expect((await store.listLeases()).find((l) => l.resource === name('res'))?.expired).toBe(true);
        const other = await peer();
        const taken = await other.acquire(name('res'), 'node-b', LONG_TTL_MS);
        expect(taken).toMatchObject({ holder: 'node-b', epoch: first!.epoch + 1n });
        await store.release(first!);
        expect(await (await peer()).acquire(name('res'), 'node-c', LONG_TTL_MS)).toBeUndefined();
        expect(await other.renew([taken!], LONG_TTL_MS)).toHaveLength(1);
      });

      it('epochs grow strictly across holders, releases and expiries', async () => {
        const other = await peer();
        const epochs: bigint[] = [];
        const a1 = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        epochs.push(a1!.epoch);
        await store.release(a1!);
        const b1 = await other.acquire(name('res'), 'node-b', SHORT_TTL_MS);
        epochs.push(b1!.epoch);
        await waitUntilLapsed(name('res'));
        const a2 = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        epochs.push(a2!.epoch);
        const a3 = await store.acquire(name('res'), 'node-a', LONG_TTL_MS);
        epochs.push(a3!.epoch);
        await store.release(a3!);
        const b2 = await other.acquire(name('res'), 'node-b', LONG_TTL_MS);
        epochs.push(b2!.epoch);
        expect(epochs).toEqual([1n, 2n, 3n, 4n, 5n]);
      });

      it('ten concurrent acquirers of one resource: exactly one wins (five rounds)', async () => {
        const contenders = await Promise.all(Array.from({ length: 10 }, () => peer()));
        for (let round = 0; round < 5; round++) {
          const resource = name(`res${round}`);
          const results = await Promise.all(
            contenders.map((contender, i) => contender.acquire(resource, `node-${i}`, LONG_TTL_MS)),
          );
          const winners = results.filter((lease): lease is Lease => lease !== undefined);
          expect(winners).toHaveLength(1);
          expect(winners[0]!.epoch).toBe(1n);
          const listed = (await store.listLeases()).find((l) => l.resource === resource);
          expect(listed).toMatchObject({ holder: winners[0]!.holder, epoch: 1n });
        }
      });

      it('ten concurrent acquirers of a lapsed lease: exactly one wins, with the next epoch', async () => {
        const first = await store.acquire(name('res'), 'node-x', SHORT_TTL_MS);
        const contenders = await Promise.all(Array.from({ length: 10 }, () => peer()));
        await waitUntilLapsed(name('res'), ...contenders);
        const results = await Promise.all(
          contenders.map((contender, i) => contender.acquire(name('res'), `node-${i}`, LONG_TTL_MS)),
        );
        const winners = results.filter((lease): lease is Lease => lease !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]!.epoch).toBe(first!.epoch + 1n);
      });

      it('lists leases with their holder, epoch and whether they lapsed', async () => {
        await store.acquire(name('held'), 'node-a', LONG_TTL_MS);
        await store.acquire(name('lapsing'), 'node-b', SHORT_TTL_MS);
        await waitUntilLapsed(name('lapsing'));
        const mine = (await store.listLeases()).filter((l) => l.resource.endsWith(ns));
        expect(mine.map((l) => [l.resource, l.holder, l.epoch, l.expired]).sort()).toEqual(
          [
            [name('held'), 'node-a', 1n, false],
            [name('lapsing'), 'node-b', 1n, true],
          ].sort(),
        );
      });
    });

    coordinationRecordCases(fixture);
  });
}
