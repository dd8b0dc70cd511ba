/**
 * Generations on every store (support/runtime-stores.ts): a new projection backfills, a changed definition
 * is rebuilt beside the live view (which keeps advancing with its old plan), swapped in atomically at the
 * head and the old generation dropped; manual rebuilds; a rebuild resumes after a restart. Cases of the
 * runtime's own logic (`itLight`) are skipped on heavy stores; a YAML definition's rebuild and the physical
 * tables of an interrupted swap are checked on PostgreSQL (at the end).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileYamlDefinition, definitionModelOf, recompileDefinition } from '../../src/dsl';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import type { Recompile } from '../../src/runtime/projection-supervisor';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { CommitBatch, ViewRef } from '../../src/stores/target.port';
import { REPO_ROOT } from '../stores/store-endpoints';
import { describeWithStores, useTestDatabase } from '../support/stores';
import {
  expectedOrderSummary,
  orderSummaryDefinition,
  orderSummaryPlan,
  orderSummaryShape,
} from './fixtures/order-summary.fixture';
import {
  appendOrders,
  byKey,
  connectionReset,
  FaultyTarget,
  openTestLog,
  readAllEvents,
  TEST_RUNNER,
  waitFor,
} from './support/runtime-harness';
import { describeOnRuntimeStores } from './support/runtime-suite';

describeOnRuntimeStores('rebuilds and swaps', (context) => {
  const { itLight } = context;
  const fixture = () => context.fixture();
  const name = () => fixture().name;
  const log = () => context.log();
  const head = () => context.head();
  const version = (v: 1 | 2) => ({
    plan: fixture().plan({ version: v }),
    definition: fixture().definition(v),
  });
  const generations = async () =>
    (await context.target().listGenerations(name())).map((g) => [g.generation, g.status]);
  /** Gates still closed when a test ends (it failed): opened, so stopping the runtimes cannot hang. */
  const gates: (() => void)[] = [];
  afterEach(() => {
    for (const open of gates.splice(0)) open();
  });
  /** Holds commits of one generation until `open()` (as a slow rebuild would). */
  const gate = (generation: number) => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    gates.push(open);
    const faulty = new FaultyTarget(context.target());
    let held = 0;
    faulty.beforeCommit = async (view: ViewRef, _batch: CommitBatch) => {
      if (view.generation === generation) {
        held += 1;
        await opened;
      }
    };
    return { faulty, open, held: () => held };
  };

  itLight('a new projection is readable at once as generation 1 and backfills from the start', async () => {
    const events = await appendOrders(log(), 25);
    const v1 = version(1);
    const runtime = await context.start({ plans: [v1] });
    await runtime.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(fixture().expected(events));
    expect(runtime.status(name())).toMatchObject({ state: 'live', live: { generation: 1 }, rebuild: null });
    const stored = await context.target().listGenerations(name());
    expect(stored.map((g) => [g.generation, g.status, g.fingerprint, g.definition])).toEqual([
      [1, 'active', v1.plan.fingerprint, v1.definition],
    ]);
  });

  it('rebuilds a changed definition beside the live view, which keeps advancing with its old plan, then swaps', async () => {
    await appendOrders(log(), 30);
    const first = await context.start({ plans: [version(1)] });
    await first.waitForCheckpoint(name(), await head());
    await context.stop(first);

    const slow = gate(2);
    const runtime = await context.start({
      plans: [version(2)],
      target: slow.faulty,
      recompile: fixture().recompile,
    });
    await waitFor(() => slow.held() > 0, 'the rebuild to start writing');
    const during = runtime.status(name());
    expect(during.state).toBe('rebuilding');
    expect(during.live).toMatchObject({ generation: 1, fingerprint: version(1).plan.fingerprint });
    expect(during.rebuild).toMatchObject({
      generation: 2,
      fingerprint: version(2).plan.fingerprint,
      state: 'rebuilding',
    });

    // While generation 2 is held back, generation 1 keeps serving and advancing with the v1 plan.
    const more = await appendOrders(log(), 40);
    await runtime.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(fixture().expected(more, 1));
    expect(await generations()).toEqual([
      [1, 'active'],
      [2, 'building'],
    ]);

    slow.open();
    await waitFor(() => runtime.status(name()).live?.generation === 2, 'the swap to generation 2');
    expect(await context.view()).toEqual(fixture().expected(more, 2));
    await waitFor(async () => (await generations()).length === 1, 'the old generation to be dropped');
    expect(await generations()).toEqual([[2, 'active']]);
    expect(runtime.status(name())).toMatchObject({ state: 'live', rebuild: null });

    const last = await appendOrders(log(), 45);
    await runtime.waitForCheckpoint(name(), await head());
    expect(await context.view()).toEqual(fixture().expected(last, 2));
  });

  itLight(
    'without a compiler for the stored definition, the old generation serves reads without advancing',
    async () => {
      const events = await appendOrders(log(), 10);
      const first = await context.start({ plans: [version(1)] });
      await first.waitForCheckpoint(name(), await head());
      await context.stop(first);

      const slow = gate(2);
      const runtime = await context.start({ plans: [version(2)], target: slow.faulty });
      await waitFor(() => slow.held() > 0, 'the rebuild to start writing');
      expect(runtime.status(name()).live).toBeNull();
      expect(runtime.status(name()).notes.join()).toMatch(/does not advance during the rebuild/);
      const more = await appendOrders(log(), 12);
      expect(await context.view()).toEqual(fixture().expected(events, 1));

      slow.open();
      await runtime.waitForCheckpoint(name(), await head());
      expect(runtime.status(name()).live?.generation).toBe(2);
      expect(await context.view()).toEqual(fixture().expected(more, 2));
    },
  );

  itLight('a manual rebuild builds a fresh generation of the same definition and swaps it in', async () => {
    const events = await appendOrders(log(), 20);
    const runtime = await context.start({ plans: [version(1)] });
    await runtime.waitForCheckpoint(name(), await head());
    expect(await runtime.rebuild(name())).toEqual({ generation: 2, started: true });
    expect(await runtime.rebuild(name())).toEqual({ generation: 2, started: false });
    await waitFor(() => runtime.status(name()).live?.generation === 2, 'the swap to generation 2');
    expect(await context.view()).toEqual(fixture().expected(events));
    await waitFor(async () => (await generations()).length === 1, 'the old generation to be dropped');
  });

  itLight('a rebuild interrupted by a restart resumes from its own checkpoint', async () => {
    await appendOrders(log(), 40);
    const first = await context.start({ plans: [version(1)] });
    await first.waitForCheckpoint(name(), await head());
    await context.stop(first);

    // The rebuild gets two batches in, then its store connection keeps failing until the process stops.
    const flaky = new FaultyTarget(context.target());
    let committed = 0;
    flaky.beforeCommit = (view) => {
      if (view.generation !== 2) return;
      if (committed >= 2) throw connectionReset();
      committed += 1;
    };
    const second = await context.start({
      plans: [version(2)],
      target: flaky,
      recompile: fixture().recompile,
    });
    await waitFor(
      () => second.status(name()).rebuild?.lastError !== null && committed === 2,
      'the failing rebuild',
    );
    await context.stop(second);
    const resumedFrom = await context
      .target()
      .readCheckpoint({ projection: name(), generation: 2, shape: version(2).plan.target });
    expect(resumedFrom).toBe(100n);

    const observed = new FaultyTarget(context.target());
    const third = await context.start({
      plans: [version(2)],
      target: observed,
      recompile: fixture().recompile,
    });
    await waitFor(() => third.status(name()).live?.generation === 2, 'the swap to generation 2');
    const firstRebuildCommit = observed.commits.find((c) => c.view.generation === 2)!;
    expect(firstRebuildCommit.batch.checkpoint.from).toBe(100n);
    expect(await context.view()).toEqual(fixture().expected(await readAllEvents(log()), 2));
  });
});

const v1 = { plan: orderSummaryPlan({ version: 1 }), definition: orderSummaryDefinition({ version: 1 }) };

describeWithStores(['postgres'], 'rebuilds and swaps, PostgreSQL specifics', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let schemaNumber = 0;
  let schema = '';
  let target: RelationalTarget;
  let store: EventStore;
  const runtimes: ProjectionRuntime[] = [];

  beforeEach(async () => {
    schemaNumber += 1;
    schema = `rebuild_${schemaNumber}`;
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema, poolSize: 4 });
    store = await openTestLog(database.url, `log_${schemaNumber}`);
  });
  /** Gates still closed when a test ends (it failed): opened, so stopping the runtimes cannot hang. */
  const gates: (() => void)[] = [];
  afterEach(async () => {
    for (const open of gates.splice(0)) open();
    for (const runtime of runtimes.splice(0)) await runtime.stop();
    await target.close();
    await store.close();
  });

  const start = async (
    definitions: Parameters<ProjectionRuntime['start']>[0],
    options: { target?: FaultyTarget; recompile?: Recompile } = {},
  ) => {
    const runtime = new ProjectionRuntime({
      store,
      targets: { postgres: options.target ?? target },
      runner: TEST_RUNNER,
      logger: silentLogger,
      ...(options.recompile !== undefined ? { recompile: options.recompile } : {}),
    });
    runtimes.push(runtime);
    await runtime.start(definitions);
    return runtime;
  };
  const stop = async (runtime: ProjectionRuntime) => {
    await runtime.stop();
    runtimes.splice(runtimes.indexOf(runtime), 1);
  };
  const readers = async (version: 1 | 2) => byKey(await target.readActive(orderSummaryShape({ version })));
  const tables = async (): Promise<string[]> =>
    (
      await target.dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'order_summary%' ORDER BY table_name`,
        [schema],
      )
    ).map((row: { table_name: string }) => row.table_name);
  /** Holds commits of one generation until `open()` (as a slow rebuild would). */
  const gate = (generation: number) => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    gates.push(open);
    const faulty = new FaultyTarget(target);
    let held = 0;
    faulty.beforeCommit = async (view: ViewRef, _batch: CommitBatch) => {
      if (view.generation === generation) {
        held += 1;
        await opened;
      }
    };
    return { faulty, open, held: () => held };
  };

  it('rebuilds a changed YAML definition while the old generation runs its recompiled old plan', async () => {
    const text = readFileSync(path.join(REPO_ROOT, 'projections', 'order-summary.yaml'), 'utf8');
    const yamlV1 = compileYamlDefinition(text);
    const yamlV2 = compileYamlDefinition(
      text
        .replace('version: 1', 'version: 2')
        .replace('    total: { type: bigint }', '    total: { type: bigint }\n    lines: { type: integer }')
        .replace('          item_count: 0\n', '          item_count: 0\n          lines: 0\n')
        .replace(
          '          item_count: event.data.qty\n',
          '          item_count: event.data.qty\n          lines: 1\n',
        ),
    );
    expect(yamlV2.fingerprint).not.toBe(yamlV1.fingerprint);
    const dsl = { recompile: recompileDefinition, definitionOf: definitionModelOf };
    const startYaml = async (plan: typeof yamlV1, faulty?: FaultyTarget) => {
      const runtime = new ProjectionRuntime({
        store,
        targets: { postgres: faulty ?? target },
        runner: TEST_RUNNER,
        logger: silentLogger,
        ...dsl,
      });
      runtimes.push(runtime);
      await runtime.start([plan]);
      return runtime;
    };
    await appendOrders(store, 20);
    const first = await startYaml(yamlV1);
    await first.waitForCheckpoint('order_summary', await store.headPosition());
    await stop(first);
    expect((await target.listGenerations('order_summary'))[0]!.definition).toEqual(definitionModelOf(yamlV1));

    const slow = gate(2);
    const runtime = await startYaml(yamlV2, slow.faulty);
    await waitFor(() => slow.held() > 0, 'the rebuild to start writing');
    expect(runtime.status('order_summary').live).toMatchObject({
      generation: 1,
      fingerprint: yamlV1.fingerprint,
    });
    const more = await appendOrders(store, 30);
    await runtime.waitForCheckpoint('order_summary', await store.headPosition());
    expect(byKey(await target.readActive(yamlV1.target))).toEqual(expectedOrderSummary(more, 1));

    slow.open();
    await waitFor(() => runtime.status('order_summary').live?.generation === 2, 'the swap to generation 2');
    const rows = byKey(await target.readActive(yamlV2.target));
    const lines = new Map<string, number>();
    for (const event of more)
      if (event.type === 'ItemAdded')
        lines.set(event.data.orderId as string, (lines.get(event.data.orderId as string) ?? 0) + 1);
    expect(rows).toEqual(
      expectedOrderSummary(more, 1).map((row) => ({ ...row, lines: lines.get(row.order_id as string) ?? 0 })),
    );
  });

  it('finishes a swap whose drop was interrupted: retired generations are dropped at start', async () => {
    const events = await appendOrders(store, 5);
    const first = await start([v1]);
    await first.waitForCheckpoint('order_summary', await store.headPosition());
    await stop(first);
    // As if the process died right after activating generation 2.
    const view2 = { projection: 'order_summary', generation: 2, shape: v1.plan.target };
    await target.prepare({ ...view2, fingerprint: v1.plan.fingerprint, definition: v1.definition });
    await target.activate(view2);
    expect(await tables()).toEqual(['order_summary', 'order_summary__g1', 'order_summary__g2']);

    const runtime = await start([v1]);
    expect(await tables()).toEqual(['order_summary', 'order_summary__g2']);
    await runtime.waitForCheckpoint('order_summary', await store.headPosition());
    expect(await readers(1)).toEqual(expectedOrderSummary(events));
  });
});
