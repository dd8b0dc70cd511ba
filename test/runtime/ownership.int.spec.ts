/**
 * Several Prism nodes in one process (issue #15): each node has its own ProjectionRuntime, its own
 * PostgreSQL pools for the relational view store and for the coordination store, and its own lease
 * keeper; they share one database, as processes would. Real leases (PostgreSQL lease rows, database clock)
 * and the real fence (the checkpoint's fence column). Short TTLs; every wait polls a condition.
 *
 * The order_summary fixture at version 2 counts the events applied to each row (`event_count`): an event
 * applied twice by two nodes would show in the comparison with the view computed from the log.
 */
import { createCoordinationStore } from '../../src/coordination/coordination-store.factory';
import type { CoordinationStore } from '../../src/coordination/coordination.port';
import { OwnershipCoordinator } from '../../src/coordination/ownership/ownership-coordinator';
import type { EventStore, StoredEvent } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import type { RunnableProjection } from '../../src/runtime/projection-supervisor';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { Target } from '../../src/stores/target.port';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import {
  expectedOrderSummary,
  orderSummaryDefinition,
  orderSummaryPlan,
  recompileOrderSummary,
} from './fixtures/order-summary.fixture';
import {
  appendOrders,
  byKey,
  FaultyTarget,
  openTestLog,
  TEST_RUNNER,
  waitFor,
} from './support/runtime-harness';
import { readView } from './support/runtime-stores';

const LEASES = { leaseTtlMs: 1500, renewEveryMs: 300, pollEveryMs: 150 };

interface Node {
  readonly id: string;
  readonly runtime: ProjectionRuntime;
  readonly keeper: OwnershipCoordinator;
  /** This node's view store, recording every commit and its result. */
  readonly target: FaultyTarget;
  readonly coordination: CoordinationStore;
}

const projection = (name: string, version: 1 | 2 = 2): RunnableProjection => ({
  plan: orderSummaryPlan({ name, table: name, version }),
  definition: orderSummaryDefinition({ name, table: name, version }),
});

describeWithStores(['postgres'], 'Ownership across nodes on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let namespace = '';
  let log: EventStore;
  let reader: Target;
  const nodes: Node[] = [];

  beforeEach(async () => {
    namespace = uniqueTestName('own');
    log = await openTestLog(database.url, `log_${namespace}`);
    reader = await RelationalTarget.connect({
      kind: 'postgres',
      url: database.url,
      schema: namespace,
      poolSize: 2,
    });
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      await node.runtime.stop();
      await node.keeper.stop({ release: false });
      await node.target.close();
      await node.coordination.close();
    }
    await reader.close();
    await log.close();
  });

  async function startNode(id: string, definitions: readonly RunnableProjection[]): Promise<Node> {
    const target = new FaultyTarget(
      await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: namespace, poolSize: 4 }),
    );
    const coordination = await createCoordinationStore({
      kind: 'postgres',
      url: database.url,
      schema: `${namespace}_coord`,
    });
    const keeper = new OwnershipCoordinator({
      store: coordination,
      node: { id, role: 'worker', version: '1.0.0' },
      settings: LEASES,
      logger: silentLogger,
    });
    const runtime = new ProjectionRuntime({
      store: log,
      targets: { postgres: target },
      recompile: recompileOrderSummary,
      runner: TEST_RUNNER,
      logger: silentLogger,
      ownership: keeper,
    });
    const node = { id, runtime, keeper, target, coordination };
    nodes.push(node);
    await runtime.start(definitions);
    return node;
  }

  const ownersOf = (name: string, among: readonly Node[] = nodes) =>
    among.filter((node) => node.runtime.owns(name));

  /** Every projection run (supervisor started) by exactly one of `among`, none above ceil(n / nodes). */
  const settled = (names: readonly string[], among: readonly Node[]) => () =>
    names.every((name) => {
      const owning = ownersOf(name, among);
      return owning.length === 1 && owning[0]!.runtime.status(name).live !== null;
    }) && among.every((node) => node.keeper.snapshot().held.length <= Math.ceil(names.length / among.length));

  async function caughtUp(names: readonly string[], events: readonly StoredEvent[]) {
    const head = events.at(-1)!.position;
    for (const name of names) {
      await waitFor(
        async () => (await reader.readCheckpoint(await activeView(name))) === head,
        `${name} at ${head}`,
      );
      expect(byKey(Object.values(await readView(reader, name)))).toEqual(expectedOrderSummary(events, 2));
    }
  }

  async function activeView(name: string) {
    const active = (await reader.readProjection(name))?.activeGeneration ?? 0;
    const shape = orderSummaryPlan({ name, table: name, version: 2 }).target;
    return { projection: name, generation: active, shape };
  }

  it('spreads six projections over three nodes, each run by exactly one, and builds each view once', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const definitions = names.map((name) => projection(name));
    for (const id of ['node-a', 'node-b', 'node-c']) await startNode(id, definitions);
    await waitFor(settled(names, nodes), 'two projections on each node');
    expect(nodes.map((node) => node.keeper.snapshot().held.length)).toEqual([2, 2, 2]);

    const events = await appendOrders(log, 60);
    await caughtUp(names, events);
    // Only the owner of a projection committed to it once the spread settled.
    for (const name of names) {
      const [owner] = ownersOf(name);
      const epoch = owner!.keeper.leaseOf(name)!.epoch;
      const others = nodes.filter((node) => node !== owner);
      for (const node of others) {
        const late = node.target.commits.filter(
          (c) =>
            c.view.projection === name && c.result?.kind === 'committed' && (c.batch.fence ?? 0n) >= epoch,
        );
        expect(late).toEqual([]);
      }
    }
  });

  it('a standby takes over the projections of a node that died, resumes from the checkpoint, applies nothing twice', async () => {
    const names = ['q1', 'q2'];
    const definitions = names.map((name) => projection(name));
    const first = await startNode('node-a', definitions);
    const standby = await startNode('node-b', definitions);
    await waitFor(settled(names, nodes), 'one projection on each node');
    const before = await appendOrders(log, 30);
    await caughtUp(names, before);

    // node-a dies: its keeper stops without releasing (no renewals, leases left to lapse), its work stops.
    const died = Date.now();
    const lost = names.filter((name) => first.runtime.owns(name));
    await first.keeper.stop({ release: false });
    await waitFor(
      () => lost.every((name) => standby.runtime.owns(name) && standby.runtime.status(name).live !== null),
      'the takeover',
      30_000,
    );
    const takeoverMs = Date.now() - died;
    console.log(
      `takeover of ${lost.join(', ')} after ${takeoverMs} ms (lease TTL ${LEASES.leaseTtlMs} ms, poll ${LEASES.pollEveryMs} ms)`,
    );
    for (const name of lost) expect(standby.keeper.leaseOf(name)!.epoch).toBeGreaterThan(1n);

    const after = await appendOrders(log, 70);
    await caughtUp(names, after);
  });

  it('a frozen holder whose lease lapsed is fenced on its next commit, and stops running the projection', async () => {
    const name = 'frozen';
    const holder = await startNode('node-a', [projection(name)]);
    const before = await appendOrders(log, 10);
    await caughtUp([name], before);
    const next = await startNode('node-b', [projection(name)]);
    expect(next.runtime.owns(name)).toBe(false);

    // node-a freezes (no heartbeats, renewals or deadline checks) while its runner keeps going: what a
    // SIGSTOPped process does once it is continued, before its timers fire.
    holder.keeper.freeze();
    await waitFor(
      () => next.runtime.owns(name) && next.runtime.status(name).live !== null,
      'node-b taking over',
      30_000,
    );
    const epoch = next.keeper.leaseOf(name)!.epoch;

    const after = await appendOrders(log, 40);
    await waitFor(() => !holder.runtime.owns(name), 'node-a finding its lease lost through the fence');
    const fenced = holder.target.commits.filter(
      (c) => c.view.projection === name && c.result?.kind === 'fenced',
    );
    expect(fenced.length).toBeGreaterThan(0);
    expect(fenced[0]!.result).toEqual({ kind: 'fenced', fence: epoch });
    // Whatever node-a committed after node-b fenced the generation: nothing.
    const fencedAt = next.target.commits.findIndex((c) => c.batch.fence === epoch);
    expect(fencedAt).toBeGreaterThanOrEqual(0);
    expect(holder.runtime.status(name)).toMatchObject({ state: 'standby', owner: null });
    await caughtUp([name], after);
  });

  it('a node started later with another definition takes the projection over, builds it once and swaps it in once (rolling deploy)', async () => {
    const name = 'rolling';
    const old = await startNode('old', [projection(name, 1)]);
    const before = await appendOrders(log, 20);
    await waitFor(() => old.runtime.status(name).state === 'live', 'version 1 live');
    expect((await reader.listGenerations(name)).map((g) => g.generation)).toEqual([1]);

    const fresh = await startNode('new', [projection(name, 2)]);
    await waitFor(() => fresh.runtime.owns(name) && !old.runtime.owns(name), 'the new node owning it');
    const after = await appendOrders(log, 50);
    await waitFor(
      async () => (await reader.readProjection(name))?.activeGeneration === 2,
      'generation 2 swapped in',
    );
    await caughtUp([name], after);
    // The old generation is dropped right after the swap, once its runner stopped.
    await waitFor(async () => (await reader.listGenerations(name)).length === 1, 'generation 1 dropped');
    const generations = await reader.listGenerations(name);
    expect(generations.map((g) => [g.generation, g.status, g.fingerprint])).toEqual([
      [2, 'active', orderSummaryPlan({ name, table: name, version: 2 }).fingerprint],
    ]);
    expect(old.runtime.status(name)).toMatchObject({ state: 'standby', owner: { node: 'new' } });
    // The old node never wrote to the new generation: it was built once, by the new node.
    expect(old.target.commits.filter((c) => c.view.projection === name && c.view.generation === 2)).toEqual(
      [],
    );
    expect(before.length).toBeGreaterThan(0);
  });
});
