/**
 * The contract cases of document views (relational tables, search indices, memory documents): plans read
 * the current documents by key, so `load` must return what `commit` stored; puts and deletes per key,
 * view names claimed by one projection, scan by key, and shape validation.
 */
import { order, put, scanAll, type ContractContext } from './target-contract.support';

export function documentCases(context: ContractContext): void {
  const target = () => context.target();
  const { spec, ref } = context;

  it('puts documents and loads them back by key; absent keys have no document', async () => {
    await target().prepare(spec());
    const result = await target().commit(ref(), {
      operations: [put(order('a', 'placed', 10), 1n), put(order('b', 'shipped', 25), 2n)],
      checkpoint: { from: 0n, to: 2n },
    });
    expect(result).toEqual({ kind: 'committed', checkpoint: 2n });
    const loaded = await target().load(ref(), ['a', 'b', 'zzz']);
    expect(loaded.get('a')?.document).toEqual(order('a', 'placed', 10));
    expect(loaded.get('b')?.document).toEqual(order('b', 'shipped', 25));
    expect(loaded.has('zzz')).toBe(false);
  });

  it('deletes documents, and the last operation per key in a batch wins', async () => {
    await target().prepare(spec());
    await target().commit(ref(), {
      operations: [put(order('a', 'placed', 1), 1n), put(order('b', 'placed', 2), 2n)],
      checkpoint: { from: 0n, to: 2n },
    });
    await target().commit(ref(), {
      operations: [
        { kind: 'delete', key: 'a', position: 3n },
        put(order('c', 'placed', 3), 4n),
        { kind: 'delete', key: 'c', position: 5n },
        { kind: 'delete', key: 'b', position: 6n },
        put(order('b', 'cancelled', 7), 7n),
      ],
      checkpoint: { from: 2n, to: 7n },
    });
    const loaded = await target().load(ref(), ['a', 'b', 'c']);
    // Targets without transactions report deleted documents as tombstones (document: null), see the port.
    const present = [...loaded].filter(([, entry]) => entry.document !== null).map(([key]) => key);
    expect(present.sort()).toEqual(['b']);
    expect(loaded.get('b')?.document).toEqual(order('b', 'cancelled', 7));
  });

  it('refuses a second projection that claims the same view name', async () => {
    await target().prepare(spec());
    await expect(target().prepare({ ...spec(), projection: `${ref().projection}_other` })).rejects.toThrow(
      new RegExp(ref().projection),
    );
  });

  it("scan lists a generation's documents in key order, in pages, without deleted ones", async () => {
    await target().prepare(spec(1));
    await target().prepare(spec(2));
    const ids = ['e', 'a', 'd', 'b', 'c', 'f', 'g'];
    await target().commit(ref(1), {
      operations: ids.map((id, i) => put(order(id, 'placed', i), BigInt(i + 1))),
      checkpoint: { from: 0n, to: 7n },
    });
    await target().commit(ref(1), {
      operations: [{ kind: 'delete', key: 'd', position: 8n }],
      checkpoint: { from: 7n, to: 8n },
    });
    await target().commit(ref(2), {
      operations: [put(order('zz', 'placed', 1), 1n)],
      checkpoint: { from: 0n, to: 1n },
    });
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await target().scan(ref(1), { after, limit: 2 });
      pages.push(page.map((entry) => entry.key));
      for (const entry of page)
        expect(entry.document).toEqual(order(entry.key, 'placed', ids.indexOf(entry.key)));
      if (page.length < 2) break;
      after = page[page.length - 1]!.key;
    }
    expect(pages).toEqual([['a', 'b'], ['c', 'e'], ['f', 'g'], []]);
    expect((await target().scan(ref(1), { after: 'c', limit: 10 })).map((e) => e.key)).toEqual([
      'e',
      'f',
      'g',
    ]);
    expect(await scanAll(target(), ref(2))).toEqual([{ key: 'zz', document: order('zz', 'placed', 1) }]);
  });

  it('validates documents against the declared shape', () => {
    expect(target().validate(ref(), order('a', 'placed', 1))).toBeUndefined();
    expect(target().validate(ref(), { order_id: 'a', status: null, total: 1 })).toMatch(/status/);
    expect(target().validate(ref(), { order_id: 'a', status: 'placed', total: 'ten' })).toMatch(/total/);
  });
}
