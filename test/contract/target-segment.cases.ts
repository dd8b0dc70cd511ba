/**
 * The segment checkpoint cases a target runs when its capabilities say `segments` (issue #15): a
 * generation prepared with `segments: N` has N checkpoints, each moved (and fenced) on its own by the
 * segment's commits, over one shared storage; dropping the generation removes them all, so a generation
 * prepared again under the same number starts every segment at 0.
 */
import { scanAll, type ContractContext } from './target-contract.support';

export function segmentCases(context: ContractContext): void {
  const { family, spec, ref } = context;
  const target = () => context.target();
  const segment = (k: number, generation = 1) => ({ ...ref(generation), segment: k });

  it('keeps one checkpoint per segment over one shared view, each moved and fenced on its own', async () => {
    if (target().capabilities.segments !== true) return;
    await target().prepare({ ...spec(), segments: 3 });
    expect(await Promise.all([0, 1, 2].map((k) => target().readCheckpoint(segment(k))))).toEqual([
      0n,
      0n,
      0n,
    ]);
    expect(await target().readCheckpoint(segment(3))).toBeUndefined();

    expect(
      await target().commit(segment(2), {
        operations: [family.write('a', 5n)],
        checkpoint: { from: 0n, to: 7n },
        fence: 4n,
      }),
    ).toEqual({ kind: 'committed', checkpoint: 7n });
    expect(
      await target().commit(segment(0), {
        operations: [family.write('b', 3n)],
        checkpoint: { from: 0n, to: 6n },
      }),
    ).toEqual({ kind: 'committed', checkpoint: 6n });
    expect(await Promise.all([0, 1, 2].map((k) => target().readCheckpoint(segment(k))))).toEqual([
      6n,
      0n,
      7n,
    ]);
    // Segment 2's fence is its own: a lower epoch is refused there and not on segment 1.
    expect(
      await target().commit(segment(2), { operations: [], checkpoint: { from: 7n, to: 8n }, fence: 3n }),
    ).toEqual({ kind: 'fenced', fence: 4n });
    expect(
      await target().commit(segment(1), { operations: [], checkpoint: { from: 0n, to: 8n }, fence: 3n }),
    ).toEqual({ kind: 'committed', checkpoint: 8n });
    expect((await scanAll(target(), ref())).map((entry) => entry.key).sort()).toEqual(
      [family.entryKey('a'), family.entryKey('b')].sort(),
    );

    await target().drop(ref());
    for (const k of [0, 1, 2]) expect(await target().readCheckpoint(segment(k))).toBeUndefined();
    await target().prepare({ ...spec(), segments: 3 });
    expect(await Promise.all([0, 1, 2].map((k) => target().readCheckpoint(segment(k))))).toEqual([
      0n,
      0n,
      0n,
    ]);
  });
}
