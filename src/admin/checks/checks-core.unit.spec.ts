/** The pure parts of verify and plan: entry comparison per declared type, shape changes, graph entry keys. */
import type { ElasticsearchTargetShape } from '../../stores/elasticsearch/elasticsearch-view-shape';
import type { Neo4jTargetShape } from '../../stores/neo4j/neo4j-view-shape';
import type { RelationalTargetShape } from '../../stores/relational/relational-view-shape';
import {
  graphNodeEntryKey,
  graphRelationshipEntryKey,
  parseGraphEntryKey,
} from '../../stores/graph-entity-keys';
import { diffEntries } from './entry-diff';
import { shapeChanges } from './shape-changes';

const ORDERS: RelationalTargetShape = {
  kind: 'postgres',
  table: 'orders',
  key: 'id',
  columns: {
    id: { type: 'text', nullable: false },
    total: { type: 'bigint', nullable: false },
    at: { type: 'timestamptz', nullable: true },
    note: { type: 'text', nullable: true },
  },
  indexes: [],
};

describe('diffEntries', () => {
  it('sees no difference in how stores hand values back (dates, numbers, absent vs null)', () => {
    expect(
      diffEntries(
        ORDERS,
        'a',
        { id: 'a', total: 12, at: '2024-05-01T10:00:00.000Z', note: null },
        { id: 'a', total: '12', at: '2024-05-01T10:00:00Z', extra: 'not a column' },
      ),
    ).toEqual([]);
  });

  it('lists each differing field with both values, absent as null', () => {
    expect(diffEntries(ORDERS, 'a', { id: 'a', total: 12, note: 'x' }, { id: 'a', total: 13 })).toEqual([
      { field: 'note', live: 'x', rebuilt: null },
      { field: 'total', live: 12, rebuilt: 13 },
    ]);
  });

  it('compares nested values regardless of key order, and graph datetimes by instant', () => {
    const search: ElasticsearchTargetShape = { kind: 'elasticsearch', index: 'i', id: 'id', fields: {} };
    expect(diffEntries(search, 'a', { tags: { a: 1, b: [1, 2] } }, { tags: { b: [1, 2], a: 1 } })).toEqual(
      [],
    );
    expect(diffEntries(search, 'a', { tags: [1, 2] }, { tags: [2, 1] })).toHaveLength(1);
    const graph: Neo4jTargetShape = {
      kind: 'neo4j',
      nodes: { Order: { key: 'id', properties: { id: 'string', at: 'datetime' } } },
      relationships: {},
    };
    const key = graphNodeEntryKey('Order', 'o1');
    expect(
      diffEntries(graph, key, { at: '2024-05-01T10:00:00Z' }, { at: '2024-05-01T12:00:00+02:00' }),
    ).toEqual([]);
  });
});

describe('graph entry keys', () => {
  it('round-trip, keeping "5" and 5 apart, and reject anything else', () => {
    expect(parseGraphEntryKey(graphNodeEntryKey('Customer', 'c:1'))).toEqual({
      kind: 'node',
      label: 'Customer',
      key: 'c:1',
    });
    expect(graphNodeEntryKey('N', 5)).not.toBe(graphNodeEntryKey('N', '5'));
    expect(parseGraphEntryKey(graphRelationshipEntryKey('PLACED', 'c1', 7))).toEqual({
      kind: 'rel',
      type: 'PLACED',
      from: 'c1',
      to: 7,
    });
    expect(parseGraphEntryKey('node:Customer:not json')).toBeUndefined();
    expect(parseGraphEntryKey('rel:T:["only one"]')).toBeUndefined();
  });
});

describe('shapeChanges', () => {
  it('lists columns added, removed and retyped, and a renamed table', () => {
    const next: RelationalTargetShape = {
      ...ORDERS,
      table: 'orders_v2',
      columns: {
        id: { type: 'text', nullable: false },
        total: { type: 'numeric', nullable: false },
        at: { type: 'timestamptz', nullable: true },
        city: { type: 'text', nullable: true },
      },
    };
    expect(shapeChanges(ORDERS, next)).toEqual([
      { change: 'changed', what: 'table', from: 'orders', to: 'orders_v2' },
      { change: 'removed', what: 'column note', from: 'text nullable' },
      { change: 'changed', what: 'column total', from: 'bigint', to: 'numeric' },
      { change: 'added', what: 'column city', to: 'text nullable' },
    ]);
    expect(shapeChanges(ORDERS, ORDERS)).toEqual([]);
    expect(shapeChanges(undefined, ORDERS)).toEqual([]);
  });

  it('lists search fields and graph labels, types and properties, each outlined by its store module', () => {
    const search: ElasticsearchTargetShape = {
      kind: 'elasticsearch',
      index: 'products',
      id: 'id',
      fields: { name: { type: 'text', facet: false, filter: false } },
    };
    const keyed: ElasticsearchTargetShape = {
      ...search,
      id: 'sku',
      fields: { name: { type: 'keyword', facet: true, filter: true } },
    };
    expect(shapeChanges(search, keyed)).toEqual([
      { change: 'changed', what: 'id', from: 'id', to: 'sku' },
      { change: 'changed', what: 'field name', from: 'text', to: 'keyword facet filter' },
    ]);
    const graph: Neo4jTargetShape = {
      kind: 'neo4j',
      nodes: { Customer: { key: 'id', properties: { name: 'string' } } },
      relationships: {},
    };
    const grown: Neo4jTargetShape = {
      kind: 'neo4j',
      nodes: {
        Customer: { key: 'id', properties: {} },
        Product: { key: 'sku', properties: {} },
      },
      relationships: { BOUGHT: { from: 'Customer', to: 'Product', properties: { at: 'datetime' } } },
    };
    expect(shapeChanges(graph, grown)).toEqual([
      { change: 'added', what: 'node Product', to: 'key sku' },
      { change: 'added', what: 'relationship BOUGHT', to: 'Customer->Product' },
      { change: 'removed', what: 'property Customer.name', from: 'string' },
      { change: 'added', what: 'property BOUGHT.at', to: 'datetime' },
    ]);
    expect(shapeChanges(search, graph)).toEqual([
      { change: 'changed', what: 'target kind', from: 'elasticsearch', to: 'neo4j' },
    ]);
  });
});
