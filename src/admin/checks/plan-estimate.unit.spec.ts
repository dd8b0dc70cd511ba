/** `prism plan` estimates from the projection's measured catch-up rate, and says which rate it used (issue #17). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InMemoryEventStore } from '../../../test/runtime/support/in-memory-event-store';
import type { GenerationStatus, ProjectionStatus } from '../../runtime/projection-status';
import { formatPlanReport } from '../../cli/commands/plan.command';
import { DEFAULT_REPLAY_RATE, planDefinition, type MeasuredRate } from './plan-definition';
import { measuredRate } from './plan-rate';

const file = path.join(__dirname, '../../../projections/order-summary.yaml');
const text = readFileSync(file, 'utf8');

async function logWithOrders(orders: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < orders; i += 1) {
    await store.append(
      `order-${i}`,
      [
        { type: 'OrderPlaced', data: { orderId: `o${i}`, customerId: 'c1' } },
        { type: 'ItemAdded', data: { orderId: `o${i}`, sku: 's', quantity: 1, price: 100 } },
      ],
      'any',
    );
  }
  return store;
}

async function plan(rate: MeasuredRate | undefined) {
  const store = await logWithOrders(30);
  return planDefinition(
    {
      store,
      target: () => undefined,
      recompile: () => undefined,
      catalogPlan: () => undefined,
      measuredRate: () => rate,
    },
    { text, file },
  );
}

function generation(overrides: Partial<GenerationStatus>): GenerationStatus {
  return {
    generation: 1,
    fingerprint: 'f',
    state: 'live',
    checkpoint: 100n,
    head: 100n,
    behind: 0n,
    lagSeconds: 0,
    eventsPerSecond: 1,
    eventsApplied: 100,
    catchUp: null,
    progress: 1,
    etaSeconds: 0,
    parked: 0,
    held: 0,
    lastError: null,
    stall: null,
    ...overrides,
  };
}

function status(live: GenerationStatus | null, rebuild: GenerationStatus | null = null): ProjectionStatus {
  return { name: 'order_summary', state: 'live', live, rebuild, stall: null, notes: [] };
}

describe('plan estimate', () => {
  it('divides the events to replay by the measured rate, and says it was measured and over what', async () => {
    const report = await plan({ eventsPerSecond: 4, basis: 'measured during a test: 40 events in 10 s' });
    expect(report.replay.events).toBe(60);
    expect(report.estimate).toEqual({
      seconds: 15,
      eventsPerSecond: 4,
      rate: 'measured',
      basis: 'measured during a test: 40 events in 10 s',
    });
    expect(formatPlanReport(report)).toContain(
      '  estimated duration: 15s at 4 events/s (measured rate: measured during a test: 40 events in 10 s)',
    );
  });

  it('falls back to the default only when nothing was measured, and says so', async () => {
    for (const rate of [undefined, { eventsPerSecond: 0, basis: 'nothing yet' }]) {
      const report = await plan(rate);
      expect(report.estimate.rate).toBe('default');
      expect(report.estimate.eventsPerSecond).toBe(DEFAULT_REPLAY_RATE);
      expect(report.estimate.basis).toContain(`default of ${DEFAULT_REPLAY_RATE} events/s`);
      expect(formatPlanReport(report).join('\n')).toContain('(default rate: no rate measured');
    }
  });
});

describe('measuredRate', () => {
  it("uses the live generation's catch-up rate once live, not the arrival rate at the head", () => {
    const rate = measuredRate(
      status(
        generation({
          eventsPerSecond: 1,
          catchUp: { eventsPerSecond: 41_000, events: 820_000, seconds: 20 },
        }),
      ),
    );
    expect(rate?.eventsPerSecond).toBe(41_000);
    expect(rate?.basis).toBe(
      "measured during the live generation's catch-up (generation 1): 820000 events in 20 s",
    );
  });

  it("uses a running rebuild's catch-up when the live generation has none", () => {
    const rebuild = generation({
      generation: 2,
      state: 'rebuilding',
      catchUp: { eventsPerSecond: 9_000, events: 18_000, seconds: 2 },
    });
    expect(measuredRate(status(generation({}), rebuild))?.eventsPerSecond).toBe(9_000);
  });

  it('uses the current rate while catching up before a catch-up measure exists, else nothing', () => {
    expect(
      measuredRate(status(generation({ behind: 5_000n, eventsPerSecond: 3_000 })))?.eventsPerSecond,
    ).toBe(3_000);
    expect(measuredRate(status(generation({ behind: 0n, eventsPerSecond: 1 })))).toBeUndefined();
    expect(measuredRate(status(null))).toBeUndefined();
  });
});
