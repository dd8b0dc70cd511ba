/**
 * Segmented projections (issue #15) on real stores: `order_summary` (version 2 counts the events applied
 * to each row, so an event applied twice or lost shows) declared with `segments: 4`.
 *
 *  - one runtime builds the same view as the log says, on PostgreSQL and on Elasticsearch, every segment's
 *    checkpoint at the head;
 *  - two nodes sharing a PostgreSQL coordination store split the four segment leases 2/2 and build it
 *    together; when one dies (keeper stopped without releasing: its leases lapse), the other takes its
 *    segments over and finishes;
 *  - a rebuild swaps the new generation in once, after every segment reached the head;
 *  - a changed definition that removes `segments` keeps every segment of the live view advancing (and
 *    read-your-writes waiting for all of them) until its rebuild is swapped in.
 */
import { createCoordinationStore } from '../../src/coordination/coordination-store.factory';
import type { CoordinationStore } from '../../src/coordination/coordination.port';
import { OwnershipCoordinator } from '../../src/coordination/ownership/ownership-coordinator';
import type { JsonObject } from '../../src/core/json';
import type { CompiledProjection } from '../../src/core/plan';
import type { EventStore, StoredEvent } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import type { RunnableProjection } from '../../src/runtime/projection-supervisor';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { segmentOfKey, segmentView } from '../../src/runtime/segments';
import type { ActivateOptions, Target, ViewRef } from '../../src/stores/target.port';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { appendOrders, FaultyTarget, openTestLog, TEST_RUNNER, waitFor } from './support/runtime-harness';
import { readView, RUNTIME_STORES, type RuntimeFixture } from './support/runtime-stores';

const SEGMENTS = 4;
const LEASES = { leaseTtlMs: 1500, renewEveryMs: 300, pollEveryMs: 150 };

function segmented(
  fixture: RuntimeFixture,
  poison?: (event: StoredEvent) => string | undefined,
): RunnableProjection {
  const plan = fixture.plan({ version: 2, ...(poison !== undefined && { poison }) });
  const recompiled: CompiledProjection = {
    ...plan,
    segments: SEGMENTS,
    fingerprint: `${plan.fingerprint}/4`,
  };
  return { plan: recompiled, definition: fixture.definition(2) };
}

/** Holds swaps while the test keeps the gate closed (timing only; the data is the real store's). */
class GatedTarget extends FaultyTarget {
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  closeGate(): void {
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }
  openGate(): void {
    this.open();
  }
  override async activate(view: ViewRef, options?: ActivateOptions) {
    await this.gate;
    return this.inner.activate(view, options);
  }
}

/** Counts the swaps a target made (activations that took effect). */
class CountingTarget extends FaultyTarget {
  activations = 0;
  override async activate(view: ViewRef, options?: ActivateOptions) {
    const result = await this.inner.activate(view, options);
    if (result.kind === 'activated') this.activations += 1;
    return result;
  }
}

async function segmentCheckpoints(target: Target, name: string): Promise<(bigint | undefined)[]> {
  const active = (await target.readProjection(name))?.activeGeneration;
  if (active === null || active === undefined) return [];
  const generation = (await target.listGenerations(name)).find((g) => g.generation === active)!;
  const view = { projection: name, generation: active, shape: generation.shape };
  return Promise.all(
    Array.from({ length: SEGMENTS }, (_, segment) => target.readCheckpoint(segmentView(view, segment))),
  );
}

for (const store of RUNTIME_STORES.filter((s) => ['PostgreSQL', 'Elasticsearch'].includes(s.name))) {
  describeWithStores(['postgres', ...store.needs], `Segmented projection on ${store.name}`, (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    let namespace = '';
    let log: EventStore;
    let target: Target;

    beforeEach(async () => {
      namespace = uniqueTestName('seg');
      log = await openTestLog(database.url, `log_${namespace}`);
      target = await store.open({ ...urls, database: database.url }, namespace);
      await target.initialize();
    });
    afterEach(async () => {
      await target.close();
      await log.close();
      await store.cleanUp?.(urls, namespace);
    });

    it('builds the view the log says, with every segment at the head and each event applied once', async () => {
      const fixture = store.fixture(namespace);
      const events = await appendOrders(log, 120);
      const runtime = new ProjectionRuntime({
        store: log,
        targets: { [target.kind]: target },
        recompile: (definition) => fixture.recompile(definition),
        runner: TEST_RUNNER,
        logger: silentLogger,
      });
      const projection = segmented(fixture);
      try {
        await runtime.start([projection]);
        const head = events.at(-1)!.position;
        await runtime.waitForCheckpoint(fixture.name, head, 60_000);
        expect(await segmentCheckpoints(target, fixture.name)).toEqual(Array(SEGMENTS).fill(head));
        expect(await readView(target, fixture.name)).toEqual(fixture.expected(events, 2));
        const status = runtime.status(fixture.name);
        expect(status.segments?.map((s) => s.segment)).toEqual([0, 1, 2, 3]);
        expect(status.segments?.every((s) => s.checkpoint === head)).toBe(true);
      } finally {
        await runtime.stop();
      }
    });

    it('keeps every segment of the live view advancing while a definition without segments is rebuilt', async () => {
      const fixture = store.fixture(namespace);
      const gated = new GatedTarget(target);
      // The fixture's stored definitions do not say `segments`; this one does, as a DSL definition would, so
      // the live generation's definition recompiles to its four segments.
      const built = segmented(fixture);
      const stored = { ...(built.definition as JsonObject), segments: SEGMENTS };
      const runtime = () =>
        new ProjectionRuntime({
          store: log,
          targets: { [target.kind]: gated },
          recompile: (definition) =>
            (definition as JsonObject).segments === SEGMENTS ? built.plan : fixture.recompile(definition),
          runner: TEST_RUNNER,
          logger: silentLogger,
        });
      let events = await appendOrders(log, 40);
      const first = runtime();
      await first.start([{ ...built, definition: stored }]);
      await first.waitForCheckpoint(fixture.name, events.at(-1)!.position, 60_000);
      await first.stop();

      // Version 1, unsegmented: a rebuild beside the live view (version 2, four segments), held at its swap.
      gated.closeGate();
      const second = runtime();
      try {
        await second.start([{ plan: fixture.plan({ version: 1 }), definition: fixture.definition(1) }]);
        events = await appendOrders(log, 80);
        const placed = events.filter((e) => e.type === 'OrderPlaced').map((e) => e.data.orderId as string);
        expect(new Set(placed.slice(40).map((id) => segmentOfKey(id, SEGMENTS))).size).toBe(SEGMENTS);
        await second.waitForCheckpoint(fixture.name, events.at(-1)!.position, 60_000);
        expect((await target.readProjection(fixture.name))?.activeGeneration).toBe(1);
        // Every segment of the live view applied the new orders, each once (version 2 counts them).
        expect(await readView(target, fixture.name)).toEqual(fixture.expected(events, 2));

        gated.openGate();
        await waitFor(
          async () => (await target.readProjection(fixture.name))?.activeGeneration === 2,
          'the rebuild swapped in',
        );
        events = await appendOrders(log, 90);
        // The followers kept for the old segments have nothing left to wait for.
        await second.waitForCheckpoint(fixture.name, events.at(-1)!.position, 30_000);
        expect(await readView(target, fixture.name)).toEqual(fixture.expected(events, 1));
      } finally {
        gated.openGate();
        await second.stop();
      }
    });
  });
}

describeWithStores(['postgres'], 'Parked events of a segmented projection on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const store = RUNTIME_STORES.find((s) => s.name === 'PostgreSQL')!;

  it('each segment parks its own poison event, and a replay is run by the segment the event belongs to', async () => {
    const namespace = uniqueTestName('segp');
    const log = await openTestLog(database.url, `log_${namespace}`);
    const target = await store.open({ ...urls, database: database.url }, namespace);
    await target.initialize();
    const fixture = store.fixture(namespace);
    let poisoned = true;
    const poisonOrders = new Set(['order-3', 'order-4', 'order-5', 'order-6']);
    const runtime = new ProjectionRuntime({
      store: log,
      targets: { [target.kind]: target },
      recompile: (definition) => fixture.recompile(definition),
      runner: TEST_RUNNER,
      logger: silentLogger,
    });
    try {
      const events = await appendOrders(log, 30);
      const placed = events.filter((e) => e.type === 'OrderPlaced' && poisonOrders.has(e.streamId));
      const poison = new Set(placed.map((e) => e.position));
      await runtime.start([
        segmented(fixture, (e) => (poisoned && poison.has(e.position) ? 'poisoned' : undefined)),
      ]);
      const head = events.at(-1)!.position;
      await runtime.waitForCheckpoint(fixture.name, head, 60_000);
      const active = (await target.readProjection(fixture.name))!.activeGeneration!;
      const view = {
        projection: fixture.name,
        generation: active,
        shape: fixture.plan({ version: 2 }).target,
      };
      const parked = (await target.listParked(view)).filter((p) => p.status === 'parked');
      expect(parked.map((p) => p.position).sort()).toEqual([...poison].sort());
      // They fell in several segments, each parked by its own.
      expect(new Set(parked.map((p) => segmentOfKey(p.keys[0]!, SEGMENTS))).size).toBeGreaterThan(1);

      poisoned = false;
      for (const event of placed) {
        const resolution = await runtime.replay(fixture.name, event.position);
        expect(resolution).toMatchObject({ kind: 'replayed' });
      }
      await waitFor(async () => (await target.listParked(view)).length === 0, 'nothing parked or held');
      expect(await readView(target, fixture.name)).toEqual(fixture.expected(events, 2));
    } finally {
      await runtime.stop();
      await target.close();
      await log.close();
    }
  });
});

describeWithStores(['postgres'], 'Segmented projection across nodes on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const fixture = RUNTIME_STORES.find((s) => s.name === 'PostgreSQL')!.fixture('');
  const name = fixture.name;
  let namespace = '';
  let log: EventStore;
  let reader: Target;
  const nodes: {
    id: string;
    runtime: ProjectionRuntime;
    keeper: OwnershipCoordinator;
    target: CountingTarget;
    coordination: CoordinationStore;
  }[] = [];

  beforeEach(async () => {
    namespace = uniqueTestName('segn');
    log = await openTestLog(database.url, `log_${namespace}`);
    reader = await RUNTIME_STORES[0]!.open({ ...urls, database: database.url }, namespace);
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

  async function startNode(id: string) {
    const target = new CountingTarget(
      await RUNTIME_STORES[0]!.open({ ...urls, database: database.url }, namespace),
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
      targets: { [target.kind]: target },
      recompile: (definition) => fixture.recompile(definition),
      runner: TEST_RUNNER,
      logger: silentLogger,
      ownership: keeper,
    });
    const node = { id, runtime, keeper, target, coordination };
    nodes.push(node);
    await runtime.start([segmented(fixture)]);
    return node;
  }

  const held = (node: (typeof nodes)[number]) =>
    node.keeper
      .snapshot()
      .held.map((lease) => lease.resource)
      .sort();

  async function atHead(events: readonly StoredEvent[]) {
    const head = events.at(-1)!.position;
    await waitFor(
      async () => (await segmentCheckpoints(reader, name)).every((c) => c === head),
      `every segment at ${head}`,
      60_000,
    );
    expect(await readView(reader, name)).toEqual(fixture.expected(events, 2));
  }

  it('two nodes split the segments 2/2, build the view together, and one takes over when the other dies', async () => {
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    await waitFor(() => held(a).length === 2 && held(b).length === 2, 'two segments on each node', 30_000);
    expect([...held(a), ...held(b)].sort()).toEqual([name, `${name}#1`, `${name}#2`, `${name}#3`]);

    const before = await appendOrders(log, 100);
    await atHead(before);
    // Each segment's commits came from the node holding its lease (per segment fence: nobody else's).
    for (const node of [a, b]) {
      const mine = new Set(held(node).map((r) => (r === name ? 0 : Number(r.split('#')[1]))));
      const committed = node.target.commits.filter(
        (c) => c.result?.kind === 'committed' && c.batch.checkpoint.to > c.batch.checkpoint.from,
      );
      expect(committed.length).toBeGreaterThan(0);
      for (const commit of committed) expect(mine.has(commit.view.segment ?? 0)).toBe(true);
    }

    // node-a dies: no renewals, its leases lapse; node-b takes all four segments and finishes.
    const died = Date.now();
    await a.keeper.stop({ release: false });
    await waitFor(() => held(b).length === SEGMENTS, 'node-b holds every segment', 30_000);
    console.log(`segments taken over after ${Date.now() - died} ms (lease TTL ${LEASES.leaseTtlMs} ms)`);
    const after = await appendOrders(log, 180);
    await atHead(after);
    const status = b.runtime.status(name);
    expect(status.segments?.map((s) => s.owner?.node)).toEqual(Array(SEGMENTS).fill('node-b'));
  });

  it('a rebuild of a segmented projection swaps in once, after every segment reached the head', async () => {
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    await waitFor(() => held(a).length === 2 && held(b).length === 2, 'two segments on each node', 30_000);
    const events = await appendOrders(log, 120);
    await atHead(events);
    const leader = [a, b].find((node) => node.runtime.owns(name))!;
    const swapsBefore = a.target.activations + b.target.activations;

    const outcome = await leader.runtime.rebuild(name);
    expect(outcome).toEqual({ generation: 2, started: true });
    await waitFor(
      async () => (await reader.readProjection(name))?.activeGeneration === 2,
      'generation 2 live',
      60_000,
    );
    // Swapped in once, and only once every segment's checkpoint of generation 2 was at the head.
    expect(a.target.activations + b.target.activations - swapsBefore).toBe(1);
    const head = events.at(-1)!.position;
    expect(await segmentCheckpoints(reader, name)).toEqual(Array(SEGMENTS).fill(head));
    // The old generation is dropped once the other segments had time to leave it (a registry poll or two).
    await waitFor(
      async () => (await reader.listGenerations(name)).map((g) => g.generation).join() === '2',
      'generation 1 dropped',
    );
    expect(await readView(reader, name)).toEqual(fixture.expected(events, 2));

    // The followers moved on to generation 2: new events reach every segment of it.
    const more = await appendOrders(log, 160);
    await atHead(more);
  });
});
