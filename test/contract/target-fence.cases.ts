/**
 * The fencing cases every target runs (issue #15): each checkpoint stores a fence, the lease epoch of the
 * last writer that carried one. A commit or an activate whose fence is below it is refused (`fenced`)
 * before the checkpoint is compared, and with transactions writes nothing; a commit at or above it stores
 * its fence, an empty in-place commit included (how a new lease holder fences a generation); a commit
 * without a fence is not checked and leaves the fence as it is.
 */
import type { CommitBatch, CommitResult } from '../../src/stores/target.port';
import { parked, scanAll, type ContractContext } from './target-contract.support';

export function fenceCases(context: ContractContext): void {
  const { family, spec, ref } = context;
  const target = () => context.target();
  const ids = async (generation = 1) =>
    (await scanAll(target(), ref(generation))).map((entry) => entry.key).sort();
  const commit = (batch: CommitBatch, generation = 1): Promise<CommitResult> =>
    target().commit(ref(generation), batch);
  /** A new lease holder's first commit: nothing written, the checkpoint where it is, the fence raised. */
  const fenceAt = (checkpoint: bigint, fence: bigint, generation = 1) =>
    commit({ operations: [], checkpoint: { from: checkpoint, to: checkpoint }, fence }, generation);

  it('fences a generation with an empty in-place commit: the former holder can commit nothing afterwards', async () => {
    await target().prepare(spec());
    // A new checkpoint has fence 0: any holder's first commit goes in.
    expect(
      await commit({ operations: [family.write('a', 1n)], checkpoint: { from: 0n, to: 2n }, fence: 1n }),
    ).toEqual({ kind: 'committed', checkpoint: 2n });

    expect(await fenceAt(2n, 2n)).toEqual({ kind: 'committed', checkpoint: 2n });
    const stale = await commit({
      operations: [family.write('b', 3n)],
      checkpoint: { from: 2n, to: 3n },
      park: [parked(ref(), 3n, 'parked')],
      fence: 1n,
    });
    expect(stale).toEqual({ kind: 'fenced', fence: 2n });
    expect(await target().readCheckpoint(ref())).toBe(2n);
    if (target().capabilities.transactional) {
      expect(await ids()).toEqual([family.entryKey('a')]);
      expect(await target().listParked(ref())).toEqual([]);
    }

    // The new holder goes on from the same checkpoint, and stays fenced-in at its epoch.
    expect(
      await commit({ operations: [family.write('b', 3n)], checkpoint: { from: 2n, to: 3n }, fence: 2n }),
    ).toEqual({ kind: 'committed', checkpoint: 3n });
    expect(await commit({ operations: [], checkpoint: { from: 3n, to: 4n }, fence: 1n })).toEqual({
      kind: 'fenced',
      fence: 2n,
    });
    expect(await ids()).toEqual([family.entryKey('a'), family.entryKey('b')]);
    expect(await target().readCheckpoint(ref())).toBe(3n);
  });

  it('answers fenced before checkpoint-mismatch, and a mismatch to a writer that holds the lease', async () => {
    await target().prepare(spec());
    await fenceAt(0n, 5n);
    await commit({ operations: [family.write('a', 4n)], checkpoint: { from: 0n, to: 4n }, fence: 5n });
    // A stale writer with a stale checkpoint: its lease is what it must learn about.
    expect(await commit({ operations: [], checkpoint: { from: 0n, to: 2n }, fence: 3n })).toEqual({
      kind: 'fenced',
      fence: 5n,
    });
    expect(await commit({ operations: [], checkpoint: { from: 1n, to: 6n }, fence: 5n })).toEqual({
      kind: 'checkpoint-mismatch',
      actual: 4n,
    });
    expect(await target().readCheckpoint(ref())).toBe(4n);
  });

  it('raises the fence with a higher one, never lowers it, and does not check a commit without one', async () => {
    await target().prepare(spec());
    await commit({ operations: [], checkpoint: { from: 0n, to: 1n }, fence: 3n });
    expect(await commit({ operations: [], checkpoint: { from: 1n, to: 2n }, fence: 7n })).toEqual({
      kind: 'committed',
      checkpoint: 2n,
    });
    // Without a fence (one process, no leases): applied, and the stored fence stays 7.
    expect(await commit({ operations: [family.write('a', 3n)], checkpoint: { from: 2n, to: 3n } })).toEqual({
      kind: 'committed',
      checkpoint: 3n,
    });
    expect(await fenceAt(3n, 6n)).toEqual({ kind: 'fenced', fence: 7n });
    expect(await fenceAt(3n, 7n)).toEqual({ kind: 'committed', checkpoint: 3n });
    expect(await fenceAt(3n, 3n)).toEqual({ kind: 'fenced', fence: 7n });
  });

  it('keeps a fence per generation: a new generation starts at 0, and dropping one forgets its fence', async () => {
    await target().prepare(spec(1));
    await target().prepare(spec(2));
    await fenceAt(0n, 4n, 1);
    expect(
      await commit({ operations: [family.write('a', 1n)], checkpoint: { from: 0n, to: 1n }, fence: 1n }, 2),
    ).toEqual({ kind: 'committed', checkpoint: 1n });
    expect(await fenceAt(0n, 1n, 1)).toEqual({ kind: 'fenced', fence: 4n });
    await target().activate(ref(2));
    await target().drop(ref(1));
    await target().prepare(spec(1));
    expect(await fenceAt(0n, 1n, 1)).toEqual({ kind: 'committed', checkpoint: 0n });
  });

  it('refuses activate with a stale fence and changes nothing; the current or a higher one swaps', async () => {
    await target().prepare(spec(1));
    await commit({ operations: [family.write('old', 1n)], checkpoint: { from: 0n, to: 1n } }, 1);
    await target().activate(ref(1));
    await target().prepare(spec(2));
    await commit({ operations: [family.write('new', 2n)], checkpoint: { from: 0n, to: 2n }, fence: 3n }, 2);

    expect(await target().activate(ref(2), { fence: 2n })).toEqual({ kind: 'fenced', fence: 3n });
    // Fenced comes before behind, as for commits.
    expect(await target().activate(ref(2), { fence: 2n, minCheckpoint: 9n })).toEqual({
      kind: 'fenced',
      fence: 3n,
    });
    expect(await context.readers()).toEqual(['old']);
    expect((await target().readProjection(ref().projection))?.activeGeneration).toBe(1);
    const statuses = async () =>
      (await target().listGenerations(ref().projection)).map((g) => [g.generation, g.status]);
    expect(await statuses()).toEqual([
      [1, 'active'],
      [2, 'building'],
    ]);

    expect(await target().activate(ref(2), { fence: 3n, minCheckpoint: 9n })).toEqual({
      kind: 'behind',
      checkpoint: 2n,
    });
    expect(await target().activate(ref(2), { fence: 3n, minCheckpoint: 2n })).toEqual({
      kind: 'activated',
      previous: 1,
    });
    expect(await context.readers()).toEqual(['new']);
    expect(await statuses()).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    // Activate does not move the fence: the holder of epoch 3 still commits.
    expect(await fenceAt(2n, 3n, 2)).toEqual({ kind: 'committed', checkpoint: 2n });
  });

  it('a stale batch racing the new holder fence: either it went in before the fence, or it is fenced', async () => {
    await target().prepare(spec());
    await commit({ operations: [], checkpoint: { from: 0n, to: 1n }, fence: 1n });
    const [stale, fence] = await Promise.all([
      commit({ operations: [family.write('a', 3n)], checkpoint: { from: 1n, to: 3n }, fence: 1n }),
      fenceAt(1n, 2n),
    ]);
    if (stale.kind === 'committed') {
      // The batch went in first; the fence found the checkpoint moved (the new holder reads it again).
      expect(fence).toEqual({ kind: 'checkpoint-mismatch', actual: 3n });
      expect(await target().readCheckpoint(ref())).toBe(3n);
      expect(await fenceAt(3n, 2n)).toEqual({ kind: 'committed', checkpoint: 3n });
    } else {
      expect(stale).toEqual({ kind: 'fenced', fence: 2n });
      expect(fence).toEqual({ kind: 'committed', checkpoint: 1n });
      expect(await target().readCheckpoint(ref())).toBe(1n);
      if (target().capabilities.transactional) expect(await ids()).toEqual([]);
    }
    // Either way, the former holder is out from now on.
    const now = (await target().readCheckpoint(ref()))!;
    expect(await fenceAt(now, 1n)).toEqual({ kind: 'fenced', fence: 2n });
  });
}
