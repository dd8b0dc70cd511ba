/**
 * SpilledGraph (verify's rebuilt graph in a file, issue #17) must leave exactly the graph MemoryGraphView
 * leaves: random operation sequences (placeholders, deletes that detach, re-creates, fan-out updates of
 * which some go over their cap and must leave the whole call unapplied) with a cache of 1 to 1000
 * entries are applied to both, and every possible entry is compared, then the order of the listing.
 */
import { FanOutCapError } from '../core/fan-out';
import type { JsonObject } from '../core/json';
import type { NodeRef, ViewOperation } from '../core/plan';
import { graphNodeEntryKey, graphRelationshipEntryKey } from '../stores/graph-entity-keys';
import { MemoryGraphView } from '../stores/memory/memory.view';
import type { Neo4jTargetShape } from '../stores/neo4j/neo4j-view-shape';
import { SpilledGraph } from './spilled-graph';

const shape: Neo4jTargetShape = {
  kind: 'neo4j',
  nodes: {
    Customer: { key: 'customerId', properties: { customerId: 'string', name: 'string' } },
    Order: { key: 'orderId', properties: { orderId: 'string', total: 'integer' } },
    // integer keys; 'x' does not convert, so it stays a string (listed before the numbers)
    Product: { key: 'productId', properties: { productId: 'integer', title: 'string' } },
  },
  relationships: {
    PLACED: { from: 'Customer', to: 'Order', properties: {} },
    CONTAINS: { from: 'Order', to: 'Product', properties: { qty: 'integer' } },
    FOLLOWS: { from: 'Customer', to: 'Customer', properties: { since: 'integer' } },
  },
};
const keys: Record<string, readonly (string | number)[]> = {
  Customer: ['c0', 'c1', 'c2', 'C3', 'é'],
  Order: ['o0', 'o1', 'o2', 'o10'],
  Product: [0, 1, 2.5, 10, -3, 'x'],
};

const NAMES = ['Al', 'Bo', 'Cy'];

/** mulberry32: a seeded generator, so a failure names a sequence that can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function operations(next: () => number, count: number): ViewOperation[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const node = (label: string): NodeRef => ({ label, key: pick(keys[label]!) });
  const types = Object.keys(shape.relationships);
  const result: ViewOperation[] = [];
  for (let i = 0; i < count; i++) {
    const position = BigInt(i + 1);
    const roll = next();
    const type = pick(types);
    const { from, to } = shape.relationships[type]!;
    if (roll < 0.1) {
      // a fan-out (issue #16): customers named so get another name; over `max` the call fails
      const set: JsonObject = { name: pick(NAMES) };
      const max = pick([0, 1, 2, 10]);
      result.push({
        kind: 'updateNodes',
        label: 'Customer',
        property: 'name',
        value: pick(NAMES),
        set,
        max,
        position,
      });
    } else if (roll < 0.3) {
      const label = pick(Object.keys(shape.nodes));
      const set: JsonObject =
        label === 'Product' ? { title: `t${i}` } : label === 'Order' ? { total: i } : { name: pick(NAMES) };
      result.push({ kind: 'mergeNode', node: node(label), set: next() < 0.2 ? {} : set, position });
    } else if (roll < 0.65) {
      const set: JsonObject = type === 'CONTAINS' ? { qty: i } : type === 'FOLLOWS' ? { since: i } : {};
      result.push({ kind: 'mergeRelationship', type, from: node(from), to: node(to), set, position });
    } else if (roll < 0.85) {
      result.push({ kind: 'deleteNode', node: node(pick(Object.keys(shape.nodes))), position });
    } else {
      result.push({ kind: 'deleteRelationship', type, from: node(from), to: node(to), position });
    }
  }
  return result;
}

/** MemoryGraphView's graph as entries, keyed as the live scan keys them. */
function expectedEntries(view: MemoryGraphView): Map<string, JsonObject> {
  const entries = new Map<string, JsonObject>();
  for (const node of view.allNodes())
    entries.set(graphNodeEntryKey(node.label, node.key), {
      ...node.properties,
      [shape.nodes[node.label]!.key]: node.key,
    });
  for (const rel of view.allRelationships())
    entries.set(graphRelationshipEntryKey(rel.type, rel.from.key, rel.to.key), { ...rel.properties });
  return entries;
}

function everyKey(): string[] {
  const all = Object.entries(keys).flatMap(([label, values]) =>
    values.map((key) => graphNodeEntryKey(label, key)),
  );
  for (const [type, { from, to }] of Object.entries(shape.relationships))
    for (const a of keys[from]!) for (const b of keys[to]!) all.push(graphRelationshipEntryKey(type, a, b));
  return all;
}

/** Cypher's ORDER BY on keys: strings (by code point) before numbers (by value). */
function compareKeys(a: string | number, b: string | number): number {
  if (typeof a !== typeof b) return typeof a === 'string' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The live scan's order: labels by name, then types by name; keys, then (from, to), in ORDER BY order. */
function scanOrder(entryKeys: readonly string[]): string[] {
  const parts = (key: string) => {
    const [, kind, name, json] = /^(node|rel):(\w+):(.*)$/.exec(key)!;
    const value = JSON.parse(json!) as string | number | (string | number)[];
    return { kind: kind!, name: name!, values: Array.isArray(value) ? value : [value] };
  };
  return [...entryKeys].sort((x, y) => {
    const a = parts(x);
    const b = parts(y);
    if (a.kind !== b.kind) return a.kind === 'node' ? -1 : 1;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    for (let i = 0; i < a.values.length; i++) {
      const order = compareKeys(a.values[i]!, b.values[i]!);
      if (order !== 0) return order;
    }
    return 0;
  });
}

const listed = (pages: Iterable<[string, JsonObject][]>) => [...pages].flat();

describe('SpilledGraph (verify keeps the rebuilt graph in a file, issue #17)', () => {
  it.each([1, 3, 1000])(
    'leaves the graph MemoryGraphView leaves, random sequences, cache of %i',
    (cacheSize) => {
      for (let seed = 1; seed <= 120; seed++) {
        const next = random(seed * 7919 + cacheSize);
        const memory = new MemoryGraphView(shape);
        const spilled = new SpilledGraph(shape, cacheSize);
        try {
          const all = operations(next, 20 + Math.floor(next() * 120));
          for (let i = 0; i < all.length;) {
            const batch = all.slice(i, (i += 1 + Math.floor(next() * 15)));
            const outcome = (view: { apply(operations: readonly ViewOperation[]): void }) => {
              try {
                view.apply(batch);
                return 'applied';
              } catch (error) {
                return error instanceof FanOutCapError ? error.message : error;
              }
            };
            expect([seed, outcome(spilled)]).toEqual([seed, outcome(memory)]);
            const expected = expectedEntries(memory);
            for (const key of everyKey())
              expect([seed, key, spilled.get(key)]).toEqual([seed, key, expected.get(key)]);
          }
          const expected = expectedEntries(memory);
          expect(spilled.count).toBe(expected.size);
          const order = scanOrder([...expected.keys()]);
          expect(listed(spilled.allPages(4))).toEqual(order.map((key) => [key, expected.get(key)]));
          // what the live view did not list, in the same order
          const seen = order.filter(() => next() < 0.6);
          spilled.markSeen([...seen, 'node:Customer:"nobody"', 'rel:PLACED:["c0","nowhere"]']);
          expect(listed(spilled.unseen(3)).map(([key]) => key)).toEqual(
            order.filter((key) => !seen.includes(key)),
          );
        } finally {
          spilled.close();
        }
      }
    },
  );

  it('converts keys to the key property type as the target stores them, and refuses work once closed', () => {
    const spilled = new SpilledGraph(shape, 1);
    spilled.apply([
      { kind: 'mergeNode', node: { label: 'Product', key: '7' }, set: { title: 'seven' }, position: 1n },
      {
        kind: 'mergeRelationship',
        type: 'PLACED',
        from: { label: 'Customer', key: 5 },
        to: { label: 'Order', key: 'o1' },
        set: {},
        position: 2n,
      },
    ]);
    expect(spilled.get('node:Product:7')).toEqual({ productId: 7, title: 'seven' });
    expect(spilled.get('node:Product:"7"')).toBeUndefined();
    expect(spilled.get('node:Customer:"5"')).toEqual({ customerId: '5' });
    expect(spilled.get('rel:PLACED:["5","o1"]')).toEqual({});
    spilled.close();
    expect(() => spilled.apply([])).toThrow('closed');
  });
});
