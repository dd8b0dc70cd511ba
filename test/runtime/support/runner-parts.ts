/**
 * The runner's parts wired as ProjectionRunner wires them, over an InMemoryTarget, so each part can be
 * driven alone in unit tests (no loop, no log). Events are made by `orderEvent`, positions 1, 2, 3...
 */
import type { CompiledProjection } from '../../../src/core/plan';
import type { StoredEvent } from '../../../src/eventstore/event-store.port';
import { BatchCommitter } from '../../../src/runtime/runner/batch-commit';
import { BatchPipeline } from '../../../src/runtime/runner/batch-pipeline';
import { ParkedEvents } from '../../../src/runtime/runner/parked-events';
import { PoisonIsolation } from '../../../src/runtime/runner/poison-isolation';
import { runnerContext } from '../../../src/runtime/runner/runner-context';
import { RunnerStatus } from '../../../src/runtime/runner/runner-status';
import { silentLogger } from '../../../src/runtime/runtime.logger';
import { runnerOptions, type RunnerOptions } from '../../../src/runtime/runtime.options';
import type { StoreCapabilities } from '../../../src/stores/store-capabilities';
import { InMemoryEventStore } from './in-memory-event-store';
import { InMemoryTarget } from './in-memory-target';

export function runnerParts(
  plan: CompiledProjection,
  options: Partial<RunnerOptions> = {},
  capabilities?: StoreCapabilities,
) {
  const target = new InMemoryTarget(plan.target.kind, capabilities);
  const view = { projection: plan.name, generation: 1, shape: plan.target };
  const context = runnerContext(
    {
      store: new InMemoryEventStore(),
      target,
      plan,
      view,
      fingerprint: plan.fingerprint,
      role: 'live',
      options: runnerOptions(options),
      logger: silentLogger,
    },
    () => 'live',
  );
  const status = new RunnerStatus(context, plan.fingerprint, () => undefined);
  const committer = new BatchCommitter(context, status);
  const poison = new PoisonIsolation(context, committer);
  const parked = new ParkedEvents(context, status, committer, poison);
  const interrupts = { count: 0 };
  const pipeline = new BatchPipeline(context, status, committer, poison, () => (interrupts.count += 1));
  return { target, view, context, status, committer, poison, parked, pipeline, interrupts };
}

/** Makes order events at positions 1, 2, 3... in the order they are made. */
export function orderEvents() {
  let position = 0n;
  const event = (type: string, data: Record<string, string | number>): StoredEvent => {
    position += 1n;
    return {
      id: `e${position}`,
      streamId: `order-${String(data.orderId)}`,
      revision: 0,
      position,
      type,
      data,
      metadata: { timestamp: '2024-01-01T00:00:00Z', schemaVersion: 1 },
    };
  };
  return {
    placed: (orderId: string, customerId = `c-${orderId}`) => event('OrderPlaced', { orderId, customerId }),
    item: (orderId: string, qty: number, price = 10) =>
      event('ItemAdded', { orderId, productId: 'p', qty, price }),
    shipped: (orderId: string) => event('OrderShipped', { orderId }),
  };
}
