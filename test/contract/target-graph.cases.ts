/**
 * The contract cases of graph views (Neo4j, memory graphs): plans write merges without reading state, so
 * these check what the merges and deletes leave (`scan` lists nodes and relationships as entries, see
 * src/stores/graph-entity-keys.ts), the scan order, and that operations outside the declared shape are
 * refused before anything is written, as poison.
 */
import type { NodeRef, ViewOperation } from '../../src/core/plan';
import { classifyError } from '../../src/runtime/error-classifier';
import { scanAll, type ContractContext } from './target-contract.support';

const customer = (key: string): NodeRef => ({ label: 'Customer', key });
const orderNode = (key: string): NodeRef => ({ label: 'Order', key });
const mergeNode = (
  node: NodeRef,
  set: Record<string, string | number | null>,
  position: bigint,
): ViewOperation => ({
  kind: 'mergeNode',
  node,
  set,
  position,
});
const placed = (
  from: string,
  to: string,
  position: bigint,
  set: Record<string, string> = {},
): ViewOperation => ({
  kind: 'mergeRelationship',
  type: 'PLACED',
  from: customer(from),
  to: orderNode(to),
  set,
  position,
});

export function graphCases(context: ContractContext): void {
  const target = () => context.target();
  const { spec, ref } = context;
  let checkpoint = 0n;
  /** Commits the operations as the next batch of generation 1. */
  const commit = async (operations: ViewOperation[]) => {
    const to = checkpoint + 1n;
    const result = await target().commit(ref(), { operations, checkpoint: { from: checkpoint, to } });
    expect(result).toEqual({ kind: 'committed', checkpoint: to });
    checkpoint = to;
  };
  const graph = async () =>
    Object.fromEntries((await scanAll(target(), ref())).map((entry) => [entry.key, entry.document]));
  beforeEach(() => {
    checkpoint = 0n;
  });

  it('mergeNode creates a node and later merges set only the properties they name', async () => {
    await target().prepare(spec());
    await commit([mergeNode(customer('c1'), { name: 'Ada', tier: 1 }, 1n)]);
    await commit([mergeNode(customer('c1'), { tier: 2 }, 2n), mergeNode(customer('c2'), {}, 2n)]);
    expect(await graph()).toEqual({
      'node:Customer:"c1"': { customer_id: 'c1', name: 'Ada', tier: 2 },
      'node:Customer:"c2"': { customer_id: 'c2' },
    });
  });

  it('mergeRelationship creates missing ends as bare nodes, keeps one relationship per (type, from, to), and merges its properties', async () => {
    await target().prepare(spec());
    await commit([placed('c1', 'o1', 1n, { channel: 'web' })]);
    expect(await graph()).toEqual({
      'node:Customer:"c1"': { customer_id: 'c1' },
      'node:Order:"o1"': { order_id: 'o1' },
      'rel:PLACED:["c1","o1"]': { channel: 'web' },
    });
    // The order's own event comes later (streams are not ordered): it fills the bare node.
    await commit([placed('c1', 'o1', 2n), mergeNode(orderNode('o1'), { status: 'placed', total: 5 }, 2n)]);
    expect(await graph()).toEqual({
      'node:Customer:"c1"': { customer_id: 'c1' },
      'node:Order:"o1"': { order_id: 'o1', status: 'placed', total: 5 },
      'rel:PLACED:["c1","o1"]': { channel: 'web' },
    });
  });

  it('deleteRelationship removes only the relationship; deleteNode removes the node with its relationships', async () => {
    await target().prepare(spec());
    await commit([placed('c1', 'o1', 1n), placed('c1', 'o2', 1n), placed('c2', 'o2', 1n)]);
    await commit([
      { kind: 'deleteRelationship', type: 'PLACED', from: customer('c1'), to: orderNode('o1'), position: 2n },
    ]);
    expect(Object.keys(await graph())).toEqual([
      'node:Customer:"c1"',
      'node:Customer:"c2"',
      'node:Order:"o1"',
      'node:Order:"o2"',
      'rel:PLACED:["c1","o2"]',
      'rel:PLACED:["c2","o2"]',
    ]);
    await commit([{ kind: 'deleteNode', node: orderNode('o2'), position: 3n }]);
    expect(Object.keys(await graph())).toEqual([
      'node:Customer:"c1"',
      'node:Customer:"c2"',
      'node:Order:"o1"',
    ]);
  });

  it('applies a batch that deletes and recreates one node and relationship exactly as one by one', async () => {
    await target().prepare(spec());
    await commit([
      placed('c1', 'o1', 1n, { channel: 'web' }),
      mergeNode(orderNode('o1'), { status: 'placed', total: 1 }, 1n),
      { kind: 'deleteNode', node: orderNode('o1'), position: 2n },
      mergeNode(orderNode('o1'), { status: 'again' }, 3n),
      placed('c1', 'o1', 3n),
      { kind: 'deleteRelationship', type: 'PLACED', from: customer('c1'), to: orderNode('o1'), position: 4n },
      placed('c1', 'o1', 5n, { channel: 'shop' }),
    ]);
    expect(await graph()).toEqual({
      'node:Customer:"c1"': { customer_id: 'c1' },
      'node:Order:"o1"': { order_id: 'o1', status: 'again' },
      'rel:PLACED:["c1","o1"]': { channel: 'shop' },
    });
  });

  it('scan lists node labels in order, each by key, then relationship types, in pages', async () => {
    await target().prepare(spec());
    await commit([
      mergeNode(orderNode('o2'), { total: 2 }, 1n),
      placed('c2', 'o1', 1n),
      mergeNode(customer('c1'), { name: 'Ada' }, 1n),
      placed('c1', 'o2', 1n),
    ]);
    const keys = [
      'node:Customer:"c1"',
      'node:Customer:"c2"',
      'node:Order:"o1"',
      'node:Order:"o2"',
      'rel:PLACED:["c1","o2"]',
      'rel:PLACED:["c2","o1"]',
    ];
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await target().scan(ref(), { limit: 4, ...(after !== undefined && { after }) });
      pages.push(page.map((entry) => entry.key));
      if (page.length < 4) break;
      after = page.at(-1)!.key;
    }
    expect(pages).toEqual([keys.slice(0, 4), keys.slice(4)]);
    expect((await target().scan(ref(), { after: keys[1]!, limit: 10 })).map((e) => e.key)).toEqual(
      keys.slice(2),
    );
  });

  it('refuses an operation outside the declared shape before writing anything, as poison', async () => {
    await target().prepare(spec());
    const refused = async (operation: ViewOperation) => {
      const error = await target()
        .commit(ref(), {
          operations: [mergeNode(customer('ok'), {}, 1n), operation],
          checkpoint: { from: 0n, to: 1n },
        })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      expect(error).toBeInstanceOf(Error);
      expect(classifyError(error, (e) => target().classifyError(e))).toBe('poison');
      return (error as Error).message;
    };
    expect(await refused(mergeNode({ label: 'Product', key: 'p1' }, {}, 1n))).toMatch(/Product/);
    expect(await refused(mergeNode(customer('c1'), { age: 3 }, 1n))).toMatch(/age/);
    expect(await refused(mergeNode(customer('c1'), { tier: 'gold' }, 1n))).toMatch(/tier/);
    expect(await refused(placed('c1', 'o1', 1n, { via: 'x' }))).toMatch(/via/);
    expect(await refused({ kind: 'put', key: 'k', document: { customer_id: 'k' }, position: 1n })).toMatch(
      /put/,
    );
    expect(await graph()).toEqual({});
    expect(await target().readCheckpoint(ref())).toBe(0n);
  });

  it('does not take documents: validate says the view is a graph', () => {
    expect(target().validate(ref(), { order_id: 'a' })).toMatch(/graph/);
  });
}
