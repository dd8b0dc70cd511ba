import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment } from '@marcbachmann/cel-js';
import { ProjectionEvaluationError, type ViewDocument } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { JsonValue } from '../../core/json';
import type { ElasticsearchTargetShape } from '../../stores/elasticsearch/elasticsearch-view-shape';
import { recompileDefinition } from '../index';
import { compileYamlDefinition } from '../testing/compile-yaml';
import { definitionModelOf } from './projection.compiler';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');
const load = (file: string) => compileYamlDefinition(readFileSync(join(PROJECTIONS, file), 'utf8'), file);

let position = 0n;
function event(type: string, data: StoredEvent['data'], streamId = 'order-o1'): StoredEvent {
  position += 1n;
  return {
    id: `e${position}`,
    streamId,
    revision: 0,
    position,
    type,
    data,
    metadata: { timestamp: '2024-03-01T10:00:00.000Z', schemaVersion: 1 },
  };
}

const placed = (orderId = 'o1') =>
  event('OrderPlaced', { orderId, customerId: 'c1', placedAt: '2024-03-01T10:00:00Z' });
const item = (qty: number, price: number) =>
  event('ItemAdded', { orderId: 'o1', productId: 'p1', qty, price });

describe('compileProjection: document views', () => {
  const orderSummary = load('order-summary.yaml');

  it('exposes the target shape exactly as view-shape.ts declares it', () => {
    expect(orderSummary.target).toEqual({
      kind: 'postgres',
      table: 'order_summary',
      key: 'order_id',
      columns: {
        order_id: { type: 'text', nullable: false },
        customer_id: { type: 'text', nullable: false },
        status: { type: 'text', nullable: false },
        item_count: { type: 'integer', nullable: false },
        total: { type: 'bigint', nullable: false },
      },
      indexes: [{ columns: ['customer_id'], unique: false }],
    });
    expect(orderSummary.source).toEqual({
      eventTypes: ['OrderPlaced', 'ItemAdded', 'OrderShipped', 'OrderCancelled'],
      streamPrefix: 'order-',
    });
    expect(orderSummary).toMatchObject({
      name: 'order_summary',
      version: 1,
      onPoison: 'sequenced',
      queries: {},
    });
    expect(orderSummary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keysOf returns the document key; events without a handler touch nothing', () => {
    expect(orderSummary.keysOf(placed('o7'))).toEqual(['o7']);
    expect(orderSummary.keysOf(event('CustomerRegistered', { customerId: 'c1' }))).toEqual([]);
    expect(orderSummary.apply(event('CustomerRegistered', { customerId: 'c1' }), new Map())).toEqual([]);
  });

  it('apply creates the whole document and carries the event position', () => {
    const e = placed();
    expect(orderSummary.apply(e, new Map())).toEqual([
      {
        kind: 'put',
        key: 'o1',
        position: e.position,
        document: { order_id: 'o1', customer_id: 'c1', status: 'placed', item_count: 0, total: 0 },
      },
    ]);
  });

  it('apply is pure: same input, same output, and the state map is left alone', () => {
    const current: ViewDocument = {
      order_id: 'o1',
      customer_id: 'c1',
      status: 'placed',
      item_count: 1,
      total: 100,
    };
    const state = new Map([['o1', current]]);
    const e = item(2, 150);
    const first = orderSummary.apply(e, state);
    expect(orderSummary.apply(e, state)).toEqual(first);
    expect(state.get('o1')).toEqual({
      order_id: 'o1',
      customer_id: 'c1',
      status: 'placed',
      item_count: 1,
      total: 100,
    });
    expect(first).toEqual([
      { kind: 'put', key: 'o1', position: e.position, document: { ...current, item_count: 3, total: 400 } },
    ]);
  });

  it('update ignores a missing document by default', () => {
    expect(orderSummary.apply(item(1, 1), new Map())).toEqual([]);
  });

  it('turns a value of the wrong type into a ProjectionEvaluationError naming the field and expression', () => {
    const current = { order_id: 'o1', customer_id: 'c1', status: 'placed', item_count: 1, total: 100 };
    const apply = () =>
      orderSummary.apply(
        event('ItemAdded', { orderId: 'o1', qty: 1.5, price: 2 }),
        new Map([['o1', current]]),
      );
    expect(apply).toThrow(ProjectionEvaluationError);
    expect(apply).toThrow('handlers.ItemAdded[0].update.increment.item_count ("event.data.qty") at position');
    expect(apply).toThrow('expected a 32-bit integer for integer, got double 1.5');
  });

  it('reports a key that cannot be computed from keysOf as well as apply', () => {
    const e = event('OrderPlaced', { customerId: 'c1' });
    expect(() => orderSummary.keysOf(e)).toThrow(
      'handlers.OrderPlaced[0].upsert.key ("event.data.orderId") at position',
    );
    expect(() => orderSummary.keysOf(e)).toThrow('No such key: orderId');
  });

  it('parses and checks expressions once at load, never per event', () => {
    const check = jest.spyOn(Environment.prototype, 'check');
    const parse = jest.spyOn(Environment.prototype, 'parse');
    let state = new Map<string, ViewDocument>();
    for (let i = 0; i < 50; i++) {
      const e = i === 0 ? placed() : item(1, 10);
      const operations = orderSummary.apply(e, state);
      const last = operations[operations.length - 1];
      if (last?.kind === 'put') state = new Map([[last.key, last.document]]);
    }
    expect(state.get('o1')).toMatchObject({ item_count: 49, total: 490 });
    expect(check).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
    check.mockRestore();
    parse.mockRestore();
  });

  const steps = compileYamlDefinition(`
name: steps
version: 1
source: { events: [Tick] }
target:
  kind: postgres
  table: steps
  key: id
  columns:
    id: { type: integer }
    count: { type: bigint }
    label: { type: text, nullable: true }
    history: { type: jsonb }
handlers:
  Tick:
    - upsert:
        key: event.data.id
        increment: { count: 1 }
        append: { history: event.data.note }
    - update:
        key: event.data.id
        when: doc.count >= 2
        set: { label: '"twice " + string(doc.count)' }
    - update:
        key: event.data.other
        ifMissing: fail
        set: { label: '"other"' }
        when: has(event.data.other)
`);

  it('runs the actions of one event in order, each seeing the previous one, with integer keys', () => {
    const first = event('Tick', { id: 7, note: 'a' }, 's');
    const created = steps.apply(first, new Map());
    expect(created).toEqual([
      { kind: 'put', key: '7', position: first.position, document: { id: 7, count: 1, history: ['a'] } },
    ]);
    const second = event('Tick', { id: 7, note: { n: 2 } }, 's');
    const document = (created[0] as { document: ViewDocument }).document;
    expect(steps.apply(second, new Map([['7', document]]))).toEqual([
      {
        kind: 'put',
        key: '7',
        position: second.position,
        document: { id: 7, count: 2, history: ['a', { n: 2 }] },
      },
      {
        kind: 'put',
        key: '7',
        position: second.position,
        document: { id: 7, count: 2, history: ['a', { n: 2 }], label: 'twice 2' },
      },
    ]);
  });

  it('fails an update with ifMissing: fail when the document is absent', () => {
    expect(() => steps.apply(event('Tick', { id: 1, note: 'x', other: 99 }), new Map())).toThrow(
      'no document with key "99" exists to update (ifMissing: fail)',
    );
    expect(steps.keysOf(event('Tick', { id: 1, other: 99 }))).toEqual(['1', '99']);
  });

  it('refuses to create a row that leaves a NOT NULL column unset', () => {
    const partial = compileYamlDefinition(`
name: partial
version: 1
source: { events: [A] }
target:
  kind: postgres
  table: partial
  key: id
  columns: { id: { type: text }, total: { type: bigint } }
handlers:
  A:
    - upsert: { key: event.data.id }
`);
    expect(() => partial.apply(event('A', { id: 'x' }), new Map())).toThrow(
      'creating document "x" leaves NOT NULL column(s) total unset',
    );
  });
});

describe('compileProjection: graph views', () => {
  const purchases = load('purchase-graph.yaml');

  it('keysOf names every node an event touches as Label:key', () => {
    expect(purchases.keysOf(placed())).toEqual(['Order:o1', 'Customer:c1']);
    expect(purchases.keysOf(item(1, 1))).toEqual(['Order:o1', 'Product:p1']);
  });

  it('apply emits node and relationship merges in action order, without reading state', () => {
    const e = placed();
    expect(purchases.apply(e, new Map())).toEqual([
      {
        kind: 'mergeNode',
        node: { label: 'Order', key: 'o1' },
        set: { placedAt: '2024-03-01T10:00:00Z' },
        position: e.position,
      },
      {
        kind: 'mergeRelationship',
        type: 'PLACED',
        from: { label: 'Customer', key: 'c1' },
        to: { label: 'Order', key: 'o1' },
        set: {},
        position: e.position,
      },
    ]);
    const cancel = event('OrderCancelled', { orderId: 'o1' });
    expect(purchases.apply(cancel, new Map())).toEqual([
      { kind: 'deleteNode', node: { label: 'Order', key: 'o1' }, position: cancel.position },
    ]);
  });

  it('exposes named queries with typed parameters', () => {
    expect(purchases.queries.buyersOfProduct).toMatchObject({
      name: 'buyersOfProduct',
      parameters: {
        productId: { type: 'string', required: true },
        limit: { type: 'integer', required: false, default: 50 },
      },
    });
    expect(purchases.queries.buyersOfProduct!.body).toContain('MATCH (c:Customer)-[:PLACED]->');
  });

  it('skips an action whose condition is false', () => {
    const social = load('social-graph.yaml');
    expect(
      social.apply(
        event('CustomerFollowed', { customerId: 'c1', followedCustomerId: 'c1' }, 'customer-c1'),
        new Map(),
      ),
    ).toEqual([]);
  });
});

describe('compileProjection: search views', () => {
  it('strips DSL-only field details from the shape and keeps the search template as JSON', () => {
    const products = load('product-search.yaml');
    expect(products.target).toMatchObject({
      kind: 'elasticsearch',
      index: 'product_search',
      id: 'product_id',
    });
    expect((products.target as ElasticsearchTargetShape).fields.tags).toEqual({
      type: 'keyword',
      facet: true,
      filter: true,
    });
    expect(products.queries.byCategory!.body).toEqual({
      query: { bool: { filter: [{ term: { category: '{{category}}' } }, { term: { listed: true } }] } },
      sort: [{ price: 'asc' }],
    });
  });
});

describe('compileProjection: conditions', () => {
  it('a condition over the event alone is tested before the key, so a missing key field does no harm', () => {
    const optional = compileYamlDefinition(`
name: optional_key
version: 1
source: { events: [A] }
target:
  kind: neo4j
  nodes: { Tag: { key: name, properties: { name: string } } }
handlers:
  A:
    - mergeNode: { label: Tag, key: event.data.tag, when: has(event.data.tag) }
`);
    expect(optional.keysOf(event('A', {}))).toEqual([]);
    expect(optional.apply(event('A', {}), new Map())).toEqual([]);
    expect(optional.keysOf(event('A', { tag: 'x' }))).toEqual(['Tag:x']);
  });
});

describe('stored definition models', () => {
  it('a plan can be recompiled from the model stored with its generation', () => {
    const original = load('product-search.yaml');
    const model = definitionModelOf(original)!;
    const recompiled = recompileDefinition(JSON.parse(JSON.stringify(model)) as JsonValue)!;
    expect(recompiled.fingerprint).toBe(original.fingerprint);
    expect(recompiled.queries).toEqual(original.queries);
    const listed = event(
      'ProductListed',
      { productId: 'p1', title: 'T', description: 'D', category: 'c', price: 5, tags: ['x'] },
      'product-p1',
    );
    expect(recompiled.apply(listed, new Map())).toEqual(original.apply(listed, new Map()));
  });

  it('a model that no longer validates does not recompile', () => {
    expect(recompileDefinition({ name: 'x' })).toBeUndefined();
  });
});
