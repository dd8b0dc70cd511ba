/** Shared helpers for the runtime's integration tests. */
import type { CompiledProjection, ViewDocument } from '../../../src/core/plan';
import type { EventStore, EventToAppend, StoredEvent } from '../../../src/eventstore/event-store.port';
import type { RunnerOptions } from '../../../src/runtime/runtime.options';
import type { CommitBatch, CommitResult, Target, ViewRef } from '../../../src/stores/target.port';
import { orderEvents, orders, sequential, interleaved } from '../../../bench/workload';
import { createEventStore } from '../../../src/eventstore/event-store.factory';
import { ProjectionRuntime } from '../../../src/runtime/projection-runtime';
import { silentLogger } from '../../../src/runtime/runtime.logger';
import { InMemoryEventStore } from './in-memory-event-store';

/**
 * Small batches and fast polls, so a few hundred events exercise many batches and swaps. Catch-up batches
 * (Neo4j's, runner/batch-sizes.ts) are kept at twice the batch size for the same reason.
 */
export const TEST_RUNNER: Partial<RunnerOptions> = {
  batchSize: 50,
  catchUpBatchEvents: 100,
  maxBatchLatencyMs: 5,
  headPollMs: 50,
  backoff: { initialMs: 5, maxMs: 50 },
  maxUnknownAttempts: 3,
  progressLogMs: 60_000,
};

/**
 * A runtime over `plans` (targets by kind, TEST_RUNNER), started, given to `until`, and stopped whether
 * `until` succeeds or throws.
 */
export async function runRuntimeUntil(
  store: EventStore,
  targets: Readonly<Record<string, Target>>,
  plans: readonly CompiledProjection[],
  until: (runtime: ProjectionRuntime) => Promise<void>,
): Promise<void> {
  const runtime = new ProjectionRuntime({ store, targets, runner: TEST_RUNNER, logger: silentLogger });
  try {
    await runtime.start(plans);
    await until(runtime);
  } finally {
    await runtime.stop();
  }
}

/**
 * Appends reference-workload orders up to `count` (orders already in the log are skipped, so calling it
 * again with a larger count adds only the new ones); returns every stored event in log order.
 */
export async function appendOrders(
  store: EventStore,
  count: number,
  options: { seed?: number; mode?: 'sequential' | 'interleaved' } = {},
): Promise<StoredEvent[]> {
  const seed = options.seed ?? 42;
  const existing = new Set((await readAllEvents(store)).map((event) => event.streamId));
  const source = options.mode === 'interleaved' ? interleaved(count, seed, 20) : sequential(count, seed);
  let last = 0n;
  for (const { streamId, events } of source) {
    if (!existing.has(streamId)) last = (await store.append(streamId, events, 'any')).position;
  }
  await untilVisible(store, last);
  return readAllEvents(store);
}

/** Appends and waits until readers can see the events (see untilVisible). */
export async function appendVisible(
  store: EventStore,
  streamId: string,
  events: readonly EventToAppend[],
): Promise<void> {
  await untilVisible(store, (await store.append(streamId, events, 'any')).position);
}

/**
 * The PostgreSQL log shows readers only the prefix below the oldest transaction still open on the server
 * (other test files run beside this one), so an event can be committed and not yet readable: tests that
 * read the head right after appending wait until it is there.
 */
export async function untilVisible(store: EventStore, position: bigint): Promise<void> {
  await waitFor(
    async () => (await store.headPosition()) >= position,
    `position ${position} to become readable`,
  );
}

/**
 * The kill suites' log: `count` interleaved orders, then every other customer renamed twice after its
 * orders (fan-out updates of every order of that customer); returns every stored event in log order.
 */
export async function appendOrdersWithRenames(store: EventStore, count: number): Promise<StoredEvent[]> {
  const orders = await appendOrders(store, count, { mode: 'interleaved' });
  const customers = [
    ...new Set(orders.filter((e) => e.type === 'OrderPlaced').map((e) => e.data.customerId as string)),
  ].filter((_, i) => i % 2 === 0);
  for (const round of [1, 2])
    for (const customerId of customers)
      await appendVisible(store, `customer-${customerId}`, [
        { type: 'CustomerRenamed', data: { customerId, name: `${customerId} (${round})` } },
      ]);
  return readAllEvents(store);
}

/** Appends one order with explicit events (for poison cases). */
export async function appendOrder(store: EventStore, index: number, seed = 7): Promise<void> {
  const order = [...orders(index + 1, seed)][index]!;
  await store.append(order.streamId, orderEvents(order), 'any');
}

export async function readAllEvents(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (;;) {
    const page = await store.readAll({
      ...(all.length > 0 ? { after: all[all.length - 1]!.position } : {}),
      maxCount: 1000,
    });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/** Rows in key order (code unit order, like `COLLATE "C"`), for comparisons that ignore row order. */
export function byKey(rows: readonly ViewDocument[], key = 'order_id'): ViewDocument[] {
  const text = (row: ViewDocument) => {
    const value = row[key];
    return typeof value === 'string' ? value : JSON.stringify(value ?? null);
  };
  return [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** Polls a condition (never a fixed sleep as a pass criterion); fails with `what` after the timeout. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A real target with hooks, for injecting faults the way a flaky network or a slow disk would: the
 * hooks run before the call reaches the real target.
 */
export class FaultyTarget implements Target {
  beforeCommit: ((view: ViewRef, batch: CommitBatch) => Promise<void> | void) | undefined;
  beforeLoad: ((view: ViewRef) => Promise<void> | void) | undefined;
  beforePrepare: ((spec: Parameters<Target['prepare']>[0]) => Promise<void> | void) | undefined;
  readonly commits: { view: ViewRef; batch: CommitBatch; result?: CommitResult }[] = [];
  loads = 0;

  constructor(readonly inner: Target) {}

  get kind() {
    return this.inner.kind;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  initialize() {
    return this.inner.initialize();
  }
  readProjection(name: string) {
    return this.inner.readProjection(name);
  }
  listGenerations(projection: string) {
    return this.inner.listGenerations(projection);
  }
  setPaused(name: string, paused: boolean) {
    return this.inner.setPaused(name, paused);
  }
  async prepare(spec: Parameters<Target['prepare']>[0]) {
    await this.beforePrepare?.(spec);
    return this.inner.prepare(spec);
  }
  readCheckpoint(view: ViewRef) {
    return this.inner.readCheckpoint(view);
  }
  async load(view: ViewRef, keys: readonly string[]) {
    await this.beforeLoad?.(view);
    this.loads += 1;
    return this.inner.load(view, keys);
  }
  validate(view: ViewRef, document: ViewDocument) {
    return this.inner.validate(view, document);
  }
  async commit(view: ViewRef, batch: CommitBatch) {
    await this.beforeCommit?.(view, batch);
    const result = await this.inner.commit(view, batch);
    this.commits.push({ view, batch, result });
    return result;
  }
  activate(view: ViewRef, options?: { minCheckpoint?: bigint }) {
    return this.inner.activate(view, options);
  }
  drop(view: ViewRef) {
    return this.inner.drop(view);
  }
  listParked(view: ViewRef) {
    return this.inner.listParked(view);
  }
  listResolutions(view: ViewRef) {
    return this.inner.listResolutions(view);
  }
  scan(view: ViewRef, options: Parameters<Target['scan']>[1]) {
    return this.inner.scan(view, options);
  }
  loadLookups(view: ViewRef, entries: Parameters<NonNullable<Target['loadLookups']>>[1]) {
    return this.inner.loadLookups!(view, entries);
  }
  scanLookups(view: ViewRef) {
    return this.inner.scanLookups!(view);
  }
  findKeys(view: ViewRef, field: string, values: readonly (string | number)[], limit: number) {
    return this.inner.findKeys!(view, field, values, limit);
  }
  classifyError(error: unknown) {
    return this.inner.classifyError(error);
  }
  close() {
    return this.inner.close();
  }
}

/** An error shaped like node-postgres reports a reset connection. */
export function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
}

/** The event log for runtime tests: the PostgreSQL event store in its own schema of the test database. */
export async function openTestLog(url: string, schema: string): Promise<EventStore> {
  if (process.env.PRISM_TEST_LOG === 'memory') return new InMemoryEventStore();
  return createEventStore({ kind: 'postgres', url, schema });
}
