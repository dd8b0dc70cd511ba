/**
 * Fan-out updates (updateAll, issue #16) through the runtime on the real stores: PostgreSQL, SQLite and
 * Elasticsearch run the same projection (order names kept from CustomerRenamed, selected by the indexed /
 * keyword `customer_id`).
 *
 *  - In one batch: an order placed earlier in the batch is renamed, an order transferred away earlier in
 *    the batch is not, one transferred in is; a rename in the batch after one whose orders are still being
 *    committed (pipelined) finds them all. The view equals the expected one, a rebuild gives the same view
 *    and `verify` (the in-memory rebuild) finds no difference.
 *  - Over the cap: the rename is parked with a reason naming the projection, the event, the field, the
 *    value and the cap; a later event of one of its orders is held behind it; discarding releases it, and
 *    a rebuild with a higher cap applies the rename: nothing is lost.
 *  - Elasticsearch (no transactions): a batch whose documents were written but whose checkpoint was not
 *    is re-delivered, and the renames count once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { verifyProjection } from '../../src/admin/checks/verify-projection';
import type { CompiledProjection, ViewDocument } from '../../src/core/plan';
import { compileYamlDefinition, recompileDefinition } from '../../src/dsl';
import type { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../src/stores/elasticsearch/elasticsearch.target';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { CommitBatch, Target, ViewRef } from '../../src/stores/target.port';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { appendEach, placed, renamed, transferred } from './fixtures/fan-out-events';
import { InMemoryEventStore } from './support/in-memory-event-store';
import { byKey, connectionReset, FaultyTarget, waitFor, runRuntimeUntil } from './support/runtime-harness';

type Kind = 'relational' | 'elasticsearch';

function definition(name: string, kind: Kind, version: number, max: number): CompiledProjection {
  const target =
    kind === 'relational'
      ? [
          'target:',
          '  kind: relational',
          `  table: ${name}`,
          '  key: order_id',
          '  columns:',
          '    order_id: { type: text }',
          '    customer_id: { type: text }',
          '    customer_name: { type: text }',
          '    renames: { type: integer }',
          '  indexes:',
          '    - columns: [customer_id]',
        ]
      : [
          'target:',
          '  kind: elasticsearch',
          `  index: ${name}`,
          '  id: order_id',
          '  fields:',
          '    order_id: { type: keyword }',
          '    customer_id: { type: keyword }',
          '    customer_name: { type: keyword }',
          '    renames: { type: integer }',
        ];
  const text = [
    `name: ${name}`,
    `version: ${version}`,
    'source: { events: [OrderPlaced, OrderTransferred, CustomerRenamed] }',
    ...target,
    'handlers:',
    '  OrderPlaced:',
    '    - upsert:',
    '        key: event.data.orderId',
    `        set: { customer_id: event.data.customerId, customer_name: '""', renames: 0 }`,
    '  OrderTransferred:',
    '    - update: { key: event.data.orderId, set: { customer_id: event.data.customerId } }',
    '  CustomerRenamed:',
    '    - updateAll:',
    '        where: { customer_id: event.data.customerId }',
    '        set: { customer_name: event.data.name }',
    '        increment: { renames: 1 }',
    `        max: ${max}`,
    '',
  ].join('\n');
  return compileYamlDefinition(text, `${name}.yaml`);
}

function order(order_id: string, customer_id: string, customer_name: string, renames: number): ViewDocument {
  return { order_id, customer_id, customer_name, renames };
}

async function run(
  store: InMemoryEventStore,
  target: Target,
  plans: readonly CompiledProjection[],
  until: (runtime: ProjectionRuntime) => Promise<void>,
): Promise<void> {
  const kind = target.kind === 'elasticsearch' ? 'elasticsearch' : 'postgres';
  return runRuntimeUntil(store, { [kind]: target }, plans, until);
}

interface Store {
  readonly target: () => Target;
  readonly read: (plan: CompiledProjection) => Promise<ViewDocument[]>;
}

/** The cases every store runs. */
function fanOutCases(kind: Kind, store: Store): void {
  const head = (log: InMemoryEventStore) => log.events.at(-1)!.position;

  it('updates every matching document, incl. ones the batch created or moved; a rebuild and verify agree', async () => {
    const name = uniqueTestName('fan_out');
    const plan = definition(name, kind, 1, 100);
    const target = store.target();
    const log = new InMemoryEventStore();
    await appendEach(log, [placed('o1', 'c1'), placed('o2', 'c1'), placed('o3', 'c2')]);
    await run(log, target, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));

    // appended while no runner runs: the next start reads them in one batch of 50, then a second batch
    await appendEach(log, [
      placed('o4', 'c1'), // created in the batch, before the rename
      transferred('o2', 'c2'), // moved away from c1 in the batch (stored with c1)
      renamed('c1', 'Ada'),
      renamed('c2', 'Bob'),
      transferred('o1', 'c3'),
      renamed('c1', 'Ada2'),
      renamed('c3', 'Cy'),
      // 45 orders of c7: the first batch ends among them, the rename is in the next one, folded while
      // the first one commits
      ...Array.from({ length: 45 }, (_, i) => placed(`q${String(i).padStart(2, '0')}`, 'c7')),
      renamed('c7', 'Quinn'),
    ]);
    await run(log, target, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));
    const expected = [
      order('o1', 'c3', 'Cy', 2),
      order('o2', 'c2', 'Bob', 1),
      order('o3', 'c2', 'Bob', 1),
      order('o4', 'c1', 'Ada2', 2),
      ...Array.from({ length: 45 }, (_, i) => order(`q${String(i).padStart(2, '0')}`, 'c7', 'Quinn', 1)),
    ];
    expect(byKey(await store.read(plan))).toEqual(expected);
    const view = (generation: number): ViewRef => ({ projection: name, generation, shape: plan.target });
    expect(await target.listParked(view(1))).toEqual([]);

    const rebuilt = definition(name, kind, 2, 100);
    await run(log, target, [rebuilt], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
    });
    expect(byKey(await store.read(rebuilt))).toEqual(expected);
    const verified = await verifyProjection(
      { store: log, target, catalogPlan: rebuilt, recompile: recompileDefinition },
      name,
    );
    expect(verified.total).toBe(0);
  });

  it('parks an event over the cap with the reason, holds what follows for its documents, loses nothing', async () => {
    const name = uniqueTestName('fan_out_cap');
    const plan = definition(name, kind, 1, 3);
    const target = store.target();
    const log = new InMemoryEventStore();
    // stored first: the store finds 4 orders of c9 (max + 1 are asked for)
    await appendEach(log, [...['p1', 'p2', 'p3', 'p4'].map((id) => placed(id, 'c9')), placed('o1', 'c1')]);
    await run(log, target, [plan], (runtime) => runtime.waitForCheckpoint(name, head(log)));
    await appendEach(log, [
      renamed('c9', 'Nine'), // 4 orders, max 3
      transferred('p1', 'c8'), // held behind the parked rename
      renamed('c1', 'One'), // not blocked
    ]);
    let parkedAt = 0n;
    await run(log, target, [plan], async (runtime) => {
      await runtime.waitForCheckpoint(name, head(log));
      const parked = await runtime.listParked(name);
      expect(parked.map((p) => [p.eventType, p.status])).toEqual([
        ['CustomerRenamed', 'parked'],
        ['OrderTransferred', 'held'],
      ]);
      expect(parked[0]!.reason).toContain(`Projection "${name}" could not apply CustomerRenamed`);
      expect(parked[0]!.reason).toContain('updateAll matches more than 3 documents with customer_id = "c9"');
      expect(parked[0]!.reason).toContain('max: 3');
      expect([...parked[0]!.keys].sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
      expect(byKey(await store.read(plan))).toEqual([
        order('o1', 'c1', 'One', 1),
        ...['p1', 'p2', 'p3', 'p4'].map((id) => order(id, 'c9', '', 0)),
      ]);
      parkedAt = parked[0]!.position;
      expect(await runtime.discard(name, parkedAt)).toEqual({ kind: 'discarded', released: 1 });
      expect(await runtime.listParked(name)).toEqual([]);
    });
    expect(byKey(await store.read(plan))).toEqual([
      order('o1', 'c1', 'One', 1),
      order('p1', 'c8', '', 0),
      ...['p2', 'p3', 'p4'].map((id) => order(id, 'c9', '', 0)),
    ]);

    // a higher cap is a new definition: its rebuild applies the rename, then the transfer
    const raised = definition(name, kind, 2, 10);
    await run(log, target, [raised], async (runtime) => {
      await waitFor(() => runtime.status(name).live?.generation === 2, 'the swap to generation 2');
      expect(await runtime.listParked(name)).toEqual([]);
    });
    expect(byKey(await store.read(raised))).toEqual([
      order('o1', 'c1', 'One', 1),
      order('p1', 'c8', 'Nine', 1),
      ...['p2', 'p3', 'p4'].map((id) => order(id, 'c9', 'Nine', 1)),
    ]);
  });
}

describeWithStores(['postgres'], 'fan-out updates on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let target: RelationalTarget;
  beforeAll(async () => {
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url });
  });
  afterAll(async () => target?.close());
  fanOutCases('relational', { target: () => target, read: (plan) => target.readActive(plan.target) });
});

describeWithStores([], 'fan-out updates on SQLite', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-fan-out-'));
  let target: RelationalTarget;
  beforeAll(async () => {
    target = await RelationalTarget.connect({ kind: 'sqlite', file: path.join(directory, 'views.sqlite') });
  });
  afterAll(async () => {
    await target?.close();
    rmSync(directory, { recursive: true, force: true });
  });
  fanOutCases('relational', { target: () => target, read: (plan) => target.readActive(plan.target) });
});

describeWithStores(['elasticsearch'], 'fan-out updates on Elasticsearch', (urls) => {
  const prefix = `${uniqueTestName('es_fan_out')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  let target: ElasticsearchTarget;
  beforeAll(async () => {
    target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
  });
  afterAll(async () => {
    await target?.close();
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });
  fanOutCases('elasticsearch', { target: () => target, read: (plan) => target.readActive(plan.target) });

  it('a batch written but not checkpointed is re-delivered, and its renames count once', async () => {
    const name = uniqueTestName('fan_out_redeliver');
    const plan = definition(name, 'elasticsearch', 1, 100);
    const log = new InMemoryEventStore();
    await appendEach(log, [placed('o1', 'c1'), placed('o2', 'c1'), placed('o3', 'c2')]);
    await run(log, target, [plan], (runtime) => runtime.waitForCheckpoint(name, log.events.at(-1)!.position));
    await appendEach(log, [
      placed('o4', 'c1'),
      renamed('c1', 'Ada'),
      renamed('c2', 'Bob'),
      renamed('c1', 'Ada2'),
    ]);

    // The first commit with a rename stores its documents, then "crashes" before its checkpoint.
    const crashing = new FaultyTarget(target);
    let crashed = 0;
    crashing.beforeCommit = async (view: ViewRef, batch: CommitBatch) => {
      if (crashed > 0 || !batch.operations.some((o) => o.kind === 'put' && o.document.renames !== 0)) return;
      crashed += 1;
      const stay = batch.checkpoint.from;
      const written = await target.commit(view, {
        operations: batch.operations,
        checkpoint: { from: stay, to: stay },
        ...(batch.fence !== undefined && { fence: batch.fence }),
      });
      expect(written.kind).toBe('committed');
      throw connectionReset();
    };
    await run(log, crashing, [plan], (runtime) =>
      runtime.waitForCheckpoint(name, log.events.at(-1)!.position),
    );
    expect(crashed).toBe(1);
    expect(byKey(await target.readActive(plan.target))).toEqual([
      order('o1', 'c1', 'Ada2', 2),
      order('o2', 'c1', 'Ada2', 2),
      order('o3', 'c2', 'Bob', 1),
      order('o4', 'c1', 'Ada2', 2),
    ]);
  });
});
