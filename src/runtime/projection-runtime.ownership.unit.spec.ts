/**
 * ProjectionRuntime with a lease keeper (issue #15), several runtimes in one process standing for several
 * nodes over one log, one memory view store (which keeps the fence like every target) and one in-process
 * coordination store. test/runtime/ownership.int.spec.ts runs the same on PostgreSQL.
 */
import { orderSummaryPlan, expectedOrderSummary } from '../../test/runtime/fixtures/order-summary.fixture';
import { InMemoryEventStore } from '../../test/runtime/support/in-memory-event-store';
import {
  appendOrders,
  byKey,
  FaultyTarget,
  TEST_RUNNER,
  waitFor,
} from '../../test/runtime/support/runtime-harness';
import { InProcessCoordinationStore } from '../coordination/in-process/in-process-coordination-store';
import { OwnershipCoordinator } from '../coordination/ownership/ownership-coordinator';
import type { ViewDocument } from '../core/plan';
import { MemoryTarget } from '../stores/memory/memory.target';
import type { Target } from '../stores/target.port';
import { ProjectionRuntime } from './projection-runtime';
import { ProjectionNotOwnedError } from './runtime.errors';
import { silentLogger } from './runtime.logger';
import type { CommittedBatch, LeaseChange, RuntimeObserver } from './runtime.observer';

const NAMES = ['orders_a', 'orders_b', 'orders_c'];
const plans = () => NAMES.map((name) => orderSummaryPlan({ name, table: name, version: 2 }));

class RecordingObserver implements RuntimeObserver {
  readonly batches: CommittedBatch[] = [];
  readonly leases: LeaseChange[] = [];
  batchCommitted(batch: CommittedBatch): void {
    this.batches.push(batch);
  }
  storeError(): void {}
  leaseChanged(change: LeaseChange): void {
    this.leases.push(change);
  }
}

describe('ProjectionRuntime with ownership', () => {
  let log: InMemoryEventStore;
  let target: FaultyTarget;
  let coordination: InProcessCoordinationStore;
  const started: { runtime: ProjectionRuntime; keeper: OwnershipCoordinator }[] = [];

  beforeEach(() => {
    log = new InMemoryEventStore();
    target = new FaultyTarget(new MemoryTarget());
    coordination = new InProcessCoordinationStore();
  });
  afterEach(async () => {
    for (const { runtime, keeper } of started.splice(0)) {
      await runtime.stop();
      await keeper.stop({ release: false });
    }
  });

  async function node(id: string, options: { observer?: RuntimeObserver; target?: Target } = {}) {
    const keeper = new OwnershipCoordinator({
      store: coordination,
      node: { id, role: 'worker', version: '1.0.0' },
      // Long enough that a loaded CI machine's event-loop lag does not lapse a lease between renewals.
      settings: { leaseTtlMs: 2_000, renewEveryMs: 200, pollEveryMs: 50 },
      logger: silentLogger,
    });
    const runtime = new ProjectionRuntime({
      store: log,
      targets: { postgres: options.target ?? target },
      runner: TEST_RUNNER,
      logger: silentLogger,
      ownership: keeper,
      ...(options.observer !== undefined && { observer: options.observer }),
    });
    started.push({ runtime, keeper });
    await runtime.start(plans());
    return { runtime, keeper };
  }

  const owners = (runtimes: readonly ProjectionRuntime[], name: string) =>
    runtimes.filter((runtime) => runtime.owns(name));

  /** Waits until the node owning `name` (whichever it is by then) has applied `position`. */
  const ownerAt = (runtimes: readonly ProjectionRuntime[], name: string, position: bigint) =>
    waitFor(
      () => owners(runtimes, name).some((r) => (r.status(name).live?.checkpoint ?? -1n) >= position),
      `${name} applied up to ${position} on its owner`,
    );

  /** Each projection owned and run (its supervisor started) by exactly one node, none above its share. */
  const settled = (runtimes: readonly ProjectionRuntime[]) => () =>
    NAMES.every((name) => {
      const owning = owners(runtimes, name);
      return owning.length === 1 && owning[0]!.status(name).live !== null;
    }) &&
    runtimes.every((runtime) => runtime.ownership!.held.length <= Math.ceil(NAMES.length / runtimes.length));

  async function view(name: string): Promise<ViewDocument[]> {
    const active = (await target.readProjection(name))?.activeGeneration ?? undefined;
    if (active === undefined) return [];
    const shape = (await target.listGenerations(name)).find((g) => g.generation === active)!.shape;
    return byKey(
      (await target.scan({ projection: name, generation: active, shape }, { limit: 10_000 })).map(
        (e) => e.document,
      ),
    );
  }

  it('runs each projection on exactly one node; the others stand by and name the owner', async () => {
    const one = await node('one');
    const two = await node('two');
    const runtimes = [one.runtime, two.runtime];
    await waitFor(settled(runtimes), 'one owner each');
    const ownerId = (name: string) => (owners(runtimes, name)[0] === one.runtime ? 'one' : 'two');
    // A standby knows the owner as of its last poll.
    await waitFor(
      () => NAMES.every((name) => runtimes.every((r) => r.status(name).owner?.node === ownerId(name))),
      'both nodes naming the owners',
    );

    for (const name of NAMES) {
      const [owner] = owners(runtimes, name);
      const standby = runtimes.find((runtime) => runtime !== owner)!;
      expect(standby.status(name)).toMatchObject({
        state: 'standby',
        live: null,
        owner: { node: ownerId(name) },
      });
      expect(owner!.status(name).owner).toMatchObject({ epoch: expect.any(BigInt) });
      expect(() => standby.pause(name)).toThrow(ProjectionNotOwnedError);
    }
    const events = await appendOrders(log, 30);
    const head = events.at(-1)!.position;
    for (const name of NAMES) await ownerAt(runtimes, name, head);
    for (const name of NAMES) expect(await view(name)).toEqual(expectedOrderSummary(events, 2));
  });

  it('hands every projection over when a node stops; the other resumes from the checkpoint, nothing doubled', async () => {
    const observer = new RecordingObserver();
    const one = await node('one');
    const two = await node('two', { observer });
    const first = await appendOrders(log, 20);
    await waitFor(settled([one.runtime, two.runtime]), 'one owner each');
    for (const name of NAMES) await ownerAt([one.runtime, two.runtime], name, first.at(-1)!.position);

    await one.runtime.stop();
    await one.keeper.stop();
    await waitFor(settled([two.runtime]), 'node two owning everything');
    const events = await appendOrders(log, 40);
    for (const name of NAMES) await two.runtime.waitForCheckpoint(name, events.at(-1)!.position);
    // order_summary v2 counts every event applied to a row: an event applied twice would show.
    for (const name of NAMES) expect(await view(name)).toEqual(expectedOrderSummary(events, 2));
    expect(observer.batches.every((batch) => batch.node === 'two')).toBe(true);
    expect(observer.leases.filter((change) => change.held && change.takeover).length).toBeGreaterThan(0);
  });

  it('fences each generation before running it, and every commit carries the lease epoch', async () => {
    const one = await node('one');
    const events = await appendOrders(log, 10);
    for (const name of NAMES) await one.runtime.waitForCheckpoint(name, events.at(-1)!.position);
    for (const name of NAMES) {
      const epoch = one.keeper.leaseOf(name)!.epoch;
      const commits = target.commits.filter((commit) => commit.view.projection === name);
      expect(commits[0]!.batch).toMatchObject({
        operations: [],
        checkpoint: { from: 0n, to: 0n },
        fence: epoch,
      });
      expect(commits.every((commit) => commit.batch.fence === epoch)).toBe(true);
    }
  });

  it('stops a projection whose commit is fenced by a newer holder and reports the lease lost', async () => {
    const one = await node('one');
    await appendOrders(log, 5);
    const name = NAMES[0]!;
    await waitFor(() => one.runtime.status(name).state === 'live', 'live');
    const epoch = one.keeper.leaseOf(name)!.epoch;
    // A newer holder fenced the generation (as after this node froze past its lease).
    const live = one.runtime.status(name).live!;
    const ref = { projection: name, generation: live.generation, shape: plans()[0]!.target };
    const checkpoint = (await target.readCheckpoint(ref))!;
    expect(
      await target.inner.commit(ref, {
        operations: [],
        checkpoint: { from: checkpoint, to: checkpoint },
        fence: epoch + 1n,
      }),
    ).toMatchObject({ kind: 'committed' });
    await appendOrders(log, 8);
    await waitFor(
      () => target.commits.some((c) => c.view.projection === name && c.result?.kind === 'fenced'),
      'a fenced commit',
    );
    // The runner stops; the keeper forgets the lease, and (the store still naming this node the holder)
    // takes it again at its next poll with a higher epoch, fences again, and carries on.
    await waitFor(() => (one.keeper.leaseOf(name)?.epoch ?? 0n) > epoch, 'a new epoch');
    const events = await appendOrders(log, 12);
    await waitFor(() => one.runtime.status(name).live !== null, 'running again');
    await one.runtime.waitForCheckpoint(name, events.at(-1)!.position);
    expect(await view(name)).toEqual(expectedOrderSummary(events, 2));
  });

  it('keeps today behaviour without ownership: every projection runs, no owner in status', async () => {
    const runtime = new ProjectionRuntime({
      store: log,
      targets: { postgres: target },
      runner: TEST_RUNNER,
      logger: silentLogger,
    });
    started.push({
      runtime,
      keeper: new OwnershipCoordinator({ store: coordination, node: { id: 'x', role: 'all', version: '1' } }),
    });
    await runtime.start(plans());
    for (const name of NAMES) {
      expect(runtime.owns(name)).toBe(true);
      expect('owner' in runtime.status(name)).toBe(false);
    }
    expect(runtime.ownership).toBeUndefined();
  });
});
