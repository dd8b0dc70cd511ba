/**
 * The lease keeper over the in-process coordination store (the same contract as the shared stores):
 * several keepers in one process stand for several nodes. Short TTLs; every wait polls a condition.
 */
import { waitFor } from '../../../test/runtime/support/runtime-harness';
import { silentLogger } from '../../runtime/runtime.logger';
import type { Lease } from '../coordination.port';
import { InProcessCoordinationStore } from '../in-process/in-process-coordination-store';
import type { Acquisition, LeaseWork } from './lease-work';
import { OwnershipCoordinator } from './ownership-coordinator';

const SETTINGS = { leaseTtlMs: 600, renewEveryMs: 100, pollEveryMs: 50 };

/** The work of one node: which projections it runs, with which epoch, and every start and stop. */
class RecordingWork implements LeaseWork {
  readonly running = new Map<string, bigint>();
  readonly starts: { resource: string; epoch: bigint; acquisition: Acquisition }[] = [];
  readonly stops: { resource: string; reason: string }[] = [];
  constructor(readonly definitions: Record<string, string>) {}

  start(lease: Lease, acquisition: Acquisition): Promise<void> {
    if (this.running.has(lease.resource)) throw new Error(`${lease.resource} started twice`);
    this.running.set(lease.resource, lease.epoch);
    this.starts.push({ resource: lease.resource, epoch: lease.epoch, acquisition });
    return Promise.resolve();
  }

  stop(resource: string, reason: string): Promise<void> {
    this.running.delete(resource);
    this.stops.push({ resource, reason });
    return Promise.resolve();
  }
}

const definitions = (names: string[], fingerprint = 'v1') =>
  Object.fromEntries(names.map((name) => [name, fingerprint]));

describe('OwnershipCoordinator', () => {
  let store: InProcessCoordinationStore;
  const keepers: OwnershipCoordinator[] = [];

  const keeper = (id: string, overrides: Partial<typeof SETTINGS> = {}, coordination = store) => {
    const created = new OwnershipCoordinator({
      store: coordination,
      node: { id, role: 'worker', version: '1.0.0' },
      settings: { ...SETTINGS, ...overrides },
      logger: silentLogger,
    });
    keepers.push(created);
    return created;
  };

  beforeEach(() => {
    store = new InProcessCoordinationStore();
  });
  afterEach(async () => {
    for (const created of keepers.splice(0)) await created.stop({ release: false });
  });

  /** Every projection run by exactly one node. */
  const runBy = (works: readonly RecordingWork[], names: readonly string[]) =>
    names.every((name) => works.filter((work) => work.running.has(name)).length === 1);

  it('takes every free lease at attach when it is the only node, and renews them', async () => {
    const one = keeper('one');
    const work = new RecordingWork(definitions(['a', 'b', 'c']));
    await one.attach(work);
    expect([...work.running.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(work.starts.every((start) => start.epoch === 1n && !start.acquisition.takeover)).toBe(true);
    const first = one.leaseOf('a')!.localDeadline.getTime();
    await waitFor(() => one.leaseOf('a')!.localDeadline.getTime() > first, 'a renewal');
    expect(work.stops).toEqual([]);
    expect(one.snapshot()).toMatchObject({ node: 'one', share: 3 });
  });

  it('spreads six projections over three nodes, each run by exactly one', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const works = ['one', 'two', 'three'].map(() => new RecordingWork(definitions(names)));
    await keeper('one').attach(works[0]!);
    await keeper('two').attach(works[1]!);
    await keeper('three').attach(works[2]!);
    await waitFor(
      () => runBy(works, names) && works.every((work) => work.running.size === 2),
      'two projections on each node',
    );
    // A projection given up by the first node was stopped there before another node started it.
    const stoppedOnOne = works[0]!.stops.map((stop) => stop.resource);
    expect(stoppedOnOne).toHaveLength(4);
    for (const resource of stoppedOnOne)
      expect(
        works.some((work) => work.starts.some((start) => start.resource === resource && start.epoch === 2n)),
      ).toBe(true);
  });

  it('lets a standby take over the leases of a node that died, with higher epochs, after they lapse', async () => {
    const names = ['a', 'b'];
    const dying = new RecordingWork(definitions(names));
    const standby = new RecordingWork(definitions(names));
    const one = keeper('one');
    await one.attach(dying);
    await keeper('two').attach(standby);
    expect(standby.running.size).toBe(0);
    await waitFor(() => runBy([dying, standby], names), 'the first node running both');

    await one.stop({ release: false });
    await waitFor(() => standby.running.size === 2, 'the standby taking both over');
    expect(standby.starts.map((start) => start.acquisition)).toEqual([
      { takeover: true, previousHolder: 'one' },
      { takeover: true, previousHolder: 'one' },
    ]);
    expect([...standby.running.values()]).toEqual([2n, 2n]);
  });

  it('hands over at once on a graceful stop: work stopped, leases released, node removed', async () => {
    const first = new RecordingWork(definitions(['a']));
    const second = new RecordingWork(definitions(['a']));
    const one = keeper('one', { leaseTtlMs: 60_000, renewEveryMs: 1000 });
    await one.attach(first);
    await keeper('two', { leaseTtlMs: 60_000, renewEveryMs: 1000 }).attach(second);
    await one.stop();
    expect(first.running.size).toBe(0);
    expect((await store.listNodes()).map((node) => node.id)).toEqual(['two']);
    // Far sooner than the 60 s lease would lapse.
    await waitFor(() => second.running.has('a'), 'the other node taking the released lease', 5000);
  });

  it('stops the work at the local deadline when renewals do not come back', async () => {
    const hanging = new InProcessCoordinationStore();
    const work = new RecordingWork(definitions(['a']));
    const one = keeper('one', {}, hanging);
    await one.attach(work);
    hanging.renew = () => new Promise(() => undefined);
    await waitFor(() => work.stops.length === 1, 'the work stopping at the deadline', 5000);
    expect(work.stops[0]!.reason).toMatch(/deadline/);
    // Acquiring still works on this store, so a later poll may take it again, with a new epoch.
    expect(one.leaseOf('a')?.epoch ?? 2n).toBeGreaterThan(1n);
  });

  it('stops the work when a renewal answers without the lease (another node took it)', async () => {
    const work = new RecordingWork(definitions(['a']));
    const one = keeper('one');
    await one.attach(work);
    // Another holder after the lease lapsed (simulated by releasing it behind the keeper's back).
    await store.release((await leaseOf(store, 'a', 'one'))!);
    const taken = await store.acquire('a', 'intruder', 60_000);
    expect(taken?.epoch).toBe(2n);
    await waitFor(() => work.stops.length === 1, 'the work stopping');
    expect(work.stops[0]!.reason).toMatch(/renewal was refused/);
    expect(one.ownerOf('a')).toMatchObject({ node: 'intruder', epoch: 2n });
  });

  it('forgets a lease the work reports fenced, and stops the work', async () => {
    const work = new RecordingWork(definitions(['a']));
    const one = keeper('one', { leaseTtlMs: 60_000, renewEveryMs: 1000 });
    await one.attach(work);
    one.lost('a', 1n, 'a newer holder fenced it');
    await waitFor(() => work.stops.length === 1, 'the work stopping');
    expect(one.owns('a')).toBe(false);
  });

  it('gives a projection up to the node that started later with another definition (rolling deploy)', async () => {
    const old = new RecordingWork({ p: 'v1', q: 'q1' });
    const fresh = new RecordingWork({ p: 'v2', q: 'q1' });
    await keeper('old').attach(old);
    expect([...old.running.keys()].sort()).toEqual(['p', 'q']);
    await keeper('new').attach(fresh);
    await waitFor(() => fresh.running.has('p') && !old.running.has('p'), 'the new node running p');
    expect(old.stops[0]).toMatchObject({ resource: 'p', reason: expect.stringMatching(/newer definition/) });
    // q has one definition: it stays or moves by fair share only, and runs on exactly one node.
    await waitFor(() => runBy([old, fresh], ['p', 'q']), 'each run once');
  });

  it('heartbeats without taking leases on an api node', async () => {
    const api = new OwnershipCoordinator({
      store,
      node: { id: 'api-1', role: 'api', version: '1.0.0', definitions: { a: 'v1' } },
      settings: SETTINGS,
      logger: silentLogger,
    });
    keepers.push(api);
    await api.start();
    const work = new RecordingWork(definitions(['a']));
    await api.attach(work);
    expect(work.running.size).toBe(0);
    expect(await store.listNodes()).toMatchObject([{ id: 'api-1', role: 'api', alive: true }]);
  });
});

async function leaseOf(
  store: InProcessCoordinationStore,
  resource: string,
  holder: string,
): Promise<Lease | undefined> {
  const record = (await store.listLeases()).find(
    (lease) => lease.resource === resource && lease.holder === holder,
  );
  return record && { resource, holder, epoch: record.epoch, localDeadline: record.expiresAt.getTime() };
}
