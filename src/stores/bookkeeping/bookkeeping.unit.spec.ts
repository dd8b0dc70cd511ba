import type { TargetShape } from '../../core/view-shape';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import type { CheckpointRange, GenerationSpec, ParkedEvent, ViewRef } from '../target.port';
import { admitCommit, Bookkeeping, fenceAfter } from './bookkeeping';
import type { CheckpointClaim, StoredGeneration, ViewStorage } from './bookkeeping.port';
import { InMemoryRecords, type MemoryBook } from './in-memory-records';

const shape = {
  kind: 'postgres',
  table: 'orders',
  key: 'id',
  columns: {},
  indexes: [],
} as unknown as TargetShape;
const spec = (generation: number, projection = 'orders'): GenerationSpec => ({
  projection,
  generation,
  shape,
  fingerprint: `f${generation}`,
  definition: null,
});

class NamesTaken extends Error {}

/** Storage that only records what it was asked to do. */
class RecordingStorage implements ViewStorage<MemoryBook> {
  readonly kind = 'postgres';
  readonly dropsInTransaction = false;
  physicalNames(generation: GenerationSpec): string[] {
    return [`table ${generation.generation}`];
  }
  readNames(active: GenerationSpec | undefined): string[] {
    return active === undefined ? [] : ['view'];
  }
  removeReaders(_: MemoryBook, active: readonly GenerationSpec[]): Promise<void> {
    this.calls.push(`unread ${active.map((g) => g.generation).join(',')}`);
    return Promise.resolve();
  }
  readonly calls: string[] = [];
  recorded(generation: GenerationSpec) {
    return { shape: generation.shape, names: [`view:${generation.shape.kind}`] };
  }
  claimedError(generation: GenerationSpec, owner: string): Error {
    return new NamesTaken(`${generation.projection} vs ${owner}`);
  }
  createStorage(generation: GenerationSpec): Promise<void> {
    this.calls.push(`create ${generation.generation}`);
    return Promise.resolve();
  }
  swapReaders(_: MemoryBook, view: ViewRef, previous: StoredGeneration | undefined): Promise<void> {
    this.calls.push(`swap ${previous?.generation ?? '-'} -> ${view.generation}`);
    return Promise.resolve();
  }
  dropStorage(view: ViewRef): Promise<void> {
    this.calls.push(`drop ${view.generation}`);
    return Promise.resolve();
  }
}

/** Records without transactions whose settle finds the fence raised since the claim (Elasticsearch's 409). */
class SettleLosesToFence extends InMemoryRecords {
  override settleCheckpoint(_: MemoryBook, __: ViewRef, range: CheckpointRange): Promise<CheckpointClaim> {
    return Promise.resolve({ kind: 'moved', actual: range.from, fence: 9n });
  }
}

function setUp(records = new InMemoryRecords()) {
  const storage = new RecordingStorage();
  const versions: number[] = [];
  const book = new Bookkeeping(records, storage, {
    store: {
      description: 'memory',
      withMigrationLock: (work) => work(),
      readVersion: () => Promise.resolve(versions.at(-1)),
      writeVersion: (version) => Promise.resolve(void versions.push(version)),
    },
    migrations: [{ version: 1, description: 'nothing to create', up: () => Promise.resolve() }],
  });
  const views: number[] = [];
  const commit = (generation: number, from: bigint, to: bigint, extra = {}) =>
    book.commit(spec(generation), { operations: [], checkpoint: { from, to }, ...extra }, () =>
      Promise.resolve(void views.push(generation)),
    );
  const stored = (generation: number) => records.read((s) => records.readCheckpoint(s, spec(generation)));
  return { book, storage, versions, commit, views, stored };
}

const parked = (position: bigint): ParkedEvent => ({
  projection: 'orders',
  generation: 1,
  position,
  streamId: 's',
  eventType: 'E',
  event: {
    id: `e${position}`,
    streamId: 's',
    revision: 0,
    position,
    type: 'E',
    data: {},
    metadata: { timestamp: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
  },
  keys: [],
  reason: 'bad',
  status: 'parked',
  parkedAt: new Date(0),
});

describe('shared bookkeeping', () => {
  it('records the schema version on initialize, once', async () => {
    const { book, versions } = setUp();
    await book.initialize();
    await book.initialize();
    expect(versions).toEqual([1]);
  });

  it('prepares idempotently: a second prepare never resets the checkpoint', async () => {
    const { book, storage, commit } = setUp();
    await book.prepare(spec(1));
    expect(await commit(1, 0n, 7n)).toEqual({ kind: 'committed', checkpoint: 7n });
    await book.prepare(spec(1));
    expect(await book.readCheckpoint(spec(1))).toBe(7n);
    expect(await book.readProjection('orders')).toEqual({
      name: 'orders',
      activeGeneration: null,
      paused: false,
    });
    expect((await book.listGenerations('orders')).map((g) => [g.generation, g.status])).toEqual([
      [1, 'building'],
    ]);
    expect(storage.calls).toEqual(['create 1', 'create 1']);
  });

  it("refuses names another projection's generation claims, before writing anything", async () => {
    const { book } = setUp();
    await book.prepare(spec(1, 'orders'));
    await expect(book.prepare(spec(1, 'other'))).rejects.toThrow(NamesTaken);
    expect(await book.readProjection('other')).toBeUndefined();
  });

  it('reports a checkpoint mismatch as a value and writes nothing, parking included', async () => {
    const { book, commit } = setUp();
    await book.prepare(spec(1));
    const result = await commit(1, 3n, 5n, { park: [parked(4n)] });
    expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: 0n });
    expect(await book.listParked(spec(1))).toEqual([]);
  });

  it('activates after re-checking the checkpoint, and retires the previous generation', async () => {
    const { book, storage, commit } = setUp();
    await book.prepare(spec(1));
    expect(await book.activate(spec(1))).toEqual({ kind: 'activated', previous: null });
    await book.prepare(spec(2));
    expect(await book.activate(spec(2), { minCheckpoint: 10n })).toEqual({ kind: 'behind', checkpoint: 0n });
    await commit(2, 0n, 10n);
    expect(await book.activate(spec(2), { minCheckpoint: 10n })).toEqual({ kind: 'activated', previous: 1 });
    expect((await book.listGenerations('orders')).map((g) => [g.generation, g.status])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    expect((await book.readProjection('orders'))?.activeGeneration).toBe(2);
    expect(storage.calls.filter((c) => c.startsWith('swap'))).toEqual(['swap - -> 1', 'swap 1 -> 2']);
    await expect(book.activate(spec(3))).rejects.toThrow(UnknownGenerationError);
  });

  it('drops a retired generation with its records, and refuses the active one', async () => {
    const { book, commit } = setUp();
    await book.prepare(spec(1));
    await commit(1, 0n, 2n, {
      park: [parked(2n)],
      resolve: [{ position: 1n, action: 'discarded', checkpoint: 1n, resolvedAt: new Date(0) }],
    });
    await book.activate(spec(1));
    await expect(book.drop(spec(1))).rejects.toThrow(ActiveGenerationDropError);
    await book.prepare(spec(2));
    await book.activate(spec(2));
    await book.drop(spec(1));
    expect(await book.readCheckpoint(spec(1))).toBeUndefined();
    expect(await book.listParked(spec(1))).toEqual([]);
    expect(await book.listResolutions(spec(1))).toEqual([]);
    expect((await book.listGenerations('orders')).map((g) => g.generation)).toEqual([2]);
    await book.drop(spec(1)); // idempotent
  });

  it('reports a generation whose drop was interrupted as retired, so it is dropped again', async () => {
    const { book } = setUp();
    await book.prepare(spec(1));
    await book.records.transaction((s) => book.records.setGenerationStatus(s, 'orders', 1, 'dropping'));
    expect((await book.listGenerations('orders'))[0]?.status).toBe('retired');
  });

  it('lists parked events in log order and releases them', async () => {
    const { book, commit } = setUp();
    await book.prepare(spec(1));
    await commit(1, 0n, 9n, { park: [parked(8n), parked(3n), parked(5n)] });
    await commit(1, 9n, 10n, { release: [5n] });
    expect((await book.listParked(spec(1))).map((p) => p.position)).toEqual([3n, 8n]);
  });

  it('retires a whole projection: a dry run lists, the drop removes every generation and the registry entry', async () => {
    const { book, storage } = setUp();
    await book.prepare(spec(1));
    await book.activate(spec(1));
    await book.prepare(spec(2));
    const listed = await book.dropProjection('orders', { dryRun: true });
    expect(listed).toEqual({
      projection: 'orders',
      readNames: ['view'],
      generations: [
        { generation: 1, status: 'active', physical: ['table 1'] },
        { generation: 2, status: 'building', physical: ['table 2'] },
      ],
    });
    expect((await book.listProjections()).map((p) => p.name)).toEqual(['orders']);
    await book.dropProjection('orders', { dryRun: false });
    expect(await book.listProjections()).toEqual([]);
    expect(await book.listGenerations('orders')).toEqual([]);
    expect(storage.calls.slice(-3)).toEqual(['unread 1', 'drop 1', 'drop 2']);
  });

  it('keeps the paused flag apart from the active generation', async () => {
    const { book } = setUp();
    await book.setPaused('orders', true);
    await book.prepare(spec(1));
    await book.activate(spec(1));
    expect(await book.readProjection('orders')).toEqual({
      name: 'orders',
      activeGeneration: 1,
      paused: true,
    });
  });
});

describe('fences (issue #15)', () => {
  const claimed = (fence: bigint): CheckpointClaim => ({ kind: 'claimed', fence });
  const moved = (actual: bigint | undefined, fence: bigint | undefined): CheckpointClaim => ({
    kind: 'moved',
    actual,
    fence,
  });
  const batch = (fence?: bigint) => ({ operations: [], checkpoint: { from: 1n, to: 2n }, fence });

  it('decides fenced before checkpoint-mismatch, and never fences a batch without a fence', () => {
    expect(admitCommit(claimed(3n), batch(2n))).toEqual({ kind: 'fenced', fence: 3n });
    expect(admitCommit(moved(5n, 3n), batch(2n))).toEqual({ kind: 'fenced', fence: 3n });
    expect(admitCommit(moved(5n, 3n), batch(3n))).toEqual({ kind: 'checkpoint-mismatch', actual: 5n });
    expect(admitCommit(moved(undefined, undefined), batch(1n))).toEqual({
      kind: 'checkpoint-mismatch',
      actual: undefined,
    });
    expect(admitCommit(claimed(3n), batch())).toEqual(claimed(3n));
    expect(admitCommit(claimed(3n), batch(3n))).toEqual(claimed(3n));
    expect([fenceAfter(3n, batch(5n)), fenceAfter(3n, batch(3n)), fenceAfter(3n, batch())]).toEqual([
      5n,
      3n,
      3n,
    ]);
  });

  it('refuses a stale fence before the view is written, leaving checkpoint, fence and parking as they were', async () => {
    const { book, commit, views, stored } = setUp();
    await book.prepare(spec(1));
    expect(await commit(1, 0n, 0n, { fence: 4n })).toEqual({ kind: 'committed', checkpoint: 0n });
    expect(await stored(1)).toEqual({ position: 0n, fence: 4n });
    expect(await commit(1, 0n, 3n, { fence: 2n, park: [parked(2n)] })).toEqual({
      kind: 'fenced',
      fence: 4n,
    });
    expect(views).toEqual([1]);
    expect(await stored(1)).toEqual({ position: 0n, fence: 4n });
    expect(await book.listParked(spec(1))).toEqual([]);
    expect(await commit(1, 0n, 3n)).toEqual({ kind: 'committed', checkpoint: 3n });
    expect(await stored(1)).toEqual({ position: 3n, fence: 4n });
  });

  it('answers fenced when the settle loses to a fence raised after the claim (stores without transactions)', async () => {
    const { book, commit, views } = setUp(new SettleLosesToFence());
    await book.prepare(spec(1));
    expect(await commit(1, 0n, 2n, { fence: 1n })).toEqual({ kind: 'fenced', fence: 9n });
    expect(views).toEqual([1]);
    expect(await commit(1, 0n, 2n, { fence: 9n })).toEqual({ kind: 'checkpoint-mismatch', actual: 0n });
  });

  it('refuses activate with a stale fence before the checkpoint check, without swapping', async () => {
    const { book, storage, commit } = setUp();
    await book.prepare(spec(1));
    await commit(1, 0n, 5n, { fence: 2n });
    expect(await book.activate(spec(1), { fence: 1n, minCheckpoint: 9n })).toEqual({
      kind: 'fenced',
      fence: 2n,
    });
    expect(storage.calls.filter((c) => c.startsWith('swap'))).toEqual([]);
    expect(await book.activate(spec(1), { fence: 2n })).toEqual({ kind: 'activated', previous: null });
  });
});
