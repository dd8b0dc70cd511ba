/**
 * Read-your-writes against the real runtime: a PostgreSQL event store, the relational target on
 * PostgreSQL, and the order_summary projection, which reads only order events.
 *
 * The case this file exists for: a token from a command whose events the projection does not read. The
 * runner's checkpoint only lands on positions of events it reads, so it never reaches such a token; the
 * gate must still answer at once, because everything the view reads up to the token is applied.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import { TEST_RUNNER, untilVisible } from '../../../test/runtime/support/runtime-harness';
import type { CompiledProjection } from '../../core/plan';
import { compileYamlDefinition } from '../../dsl';
import { createEventStore } from '../../eventstore/event-store.factory';
import type { EventStore, EventToAppend } from '../../eventstore/event-store.port';
import { logFilterOf } from '../../runtime/source-filter';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { CheckpointTimeoutError } from '../../runtime/runtime.errors';
import { RelationalTarget } from '../../stores/relational/relational.target';
import { ConsistencyGate } from './consistency.gate';
import { NotYetConsistentError } from './consistency.errors';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeWithStores(['postgres'], 'read-your-writes gate over the real runtime', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let store: EventStore;
  let target: RelationalTarget;
  let runtime: ProjectionRuntime;
  let plan: CompiledProjection;
  let gate: ConsistencyGate;

  const append = async (streamId: string, event: EventToAppend): Promise<bigint> => {
    const { position } = await store.append(streamId, [event], 'any');
    await untilVisible(store, position);
    return position;
  };
  const orderPlaced = (orderId: string): EventToAppend => ({
    type: 'OrderPlaced',
    data: { orderId, customerId: 'c1', placedAt: '2026-01-01T00:00:00.000Z' },
  });
  const productListed = (productId: string): EventToAppend => ({
    type: 'ProductListed',
    data: { productId, title: 'Lamp', description: '', category: 'home', price: 100, tags: [] },
  });
  const rows = async () => target.readActive(plan.target);

  beforeAll(async () => {
    plan = compileYamlDefinition(
      readFileSync(path.join(__dirname, '../../../projections/order-summary.yaml'), 'utf8'),
      'order-summary.yaml',
    );
    store = await createEventStore({ kind: 'postgres', url: database.url, schema: 'events' });
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'views' });
    runtime = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      runner: TEST_RUNNER,
      logger: quiet,
    });
    await runtime.start([plan]);
    gate = new ConsistencyGate({
      runtime: async () => runtime,
      filterOf: (name) => (name === plan.name ? logFilterOf(plan) : undefined),
      store,
      maxWaitMs: 10_000,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await target?.close();
    await store?.close();
  });

  it('waits until the view has applied the event at `after`', async () => {
    const position = await append('order-o1', orderPlaced('o1'));
    const progress = await gate.wait(plan.name, { after: position, waitMs: 5_000 });
    expect(progress?.checkpoint).toBeGreaterThanOrEqual(position);
    expect((await rows()).map((row) => row.order_id)).toContain('o1');
  });

  it('answers at once for a token of events the projection does not read (the checkpoint never gets there)', async () => {
    await gate.wait(plan.name, { after: await append('order-o2', orderPlaced('o2')), waitMs: 5_000 });
    const unrelated = await append('product-p1', productListed('p1'));
    // The runner's own wait would never resolve: nothing it reads sits at or after this position.
    await expect(runtime.waitForCheckpoint(plan.name, unrelated, 300)).rejects.toBeInstanceOf(
      CheckpointTimeoutError,
    );
    const started = Date.now();
    const progress = await gate.wait(plan.name, { after: unrelated, waitMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(progress?.checkpoint).toBeLessThan(unrelated);
  });

  it('with an unrelated token behind a relevant event not yet applied: 503 while paused, then answers once applied', async () => {
    await runtime.pause(plan.name);
    try {
      const relevant = await append('order-o3', orderPlaced('o3'));
      const unrelated = await append('product-p2', productListed('p2'));
      const checkpoint = runtime.status(plan.name).live!.checkpoint;
      const error = await gate.wait(plan.name, { after: unrelated, waitMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotYetConsistentError);
      expect((error as NotYetConsistentError).checkpoint).toBe(checkpoint);
      expect((error as NotYetConsistentError).checkpoint).toBeLessThan(relevant);
      await runtime.resume(plan.name);
      const progress = await gate.wait(plan.name, { after: unrelated, waitMs: 5_000 });
      expect(progress?.checkpoint).toBe(relevant);
      expect((await rows()).map((row) => row.order_id)).toContain('o3');
    } finally {
      await runtime.resume(plan.name).catch(() => undefined);
    }
  });

  it('times out with NotYetConsistentError for a position the log has not reached', async () => {
    const head = await store.headPosition();
    const started = Date.now();
    const error = await gate.wait(plan.name, { after: head + 1_000n, waitMs: 250 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotYetConsistentError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lets a name that is no projection through (the query API answers 404 itself)', async () => {
    await expect(gate.wait('no_such_view', { after: 1n, waitMs: 100 })).resolves.toBeUndefined();
  });
});
