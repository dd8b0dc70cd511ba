/**
 * The contract cases every target runs, whatever its view family: generations and the registry, the
 * checkpoint compare-and-set, activate and drop, parking records and resolutions. Entries are written
 * with the family's own operation (a document put, a node merge) and found again with `scan`.
 */
import { parked, scanAll, type ContractContext } from './target-contract.support';

export function sharedCases(context: ContractContext): void {
  const { family } = context;
  const target = () => context.target();
  const { spec, ref } = context;
  const ids = async (generation = 1) =>
    (await scanAll(target(), ref(generation))).map((entry) => entry.key).sort();

  it('prepare registers a building generation at checkpoint 0 and is idempotent', async () => {
    await target().prepare(spec());
    await target().prepare(spec());
    expect(await target().readCheckpoint(ref())).toBe(0n);
    const generations = await target().listGenerations(ref().projection);
    expect(generations.map((g) => [g.generation, g.status, g.fingerprint])).toEqual([
      [1, 'building', 'fp-1'],
    ]);
    expect(generations[0]!.definition).toEqual({ name: ref().projection, generation: 1 });
    expect(generations[0]!.shape).toEqual(context.shape());
    expect(await target().readCheckpoint(ref(2))).toBeUndefined();
  });

  it('commits a batch and advances the checkpoint; a generation never prepared is a mismatch with no checkpoint', async () => {
    await target().prepare(spec(1));
    const result = await target().commit(ref(1), {
      operations: [family.write('a', 1n), family.write('b', 2n)],
      checkpoint: { from: 0n, to: 2n },
    });
    expect(result).toEqual({ kind: 'committed', checkpoint: 2n });
    expect(await target().readCheckpoint(ref(1))).toBe(2n);
    expect(await scanAll(target(), ref(1))).toEqual([
      { key: family.entryKey('a'), document: family.entry('a') },
      { key: family.entryKey('b'), document: family.entry('b') },
    ]);
    // An empty batch moves the checkpoint too (every event of a batch filtered out).
    expect(await target().commit(ref(1), { operations: [], checkpoint: { from: 2n, to: 5n } })).toEqual({
      kind: 'committed',
      checkpoint: 5n,
    });
    const missing = await target().commit(
      { ...ref(1), generation: 42 },
      { operations: [], checkpoint: { from: 0n, to: 1n } },
    );
    expect(missing).toEqual({ kind: 'checkpoint-mismatch', actual: undefined });
  });

  it('re-applying an already committed batch changes nothing (the checkpoint refuses it)', async () => {
    await target().prepare(spec());
    const batch = { operations: [family.write('a', 1n, 10)], checkpoint: { from: 0n, to: 1n } };
    await target().commit(ref(), batch);
    await target().commit(ref(), {
      operations: [family.write('a', 2n, 11)],
      checkpoint: { from: 1n, to: 2n },
    });
    expect(await target().commit(ref(), batch)).toEqual({ kind: 'checkpoint-mismatch', actual: 2n });
    expect(await scanAll(target(), ref())).toEqual([
      { key: family.entryKey('a'), document: family.entry('a', 11) },
    ]);
    expect(await target().readCheckpoint(ref())).toBe(2n);
  });

  it('a checkpoint mismatch reports the actual checkpoint and, with transactions, writes nothing', async () => {
    await target().prepare(spec());
    const result = await target().commit(ref(), {
      operations: [family.write('x', 9n)],
      checkpoint: { from: 4n, to: 9n },
      park: [parked(ref(), 8n, 'parked')],
    });
    expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: 0n });
    if (target().capabilities.transactional) {
      expect(await ids()).toEqual([]);
      expect(await target().listParked(ref())).toEqual([]);
    }
    expect(await target().readCheckpoint(ref())).toBe(0n);
  });

  it('lets exactly one of two concurrent commits from the same checkpoint move it', async () => {
    await target().prepare(spec());
    const commit = (id: string) =>
      target().commit(ref(), { operations: [family.write(id, 3n)], checkpoint: { from: 0n, to: 3n } });
    const results = await Promise.all([commit('left'), commit('right')]);
    expect(results.map((r) => r.kind).sort()).toEqual(['checkpoint-mismatch', 'committed']);
    expect(results.find((r) => r.kind === 'checkpoint-mismatch')).toEqual({
      kind: 'checkpoint-mismatch',
      actual: 3n,
    });
    expect(await target().readCheckpoint(ref())).toBe(3n);
    if (target().capabilities.transactional) expect(await ids()).toHaveLength(1);
  });

  it('keeps generations isolated: entries and checkpoints of one never show in another', async () => {
    await target().prepare(spec(1));
    await target().prepare(spec(2));
    await target().commit(ref(1), { operations: [family.write('a', 5n)], checkpoint: { from: 0n, to: 5n } });
    await target().commit(ref(2), { operations: [family.write('b', 3n)], checkpoint: { from: 0n, to: 3n } });
    expect(await ids(1)).toEqual([family.entryKey('a')]);
    expect(await ids(2)).toEqual([family.entryKey('b')]);
    expect(await target().readCheckpoint(ref(1))).toBe(5n);
    expect(await target().readCheckpoint(ref(2))).toBe(3n);
  });

  it('activate swaps what readers see atomically, after re-checking the checkpoint', async () => {
    await target().prepare(spec(1));
    await target().commit(ref(1), {
      operations: [family.write('old', 1n)],
      checkpoint: { from: 0n, to: 1n },
    });
    expect(await target().activate(ref(1))).toEqual({ kind: 'activated', previous: null });
    expect(await context.readers()).toEqual(['old']);

    await target().prepare(spec(2));
    await target().commit(ref(2), {
      operations: [family.write('new', 4n)],
      checkpoint: { from: 0n, to: 4n },
    });
    expect(await target().activate(ref(2), { minCheckpoint: 5n })).toEqual({
      kind: 'behind',
      checkpoint: 4n,
    });
    expect(await context.readers()).toEqual(['old']);

    expect(await target().activate(ref(2), { minCheckpoint: 4n })).toEqual({
      kind: 'activated',
      previous: 1,
    });
    expect(await context.readers()).toEqual(['new']);
    expect((await target().readProjection(ref().projection))?.activeGeneration).toBe(2);
    const statuses = (await target().listGenerations(ref().projection)).map((g) => [g.generation, g.status]);
    expect(statuses).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    // The new generation keeps taking writes that readers see immediately.
    await target().commit(ref(2), {
      operations: [family.write('later', 6n)],
      checkpoint: { from: 4n, to: 6n },
    });
    expect(await context.readers()).toEqual(['later', 'new']);
  });

  it('drop removes a retired generation and refuses the active one', async () => {
    await target().prepare(spec(1));
    await target().activate(ref(1));
    await target().prepare(spec(2));
    await target().commit(ref(1), { operations: [family.write('a', 1n)], checkpoint: { from: 0n, to: 1n } });
    await target().activate(ref(2));
    await expect(target().drop(ref(2))).rejects.toThrow(/active/);
    await target().drop(ref(1));
    await target().drop(ref(1));
    expect(await target().readCheckpoint(ref(1))).toBeUndefined();
    expect((await target().listGenerations(ref().projection)).map((g) => g.generation)).toEqual([2]);
    expect(await context.readers()).toEqual([]);
    // Preparing the number again starts empty: nothing of the dropped generation is left.
    await target().prepare(spec(1));
    expect(await ids(1)).toEqual([]);
    expect(await target().readCheckpoint(ref(1))).toBe(0n);
  });

  it('records parked and held events with the batch, lists them in log order, and releases them', async () => {
    await target().prepare(spec());
    const result = await target().commit(ref(), {
      operations: [family.write('a', 1n)],
      checkpoint: { from: 0n, to: 3n },
      park: [parked(ref(), 3n, 'held'), parked(ref(), 2n, 'parked')],
    });
    expect(result.kind).toBe('committed');
    const listed = await target().listParked(ref());
    expect(listed.map((p) => [p.position, p.status])).toEqual([
      [2n, 'parked'],
      [3n, 'held'],
    ]);
    expect(listed[0]).toEqual(parked(ref(), 2n, 'parked'));
    // Re-parking the same position replaces the record (a replay that failed again).
    await target().commit(ref(), {
      operations: [],
      checkpoint: { from: 3n, to: 3n },
      park: [{ ...parked(ref(), 2n, 'parked'), reason: 'failed again' }],
      release: [3n],
    });
    const after = await target().listParked(ref());
    expect(after.map((p) => [p.position, p.reason])).toEqual([[2n, 'failed again']]);
  });

  it('records parking resolutions with the release, lists them in the order made, and drops them with the generation', async () => {
    await target().prepare(spec(1));
    await target().prepare(spec(2));
    await target().commit(ref(1), {
      operations: [],
      checkpoint: { from: 0n, to: 9n },
      park: [parked(ref(1), 2n, 'parked'), parked(ref(1), 5n, 'parked')],
    });
    const discarded = {
      position: 5n,
      action: 'discarded',
      checkpoint: 9n,
      resolvedAt: new Date(1_000),
    } as const;
    const replayed = {
      position: 2n,
      action: 'replayed',
      checkpoint: 9n,
      resolvedAt: new Date(2_000),
    } as const;
    await target().commit(ref(1), {
      operations: [],
      checkpoint: { from: 9n, to: 9n },
      release: [5n],
      resolve: [discarded],
    });
    await target().commit(ref(1), {
      operations: [family.write('a', 2n)],
      checkpoint: { from: 9n, to: 9n },
      release: [2n],
      resolve: [replayed],
    });
    expect(await target().listParked(ref(1))).toEqual([]);
    expect(await target().listResolutions(ref(1))).toEqual([discarded, replayed]);
    expect(await target().listResolutions(ref(2))).toEqual([]);
    await target().activate(ref(2));
    await target().drop(ref(1));
    await target().prepare(spec(1));
    expect(await target().listResolutions(ref(1))).toEqual([]);
  });

  it('pause flags survive in the registry', async () => {
    await target().prepare(spec());
    expect((await target().readProjection(ref().projection))?.paused).toBe(false);
    await target().setPaused(ref().projection, true);
    expect((await target().readProjection(ref().projection))?.paused).toBe(true);
    await target().setPaused(ref().projection, false);
    expect((await target().readProjection(ref().projection))?.paused).toBe(false);
    expect(await target().readProjection('never_registered')).toBeUndefined();
  });
}
