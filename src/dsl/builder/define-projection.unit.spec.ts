import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViewDocument } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { compileProjection } from '../compiler/projection.compiler';
import { normalizedDefinition } from '../compiler/projection.fingerprint';
import { DefinitionValidationError, formatDefinitionError } from '../errors/definition-error';
import { checkDefinitionSource } from '../loader/definition.loader';
import { orderSummary } from '../../../test/dsl/builder-examples/order-summary.projection';
import { socialGraph } from '../../../test/dsl/builder-examples/social-graph.projection';
import type { MarketplaceEvents } from '../../../test/dsl/builder-examples/marketplace-events';
import { relational } from '../../stores/relational/dsl/relational.builder';
import { defineProjection } from './define-projection';
import { cel } from './expression.builder';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');
const yamlTwin = (file: string) => {
  const check = checkDefinitionSource(readFileSync(join(PROJECTIONS, file), 'utf8'), file);
  expect(check.problems).toEqual([]);
  return check.checked!;
};

const event = (type: string, data: StoredEvent['data'], position: bigint): StoredEvent => ({
  id: `e${position}`,
  streamId: 'order-o1',
  revision: 0,
  position,
  type,
  data,
  metadata: { timestamp: '2024-03-01T10:00:00.000Z', schemaVersion: 1 },
});

describe('TypeScript builder', () => {
  it.each([
    ['order-summary.yaml', orderSummary],
    ['social-graph.yaml', socialGraph],
  ] as const)('builds the same validated model and fingerprint as %s', (file, builder) => {
    const yaml = yamlTwin(file);
    const built = builder.build();
    expect(normalizedDefinition(built.definition)).toEqual(normalizedDefinition(yaml.definition));
    const [fromBuilder, fromYaml] = [compileProjection(built), compileProjection(yaml)];
    expect(fromBuilder.fingerprint).toBe(fromYaml.fingerprint);
    expect({ target: fromBuilder.target, source: fromBuilder.source, queries: fromBuilder.queries }).toEqual({
      target: fromYaml.target,
      source: fromYaml.source,
      queries: fromYaml.queries,
    });
  });

  it('compiles to a plan that behaves like the YAML twin', () => {
    const built = orderSummary.compile();
    const events = [
      event('OrderPlaced', { orderId: 'o1', customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' }, 1n),
      event('ItemAdded', { orderId: 'o1', productId: 'p1', qty: 3, price: 250 }, 2n),
    ];
    const created = built.apply(events[0]!, new Map());
    expect(created).toEqual([
      {
        kind: 'put',
        key: 'o1',
        position: 1n,
        document: { order_id: 'o1', customer_id: 'c1', status: 'placed', item_count: 0, total: 0 },
      },
    ]);
    const document = (created[0] as { document: ViewDocument }).document;
    expect(built.apply(events[1]!, new Map([['o1', document]]))).toEqual([
      { kind: 'put', key: 'o1', position: 2n, document: { ...document, item_count: 3, total: 750 } },
    ]);
  });

  it('turns JS values into CEL literals and references into paths', () => {
    const model = orderSummary.toWritten();
    expect(model.handlers.OrderPlaced).toEqual([
      {
        upsert: {
          key: 'event.data.orderId',
          set: { customer_id: 'event.data.customerId', status: '"placed"', item_count: '0', total: '0' },
        },
      },
    ]);
    expect(model.handlers.ItemAdded).toEqual([
      {
        update: {
          key: 'event.data.orderId',
          increment: { item_count: 'event.data.qty', total: 'event.data.qty * event.data.price' },
        },
      },
    ]);
  });

  it('validates with the same checks as YAML and reports every problem', () => {
    const broken = defineProjection<MarketplaceEvents>()({
      name: 'broken_builder',
      version: 1,
      source: { events: ['OrderPlaced'] },
      target: relational({
        table: 'broken_builder',
        key: 'order_id',
        columns: { order_id: { type: 'text' }, total: { type: 'bigint' } },
      }),
    }).on('OrderPlaced', ({ event: e, doc, upsert }) => [
      // expressions TypeScript cannot see into are still checked by CEL at build
      upsert({ key: e.data.orderId, set: { total: cel`${doc.total} + "x"` } }),
    ]);
    let error: unknown;
    try {
      broken.build();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DefinitionValidationError);
    expect((error as DefinitionValidationError).errors.map(formatDefinitionError)).toEqual([
      '<builder broken_builder> error expression-type handlers.OrderPlaced[0].upsert.set.total: no such overload: int + string (+ joins two strings; convert the int with string(...): string(doc.total) + "x")',
    ]);
  });
});
