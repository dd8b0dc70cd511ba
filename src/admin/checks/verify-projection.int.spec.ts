/**
 * verifyProjection while the live projection moves at the worst moments, made deterministic: the real
 * runtime runs the projection on an embedded SQLite view over the embedded event store, and the target
 * handed to verify appends events and waits for the runtime to apply them in the middle of the scan and
 * of the settle rounds. No false difference may come out, and a pause it takes must be undone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompiledProjection } from '../../core/plan';
import { compileYamlDefinition, definitionModelOf, recompileDefinition } from '../../dsl';
import { createEventStore } from '../../eventstore/event-store.factory';
import type { EventStore } from '../../eventstore/event-store.port';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { RelationalTarget } from '../../stores/relational/relational.target';
import { isRelationalShape } from '../../stores/relational/relational-view-shape';
import type { Target } from '../../stores/target.port';
import { verifyProjection, type VerifyDependencies } from './verify-projection';

const FAST_RUNNER = { batchSize: 50, maxBatchLatencyMs: 5, headPollMs: 20, progressLogMs: 60_000 };

describe('verifyProjection against a moving live projection (SQLite view, embedded log)', () => {
  let folder: string;
  let store: EventStore;
  let target: RelationalTarget;
  let runtime: ProjectionRuntime;
  let plan: CompiledProjection;
  let next = 0;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'prism-verify-'));
    store = await createEventStore({ kind: 'embedded', file: path.join(folder, 'events.sqlite') });
    target = await RelationalTarget.connect({ kind: 'sqlite', file: path.join(folder, 'views.sqlite') });
    plan = compileYamlDefinition(
      readFileSync(path.join(__dirname, '../../../projections/order-summary.yaml'), 'utf8'),
      'order-summary.yaml',
    );
    runtime = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      recompile: (model) => recompileDefinition(model),
      definitionOf: definitionModelOf,
      runner: FAST_RUNNER,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await runtime.start([plan]);
    await applied(await appendOrders(30));
  });

  afterAll(async () => {
    await runtime?.stop();
    await target?.close();
    await store?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Appends `count` orders (placed, an item, every third shipped) and items to earlier orders. */
  async function appendOrders(count: number): Promise<bigint> {
    let last = 0n;
    for (let k = 0; k < count; k++) {
      const i = ++next;
      const orderId = `o-${String(i).padStart(4, '0')}`;
      last = (
        await store.append(
          `order-${orderId}`,
          [
            { type: 'OrderPlaced', data: { orderId, customerId: `c-${i % 7}` } },
            { type: 'ItemAdded', data: { orderId, productId: 'p-1', qty: 2, price: 150 } },
            ...(i % 3 === 0 ? [{ type: 'OrderShipped', data: { orderId } }] : []),
          ],
          'any',
        )
      ).position;
      if (i > 1) {
        const earlier = `o-${String(i - 1).padStart(4, '0')}`;
        last = (
          await store.append(
            `order-${earlier}`,
            [{ type: 'ItemAdded', data: { orderId: earlier, productId: 'p-2', qty: 1, price: 5 } }],
            'any',
          )
        ).position;
      }
    }
    return last;
  }

  const applied = (position: bigint) => runtime.waitForCheckpoint(plan.name, position);

  /** The target verify sees: the real one, with `hook` run before the chosen calls. */
  function hooked(on: 'scan' | 'load', hook: (call: number, args: unknown[]) => Promise<void>): Target {
    let calls = 0;
    return new Proxy(target, {
      get(inner, property, receiver) {
        const value = Reflect.get(inner, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (property !== on) return (value as (...a: unknown[]) => unknown).bind(inner);
        return async (...args: unknown[]) => {
          calls += 1;
          await hook(calls, args);
          return (value as (...a: unknown[]) => unknown).apply(inner, args);
        };
      },
    });
  }

  function deps(verifyTarget: Target, pause?: VerifyDependencies['pause']): VerifyDependencies {
    return {
      store,
      target: verifyTarget,
      catalogPlan: plan,
      recompile: (model) => recompileDefinition(model),
      ...(pause !== undefined && { pause }),
    };
  }

  it('reports no difference when the view moves on during the scan (new and changed rows)', async () => {
    const before = (await target.readCheckpoint({
      projection: plan.name,
      generation: 1,
      shape: plan.target,
    }))!;
    const moving = hooked('scan', async (call) => {
      // Between the fold to C and the scan pages: new orders and changed earlier ones become live.
      if (call <= 2) await applied(await appendOrders(5));
    });
    const report = await verifyProjection(deps(moving), plan.name, { pageSize: 16 });
    expect(report.total).toBe(0);
    expect(report.settled).toBe(true);
    expect(report.paused).toBe(false);
    // The scan saw rows the first fold did not have; settling folded on to a later position.
    expect(report.rounds).toBeGreaterThanOrEqual(1);
    expect(BigInt(report.checkpoint)).toBeGreaterThan(before);
    expect(report.rebuiltEntries).toBe(next);
  });

  it('still reports a real difference found while the view moves', async () => {
    const shape = plan.target;
    if (!isRelationalShape(shape)) throw new Error('order_summary is a relational view');
    // Corrupted directly in the table, behind the runtime's back.
    await target.dataSource.query(
      `UPDATE "${shape.table}__g1" SET status = 'lost' WHERE order_id = 'o-0002'`,
    );
    const moving = hooked('scan', async (call) => {
      if (call === 1) await applied(await appendOrders(3));
    });
    const report = await verifyProjection(deps(moving), plan.name, { pageSize: 16 });
    expect(report.total).toBe(1);
    expect(report.differences[0]).toMatchObject({
      key: 'o-0002',
      kind: 'different',
      fields: [{ field: 'status', live: 'lost', rebuilt: 'placed' }],
    });
    await target.dataSource.query(
      `UPDATE "${shape.table}__g1" SET status = 'placed' WHERE order_id = 'o-0002'`,
    );
  });

  it('pauses the projection when it never holds still, and always resumes it', async () => {
    const pauses: string[] = [];
    const restless = hooked('load', async (_call, args) => {
      // Every settle round, the very rows being re-checked change between the checkpoint read and the load.
      if (pauses.length > 0) return;
      let last = 0n;
      for (const orderId of args[1] as string[]) {
        const event = { type: 'ItemAdded', data: { orderId, productId: 'p-3', qty: 1, price: 1 } };
        last = (await store.append(`order-${orderId}`, [event], 'any')).position;
      }
      await applied(last);
    });
    const corruptible = hooked('scan', async (call) => {
      if (call === 1) await applied(await appendOrders(2));
    });
    // Suspects come from the moving scan; the restless loads keep the checkpoint moving until the pause.
    const both = new Proxy(corruptible, {
      get(inner, property, receiver) {
        return property === 'load'
          ? Reflect.get(restless, property, receiver)
          : (Reflect.get(inner, property, receiver) as unknown);
      },
    });
    const report = await verifyProjection(
      deps(both, async () => {
        pauses.push('pause');
        await runtime.pause(plan.name);
        return async () => {
          pauses.push('resume');
          await runtime.resume(plan.name);
        };
      }),
      plan.name,
      { pageSize: 16, rounds: 2 },
    );
    expect(pauses).toEqual(['pause', 'resume']);
    expect(report.paused).toBe(true);
    expect(report.settled).toBe(true);
    expect(report.total).toBe(0);
    expect(runtime.status(plan.name).state).not.toBe('paused');
    // And it keeps applying events after the resume.
    await applied(await appendOrders(1));
  });
});
