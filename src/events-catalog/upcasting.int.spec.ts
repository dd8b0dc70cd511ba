/**
 * Upcasting end to end (issue #16): a PostgreSQL log holding version 1 and version 2 payloads of one event
 * type, a projection written against version 2 only, run by the real runtime into a real PostgreSQL view,
 * then rebuilt into a new generation and verified. Each path (live, rebuild, verify's in-memory rebuild)
 * must see the v1 events upcast, so the view holds v2 values for them and verify finds no difference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';
import { verifyProjection } from '../admin/checks/verify-projection';
import type { CompiledProjection } from '../core/plan';
import { compileProjection, definitionModelOf, recompileDefinition } from '../dsl';
import { checkDefinitionSource } from '../dsl/loader/definition.loader';
import { createEventStore } from '../eventstore/event-store.factory';
import type { EventStore } from '../eventstore/event-store.port';
import { ProjectionRuntime } from '../runtime/projection-runtime';
import { isRelationalShape } from '../stores/relational/relational-view-shape';
import { RelationalTarget } from '../stores/relational/relational.target';
import { loadEventCatalog } from './build-catalog';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'event-catalog');
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const FAST_RUNNER = { batchSize: 3, maxBatchLatencyMs: 5, headPollMs: 20, progressLogMs: 60_000 };

describeWithStores(['postgres'], 'upcasting through live, rebuild and verify (PostgreSQL)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const catalog = loadEventCatalog({ path: path.join(FIXTURES, 'events.catalog.yaml') });
  let store: EventStore;
  let target: RelationalTarget;
  let runtime: ProjectionRuntime;
  let plan: CompiledProjection;

  beforeAll(async () => {
    store = await createEventStore({ kind: 'postgres', url: database.url, schema: uniqueTestName('es') });
    target = await RelationalTarget.connect({
      kind: 'postgres',
      url: database.url,
      schema: uniqueTestName('views'),
      poolSize: 2,
    });
    const check = checkDefinitionSource(
      readFileSync(path.join(FIXTURES, 'payments.yaml'), 'utf8'),
      'payments.yaml',
      { catalog },
    );
    expect(check.problems).toEqual([]);
    plan = compileProjection(check.checked!);
  });
  afterAll(async () => {
    await runtime?.stop();
    await target?.close();
    await store?.close();
  });

  const v1 = (paymentId: string, amount: number) => ({
    type: 'PaymentReceived',
    data: { paymentId, customerId: `c-${paymentId}`, amount },
    metadata: { schemaVersion: 1 },
  });
  const v2 = (paymentId: string, amountCents: number, currency: string) => ({
    type: 'PaymentReceived',
    data: { paymentId, customerId: `c-${paymentId}`, amountCents, currency, channel: 'web' },
    metadata: { schemaVersion: 2 },
  });

  const rows = async () => {
    const shape = plan.target;
    if (!isRelationalShape(shape)) throw new Error('a relational view was expected');
    const all = await target.readActive(shape);
    const id = (row: (typeof all)[number]) => JSON.stringify(row.payment_id);
    return [...all].sort((a, b) => id(a).localeCompare(id(b)));
  };

  const EXPECTED = [
    { payment_id: 'p1', customer_id: 'c-p1', amount_cents: 100, currency: 'EUR', channel: 'legacy-c-p1' },
    { payment_id: 'p2', customer_id: 'c-p2', amount_cents: 250, currency: 'USD', channel: 'web' },
    { payment_id: 'p3', customer_id: 'c-p3', amount_cents: 7, currency: 'EUR', channel: 'legacy-c-p3' },
    { payment_id: 'p4', customer_id: 'c-p4', amount_cents: 990, currency: 'NOK', channel: 'web' },
  ];

  it('the live view, a rebuilt generation and verify all see v1 events at v2', async () => {
    await store.append('payment-p1', [v1('p1', 100)], 'any');
    await store.append('payment-p2', [v2('p2', 250, 'USD')], 'any');
    await store.append('payment-p3', [v1('p3', 5)], 'any');
    await store.append('payment-p4', [v2('p4', 990, 'NOK')], 'any');
    // a second v1 event of p3 after the v2 ones: upcast in log order like the rest
    const { position } = await store.append('payment-p3', [v1('p3', 7)], 'any');
    const stored = await store.readStream('payment-p1');
    expect(stored[0]?.data).toEqual({ paymentId: 'p1', customerId: 'c-p1', amount: 100 });
    expect(stored[0]?.metadata.schemaVersion).toBe(1);

    runtime = new ProjectionRuntime({
      store,
      targets: { [plan.target.kind]: target },
      recompile: (model) => recompileDefinition(model, undefined, { catalog }),
      definitionOf: definitionModelOf,
      runner: FAST_RUNNER,
      logger: silent,
    });
    await runtime.start([plan]);
    await runtime.waitForCheckpoint(plan.name, position);
    expect(await runtime.listParked(plan.name)).toEqual([]);
    expect(await rows()).toEqual(EXPECTED);

    expect(await runtime.rebuild(plan.name)).toEqual({ generation: 2, started: true });
    const deadline = Date.now() + 30_000;
    while (runtime.status(plan.name).live?.generation !== 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.status(plan.name).live?.generation).toBe(2);
    expect(await rows()).toEqual(EXPECTED);

    const report = await verifyProjection(
      {
        store,
        target,
        catalogPlan: plan,
        recompile: (model) => recompileDefinition(model, undefined, { catalog }),
      },
      plan.name,
    );
    expect(report).toMatchObject({ generation: 2, total: 0, differences: [], settled: true });
    expect(report.eventsFolded).toBe(5);
  });

  it('without the catalog the same definition could not read v1 events (the upcaster is what fixed them)', () => {
    const bare = recompileDefinition(definitionModelOf(plan));
    expect(bare).toBeDefined();
    const event = {
      id: 'e',
      streamId: 'payment-p9',
      revision: 0,
      position: 1n,
      type: 'PaymentReceived',
      data: { paymentId: 'p9', customerId: 'c', amount: 1 },
      metadata: { timestamp: new Date(0).toISOString(), schemaVersion: 1 },
    };
    expect(() => bare!.apply(event, new Map())).toThrow(/amountCents/);
    const upcasting = recompileDefinition(definitionModelOf(plan), undefined, { catalog })!;
    expect(upcasting.apply(event, new Map())).toMatchObject([
      { document: { payment_id: 'p9', amount_cents: 1, currency: 'EUR', channel: 'legacy-c' } },
    ]);
  });
});
