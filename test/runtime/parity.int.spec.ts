/**
 * Embedded parity: the same projections over the same events give the same rows on PostgreSQL (the
 * production target) and on embedded SQLite (the no-Postgres default, fed by the embedded event store),
 * and both equal a pure in-memory run of the plan. Covers the hand-written fixtures and the example
 * YAML projections of projections/*.yaml compiled by the DSL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectedRow, interleaved, orders } from '../../bench/workload';
import type { CompiledProjection, ViewDocument } from '../../src/core/plan';
import { loadProjections } from '../../src/dsl/loader/definition.loader';
import { createEventStore } from '../../src/eventstore/event-store.factory';
import type { EventStore, EventToAppend } from '../../src/eventstore/event-store.port';
import { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { silentLogger } from '../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import {
  isRelationalShape,
  type RelationalTargetShape,
} from '../../src/stores/relational/relational-view-shape';
import { runProjection } from '../../src/stores/memory/run-projection';
import { describeWithStores, useTestDatabase } from '../support/stores';
import { REPO_ROOT } from '../stores/store-endpoints';
import { orderFactsPlan } from './fixtures/order-facts.fixture';
import { expectedOrderSummary, orderSummaryPlan } from './fixtures/order-summary.fixture';
import { byKey, openTestLog, readAllEvents, TEST_RUNNER, untilVisible } from './support/runtime-harness';

const ORDERS = 150;

/**
 * Customers of the first orders register (some without a city, some renamed), then the orders arrive,
 * then some customers are renamed again.
 */
function workloadWithCustomers(): { streamId: string; events: EventToAppend[] }[] {
  const customers = new Set<string>();
  for (const order of orders(ORDERS)) customers.add(order.customerId);
  const appends: { streamId: string; events: EventToAppend[] }[] = [];
  [...customers].forEach((customerId, i) => {
    const events: EventToAppend[] = [
      {
        type: 'CustomerRegistered',
        data: {
          customerId,
          name: `Customer ${i}`,
          email: `${customerId}@example.com`,
          ...(i % 3 === 0 ? {} : { city: ['London', 'Paris', 'Oslo'][i % 3]! }),
        },
      },
    ];
    if (i % 5 === 0) events.push({ type: 'CustomerRenamed', data: { customerId, name: `Renamed ${i}` } });
    appends.push({ streamId: `customer-${customerId}`, events });
  });
  // renamed after their orders: order_customers updates every order of each (updateAll)
  const late = [...customers]
    .filter((_, i) => i % 4 === 1)
    .map((customerId, i) => ({
      streamId: `customer-${customerId}`,
      events: [{ type: 'CustomerRenamed', data: { customerId, name: `Late ${i}` } }],
    }));
  return [...appends, ...interleaved(ORDERS, 42, 25), ...late];
}

async function project(store: EventStore, target: RelationalTarget, plans: readonly CompiledProjection[]) {
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    runner: TEST_RUNNER,
    logger: silentLogger,
  });
  try {
    await runtime.start(plans);
    for (const plan of plans) {
      await runtime.waitForCheckpoint(
        plan.name,
        await store.headPosition({
          eventTypes: plan.source.eventTypes,
          ...(plan.source.streamPrefix !== undefined ? { streamPrefix: plan.source.streamPrefix } : {}),
        }),
      );
    }
    const views: Record<string, ViewDocument[]> = {};
    for (const plan of plans) {
      const shape = plan.target;
      if (!isRelationalShape(shape)) continue;
      views[plan.name] = byKey(await target.readActive(shape), shape.key);
    }
    return views;
  } finally {
    await runtime.stop();
  }
}

describeWithStores(['postgres'], 'embedded SQLite parity with PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-parity-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const fixtures = [
    orderSummaryPlan({ name: 'fixture_order_summary', table: 'fixture_order_summary' }),
    orderFactsPlan(),
  ];
  const examples = loadProjections([path.join(REPO_ROOT, 'projections')]).filter(
    (plan) => plan.target.kind === 'postgres',
  );
  const plans = [...fixtures, ...examples];

  it('runs the fixtures and the example YAML projections to the same rows on both targets', async () => {
    expect(examples.map((plan) => plan.name).sort()).toEqual([
      'customer_directory',
      'customer_stats',
      'order_customers',
      'order_summary',
    ]);

    const postgresLog = await openTestLog(database.url, 'parity_log');
    const embeddedLog = await createEventStore({
      kind: 'embedded',
      file: path.join(directory, 'events.sqlite'),
    });
    const postgres = await RelationalTarget.connect({
      kind: 'postgres',
      url: database.url,
      schema: 'parity',
      poolSize: 4,
    });
    const sqlite = await RelationalTarget.connect({
      kind: 'sqlite',
      file: path.join(directory, 'views.sqlite'),
    });
    try {
      let last = 0n;
      for (const { streamId, events } of workloadWithCustomers()) {
        last = (await postgresLog.append(streamId, events, 'any')).position;
        await embeddedLog.append(streamId, events, 'any');
      }
      await untilVisible(postgresLog, last);
      const onPostgres = await project(postgresLog, postgres, plans);
      const onSqlite = await project(embeddedLog, sqlite, plans);
      const events = await readAllEvents(postgresLog);

      for (const plan of plans) {
        const pure = runProjection(plan, events);
        const expected = byKey('all' in pure ? pure.all() : [], (plan.target as RelationalTargetShape).key);
        expect([plan.name, onPostgres[plan.name]!.length > 0]).toEqual([plan.name, true]);
        expect(onSqlite[plan.name]).toEqual(onPostgres[plan.name]);
        expect(normalizeTimes(onPostgres[plan.name]!)).toEqual(normalizeTimes(expected));
      }
      // And both equal what the generator says the reference view must contain.
      const reference = byKey([...orders(ORDERS)].map(expectedRow) as unknown as ViewDocument[]);
      expect(onPostgres.order_summary).toEqual(reference);
      expect(onPostgres.fixture_order_summary).toEqual(
        expectedOrderSummary(events.filter((e) => e.streamId.startsWith('order-'))),
      );
      expect(onPostgres.order_facts!.some((row) => row.note === 'big order')).toBe(true);
      // the late renames reached the orders placed before them (updateAll)
      expect(
        onPostgres.order_customers!.some((row) => (row.customer_name as string | null)?.startsWith('Late')),
      ).toBe(true);
      expect(onPostgres.order_facts!.length).toBeLessThan(ORDERS); // cancelled orders were deleted
    } finally {
      await Promise.all([postgres.close(), sqlite.close(), postgresLog.close(), embeddedLog.close()]);
    }
  });
});

/** The pure run keeps timestamps as written; the databases return them normalized to ISO with millis. */
function normalizeTimes(rows: readonly ViewDocument[]): ViewDocument[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        typeof value === 'string' &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)
          ? new Date(value).toISOString()
          : value,
      ]),
    ),
  );
}
