/**
 * The lookup cases every target that keeps lookups runs (correlation state, issue #16): entries written by
 * a commit with the batch, loaded back by key, never replaced by a write of an earlier position (a replay
 * or re-delivery), kept per generation (a rebuild starts empty) and removed by `drop`. A commit refused by
 * the checkpoint or the fence writes no entries on a target with transactions.
 */
import type { LookupWrite, StoredLookups } from '../../src/core/lookups';
import type { CommitBatch } from '../../src/stores/target.port';
import type { ContractContext } from './target-contract.support';

const write = (lookup: string, key: string, value: string | number, position: bigint): LookupWrite => ({
  lookup,
  key,
  value,
  position,
});

/** Loaded entries as plain data, for comparison. */
function plain(loaded: StoredLookups): Record<string, Record<string, [unknown, string]>> {
  return Object.fromEntries(
    [...loaded]
      .filter(([, entries]) => entries.size > 0)
      .map(([lookup, entries]) => [
        lookup,
        Object.fromEntries([...entries].map(([key, entry]) => [key, [entry.value, String(entry.position)]])),
      ]),
  );
}

export function lookupCases(context: ContractContext): void {
  const { family, spec, ref } = context;
  const target = () => context.target();
  const commit = (batch: CommitBatch, generation = 1) => target().commit(ref(generation), batch);
  const load = async (generation = 1) =>
    plain(
      await target().loadLookups!(ref(generation), [
        { lookup: 'order_customer', key: 'o1' },
        { lookup: 'order_customer', key: 'o2' },
        { lookup: 'order_customer', key: 'o3' },
        { lookup: 'order_total', key: 'o1' },
      ]),
    );

  it('stores lookup entries with the batch, loads them by key, and keeps them per generation until dropped', async () => {
    await target().prepare(spec(1));
    expect(await load()).toEqual({});
    expect(
      await commit({
        operations: [family.write('a', 2n)],
        lookups: [
          write('order_customer', 'o1', 'c1', 1n),
          write('order_customer', 'o2', 'c2', 2n),
          write('order_total', 'o1', 1250, 2n),
        ],
        checkpoint: { from: 0n, to: 2n },
      }),
    ).toEqual({ kind: 'committed', checkpoint: 2n });
    expect(await load()).toEqual({
      order_customer: { o1: ['c1', '1'], o2: ['c2', '2'] },
      order_total: { o1: [1250, '2'] },
    });

    // a later write replaces an entry; a write of an earlier position (a replay) never does
    await commit({
      operations: [],
      lookups: [write('order_customer', 'o1', 'c9', 3n), write('order_customer', 'o2', 'old', 1n)],
      checkpoint: { from: 2n, to: 3n },
    });
    expect((await load()).order_customer).toEqual({ o1: ['c9', '3'], o2: ['c2', '2'] });

    // a rebuild's generation starts without entries, and dropping the old one removes its entries
    await target().prepare(spec(2));
    expect(await load(2)).toEqual({});
    await commit(
      {
        operations: [],
        lookups: [write('order_customer', 'o3', 'c3', 5n)],
        checkpoint: { from: 0n, to: 5n },
      },
      2,
    );
    expect(await load(2)).toEqual({ order_customer: { o3: ['c3', '5'] } });
    expect(await target().activate(ref(2))).toMatchObject({ kind: 'activated' });
    await target().drop(ref(1));
    expect(await load(1)).toEqual({});
    expect(await load(2)).toEqual({ order_customer: { o3: ['c3', '5'] } });
  });

  it('writes no lookup entries when the checkpoint moved or the writer is fenced (with transactions)', async () => {
    await target().prepare(spec(1));
    await commit({ operations: [], checkpoint: { from: 0n, to: 2n }, fence: 3n });
    expect(
      await commit({
        operations: [],
        lookups: [write('order_customer', 'o1', 'c1', 3n)],
        checkpoint: { from: 0n, to: 3n },
        fence: 3n,
      }),
    ).toMatchObject({ kind: 'checkpoint-mismatch' });
    expect(
      await commit({
        operations: [],
        lookups: [write('order_customer', 'o2', 'c2', 3n)],
        checkpoint: { from: 2n, to: 3n },
        fence: 1n,
      }),
    ).toMatchObject({ kind: 'fenced' });
    if (target().capabilities.transactional) expect(await load()).toEqual({});
    expect(await target().readCheckpoint(ref())).toBe(2n);
  });
}
