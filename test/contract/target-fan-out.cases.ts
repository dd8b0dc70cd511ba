/**
 * The fan-out cases every target that finds keys runs (`capabilities.findsKeys`, issue #16): the keys of
 * the documents whose secondary key (the contract shapes' `status`: an indexed column, a keyword field)
 * holds each value, at most `limit` of them, whatever was written before (no refresh to wait for),
 * without deleted documents, per generation.
 */
import { order, put, type ContractContext } from './target-contract.support';

export function fanOutCases(context: ContractContext): void {
  const { spec, ref } = context;
  const target = () => context.target();
  const find = (values: readonly string[], limit = 10, generation = 1) =>
    target().findKeys!(ref(generation), 'status', values, limit);

  it('finds the keys of the documents holding each value, at most `limit`, without deleted ones', async () => {
    await target().prepare(spec(1));
    expect(await find(['placed'])).toEqual([[]]);
    const committed = await target().commit(ref(1), {
      operations: [
        put(order('a', 'placed', 1), 1n),
        put(order('b', 'shipped', 1), 2n),
        put(order('c', 'placed', 1), 3n),
        put(order('d', 'placed', 1), 4n),
      ],
      checkpoint: { from: 0n, to: 4n },
    });
    expect(committed.kind).toBe('committed');
    const sorted = (found: readonly (readonly string[])[]) => found.map((keys) => [...keys].sort());
    expect(sorted(await find(['placed', 'shipped', 'lost']))).toEqual([['a', 'c', 'd'], ['b'], []]);
    expect((await find(['placed'], 2))[0]).toHaveLength(2);

    // a change moves a document between values; a deleted one is found under none
    await target().commit(ref(1), {
      operations: [put(order('a', 'shipped', 2), 5n), { kind: 'delete', key: 'c', position: 6n }],
      checkpoint: { from: 4n, to: 6n },
    });
    expect(sorted(await find(['placed', 'shipped']))).toEqual([['d'], ['a', 'b']]);

    // another generation holds its own documents
    await target().prepare(spec(2));
    expect(await find(['placed', 'shipped'], 10, 2)).toEqual([[], []]);
  });
}
