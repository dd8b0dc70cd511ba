/**
 * `prism plan`'s sample diff compares lookup entries too (issue #16): a changed `remember` alters no
 * document until an event reads the entry, so a diff of the view alone would call a breaking change
 * "unchanged".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InMemoryEventStore } from '../../../test/runtime/support/in-memory-event-store';
import { loadProjections } from '../../dsl/loader/definition.loader';
import { MemoryTarget } from '../../stores/memory/memory.target';
import { planDefinition } from './plan-definition';

const file = path.join(__dirname, '../../../projections/customer-stats.yaml');
const text = readFileSync(file, 'utf8');

async function orders(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < 3; i += 1) {
    await store.append(
      `order-${i}`,
      [
        { type: 'OrderPlaced', data: { orderId: `o${i}`, customerId: `c${i % 2}` } },
        { type: 'ItemAdded', data: { orderId: `o${i}`, productId: 'p', qty: 2, price: 100 } },
      ],
      'any',
    );
  }
  return store;
}

/** Plans `changed` against an active generation of the example as it is. */
async function plan(changed: string) {
  const [current] = loadProjections([file]);
  const target = new MemoryTarget();
  const view = { projection: current!.name, generation: 1, shape: current!.target };
  await target.prepare({ ...view, fingerprint: current!.fingerprint, definition: null });
  await target.activate(view);
  return planDefinition(
    {
      store: await orders(),
      target: () => target,
      recompile: () => undefined,
      catalogPlan: () => current,
      measuredRate: () => undefined,
    },
    { text: changed, file },
  );
}

describe("plan's sample diff of lookups", () => {
  it('counts unchanged lookup entries beside the rows when nothing changes', async () => {
    const report = await plan(text);
    expect(report.action).toBe('none');
    // 2 customers' rows + 3 order_customer + 3 order_total entries
    expect(report.sample.counts).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 8 });
  });

  it('shows a changed remembered value that no row shows yet', async () => {
    // The running total starts at 1 instead of 0: only a cancellation would read it, so no row differs.
    const changed = text.replace(
      'remember: { lookup: order_total, key: event.data.orderId, value: 0 }',
      'remember: { lookup: order_total, key: event.data.orderId, value: 1 }',
    );
    expect(changed).not.toBe(text);
    const report = await plan(changed);
    expect(report.action).toBe('rebuild');
    expect(report.sample.counts).toEqual({ added: 0, removed: 0, changed: 3, unchanged: 5 });
    expect(report.sample.differences.map((d) => [d.key, d.kind])).toEqual([
      ['lookup:order_total:"o0"', 'different'],
      ['lookup:order_total:"o1"', 'different'],
      ['lookup:order_total:"o2"', 'different'],
    ]);
    expect(report.sample.differences[0]!.fields).toEqual([{ field: 'value', live: 200, rebuilt: 201 }]);
  });

  it('shows the entries of a lookup the changed definition no longer keeps as removed', async () => {
    const changed = text
      .replace('  order_total: { key: string, value: integer }\n', '')
      .replace('    - remember: { lookup: order_total, key: event.data.orderId, value: 0 }\n', '')
      .replace(
        / {2}ItemAdded:\n {4}- remember:\n {8}lookup: order_total\n {8}key: event.data.orderId\n {8}value: .*\n/,
        '  ItemAdded:\n',
      )
      .replace('          total_spent: -lookup.order_total[event.data.orderId]\n', '');
    const report = await plan(changed);
    expect(report.sample.counts.removed).toBe(3);
    expect(report.sample.differences.filter((d) => d.kind === 'only-live').map((d) => d.key)).toEqual([
      'lookup:order_total:"o0"',
      'lookup:order_total:"o1"',
      'lookup:order_total:"o2"',
    ]);
  });
});
