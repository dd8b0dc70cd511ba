/**
 * The Target contract: what "works" means for a view store. Every target (relational on PostgreSQL and
 * SQLite, Elasticsearch, Neo4j, in-memory) runs this same suite from its own spec file:
 *
 *   targetContract({ name: 'relational (PostgreSQL)', create: async () => ..., readActive: ... });
 *
 * It covers put/delete, re-applying a batch, the checkpoint compare-and-set, generation isolation,
 * the atomic activate swap, drop, parking records and shape validation.
 */
import type { ViewDocument, ViewOperation } from '../../src/core/plan';
import type { TargetShape } from '../../src/core/view-shape';
import {
  isElasticsearchShape,
  type ElasticsearchTargetShape,
} from '../../src/stores/elasticsearch/elasticsearch-view-shape';
import {
  isRelationalShape,
  type RelationalTargetShape,
} from '../../src/stores/relational/relational-view-shape';
import type { StoredEvent } from '../../src/eventstore/event-store.port';
import type { GenerationSpec, ParkedEvent, Target, ViewRef } from '../../src/stores/target.port';

export interface TargetContractHarness {
  /** Suite title, e.g. 'relational target on PostgreSQL'. */
  readonly name: string;
  /** A fresh, initialized target; called once per suite (the suite closes it). */
  create(): Promise<Target>;
  /** What readers see under the projection's stable name (SQL view, alias), ordered by key. */
  readActive(target: Target, shape: TargetShape): Promise<ViewDocument[]>;
  /** A document-view shape this target accepts; defaults to a relational `contract_orders` shape. */
  readonly shape?: TargetShape;
}

/** The relational shape used by default; other document targets pass their own equivalent. */
export const CONTRACT_SHAPE: RelationalTargetShape = {
  kind: 'postgres',
  table: 'contract_orders',
  key: 'order_id',
  columns: {
    order_id: { type: 'text', nullable: false },
    status: { type: 'text', nullable: false },
    total: { type: 'integer', nullable: false },
    note: { type: 'text', nullable: true },
  },
  indexes: [{ columns: ['status'], unique: false }],
};

function order(id: string, status: string, total: number): ViewDocument {
  return { order_id: id, status, total, note: null };
}

function put(document: ViewDocument, position: bigint): ViewOperation {
  return { kind: 'put', key: document.order_id as string, document, position };
}

function event(position: bigint, orderId: string): StoredEvent {
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    streamId: `order-${orderId}`,
    revision: 0,
    position,
    type: 'OrderPlaced',
    data: { orderId, nested: { list: [1, 'two', null] } },
    metadata: { timestamp: '2024-05-01T10:00:00.000Z', schemaVersion: 1 },
  };
}

export function targetContract(harness: TargetContractHarness): void {
  describe(`Target contract: ${harness.name}`, () => {
    const template = harness.shape ?? CONTRACT_SHAPE;
    let target: Target;
    let counter = 0;
    /** Each test also gets its own view name: two projections may never share one. */
    let shape: TargetShape = template;
    /** Each test gets its own projection name, so tests never see each other's generations. */
    const spec = (generation = 1): GenerationSpec => ({
      projection: `contract_${counter}`,
      generation,
      shape,
      fingerprint: `fp-${generation}`,
      definition: { name: `contract_${counter}`, generation },
    });
    const ref = (generation = 1): ViewRef => ({ projection: `contract_${counter}`, generation, shape });

    beforeAll(async () => {
      target = await harness.create();
    });
    afterAll(async () => {
      await target?.close();
    });
    beforeEach(() => {
      counter += 1;
      shape = renamed(template, `_${counter}`);
    });

    it('prepare registers a building generation at checkpoint 0 and is idempotent', async () => {
      await target.prepare(spec());
      await target.prepare(spec());
      expect(await target.readCheckpoint(ref())).toBe(0n);
      const generations = await target.listGenerations(ref().projection);
      expect(generations.map((g) => [g.generation, g.status, g.fingerprint])).toEqual([
        [1, 'building', 'fp-1'],
      ]);
      expect(generations[0]!.definition).toEqual({ name: ref().projection, generation: 1 });
      expect(generations[0]!.shape).toEqual(shape);
      expect(await target.readCheckpoint(ref(2))).toBeUndefined();
    });

    it('puts documents and loads them back by key; absent keys have no document', async () => {
      await target.prepare(spec());
      const result = await target.commit(ref(), {
        operations: [put(order('a', 'placed', 10), 1n), put(order('b', 'shipped', 25), 2n)],
        checkpoint: { from: 0n, to: 2n },
      });
      expect(result).toEqual({ kind: 'committed', checkpoint: 2n });
      const loaded = await target.load(ref(), ['a', 'b', 'zzz']);
      expect(loaded.get('a')?.document).toEqual(order('a', 'placed', 10));
      expect(loaded.get('b')?.document).toEqual(order('b', 'shipped', 25));
      expect(loaded.has('zzz')).toBe(false);
      expect(await target.readCheckpoint(ref())).toBe(2n);
    });

    it('deletes documents, and the last operation per key in a batch wins', async () => {
      await target.prepare(spec());
      await target.commit(ref(), {
        operations: [put(order('a', 'placed', 1), 1n), put(order('b', 'placed', 2), 2n)],
        checkpoint: { from: 0n, to: 2n },
      });
      await target.commit(ref(), {
        operations: [
          { kind: 'delete', key: 'a', position: 3n },
          put(order('c', 'placed', 3), 4n),
          { kind: 'delete', key: 'c', position: 5n },
          { kind: 'delete', key: 'b', position: 6n },
          put(order('b', 'cancelled', 7), 7n),
        ],
        checkpoint: { from: 2n, to: 7n },
      });
      const loaded = await target.load(ref(), ['a', 'b', 'c']);
      // Targets without transactions report deleted documents as tombstones (document: null), see the port.
      const present = [...loaded].filter(([, entry]) => entry.document !== null).map(([key]) => key);
      expect(present.sort()).toEqual(['b']);
      expect(loaded.get('b')?.document).toEqual(order('b', 'cancelled', 7));
    });

    it('re-applying an already committed batch changes nothing (the checkpoint refuses it)', async () => {
      await target.prepare(spec());
      const batch = {
        operations: [put(order('a', 'placed', 10), 1n)],
        checkpoint: { from: 0n, to: 1n },
      };
      await target.commit(ref(), batch);
      await target.commit(ref(), {
        operations: [put(order('a', 'shipped', 11), 2n)],
        checkpoint: { from: 1n, to: 2n },
      });
      const again = await target.commit(ref(), batch);
      expect(again).toEqual({ kind: 'checkpoint-mismatch', actual: 2n });
      expect((await target.load(ref(), ['a'])).get('a')?.document).toEqual(order('a', 'shipped', 11));
      expect(await target.readCheckpoint(ref())).toBe(2n);
    });

    it('a checkpoint mismatch reports the actual checkpoint and writes nothing', async () => {
      await target.prepare(spec());
      const result = await target.commit(ref(), {
        operations: [put(order('x', 'placed', 5), 9n)],
        checkpoint: { from: 4n, to: 9n },
        park: [parked(ref(), 8n, 'parked')],
      });
      expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: 0n });
      if (target.capabilities.transactional) {
        expect((await target.load(ref(), ['x'])).size).toBe(0);
        expect(await target.listParked(ref())).toEqual([]);
      }
      expect(await target.readCheckpoint(ref())).toBe(0n);
    });

    it('a commit to a generation that was never prepared is a mismatch with no actual checkpoint', async () => {
      await target.prepare(spec(1));
      const result = await target.commit(ref(1), { operations: [], checkpoint: { from: 0n, to: 1n } });
      expect(result.kind).toBe('committed');
      const missing = await target.commit(
        { ...ref(1), generation: 42 },
        { operations: [], checkpoint: { from: 0n, to: 1n } },
      );
      expect(missing).toEqual({ kind: 'checkpoint-mismatch', actual: undefined });
    });

    it('keeps generations isolated: documents and checkpoints of one never show in another', async () => {
      await target.prepare(spec(1));
      await target.prepare(spec(2));
      await target.commit(ref(1), {
        operations: [put(order('a', 'placed', 1), 5n)],
        checkpoint: { from: 0n, to: 5n },
      });
      await target.commit(ref(2), {
        operations: [put(order('b', 'placed', 2), 3n)],
        checkpoint: { from: 0n, to: 3n },
      });
      expect([...(await target.load(ref(1), ['a', 'b'])).keys()]).toEqual(['a']);
      expect([...(await target.load(ref(2), ['a', 'b'])).keys()]).toEqual(['b']);
      expect(await target.readCheckpoint(ref(1))).toBe(5n);
      expect(await target.readCheckpoint(ref(2))).toBe(3n);
    });

    it('activate swaps what readers see atomically, after re-checking the checkpoint', async () => {
      await target.prepare(spec(1));
      await target.commit(ref(1), {
        operations: [put(order('old', 'placed', 1), 1n)],
        checkpoint: { from: 0n, to: 1n },
      });
      expect(await target.activate(ref(1))).toEqual({ kind: 'activated', previous: null });
      expect(await harness.readActive(target, shape)).toEqual([order('old', 'placed', 1)]);

      await target.prepare(spec(2));
      await target.commit(ref(2), {
        operations: [put(order('new', 'shipped', 2), 4n)],
        checkpoint: { from: 0n, to: 4n },
      });
      expect(await target.activate(ref(2), { minCheckpoint: 5n })).toEqual({
        kind: 'behind',
        checkpoint: 4n,
      });
      expect(await harness.readActive(target, shape)).toEqual([order('old', 'placed', 1)]);

      expect(await target.activate(ref(2), { minCheckpoint: 4n })).toEqual({
        kind: 'activated',
        previous: 1,
      });
      expect(await harness.readActive(target, shape)).toEqual([order('new', 'shipped', 2)]);
      expect((await target.readProjection(ref().projection))?.activeGeneration).toBe(2);
      const statuses = (await target.listGenerations(ref().projection)).map((g) => [g.generation, g.status]);
      expect(statuses).toEqual([
        [1, 'retired'],
        [2, 'active'],
      ]);
      // The new generation keeps taking writes that readers see immediately.
      await target.commit(ref(2), {
        operations: [put(order('later', 'placed', 3), 6n)],
        checkpoint: { from: 4n, to: 6n },
      });
      expect((await harness.readActive(target, shape)).map((d) => d.order_id)).toEqual(['later', 'new']);
    });

    it('drop removes a retired generation and refuses the active one', async () => {
      await target.prepare(spec(1));
      await target.activate(ref(1));
      await target.prepare(spec(2));
      await target.commit(ref(1), {
        operations: [put(order('a', 'placed', 1), 1n)],
        checkpoint: { from: 0n, to: 1n },
      });
      await target.activate(ref(2));
      await expect(target.drop(ref(2))).rejects.toThrow(/active/);
      await target.drop(ref(1));
      await target.drop(ref(1));
      expect(await target.readCheckpoint(ref(1))).toBeUndefined();
      expect((await target.listGenerations(ref().projection)).map((g) => g.generation)).toEqual([2]);
      expect(await harness.readActive(target, shape)).toEqual([]);
    });

    it('records parked and held events with the batch, lists them in log order, and releases them', async () => {
      await target.prepare(spec());
      const result = await target.commit(ref(), {
        operations: [put(order('a', 'placed', 1), 1n)],
        checkpoint: { from: 0n, to: 3n },
        park: [parked(ref(), 3n, 'held'), parked(ref(), 2n, 'parked')],
      });
      expect(result.kind).toBe('committed');
      const listed = await target.listParked(ref());
      expect(listed.map((p) => [p.position, p.status])).toEqual([
        [2n, 'parked'],
        [3n, 'held'],
      ]);
      expect(listed[0]).toEqual(parked(ref(), 2n, 'parked'));
      // Re-parking the same position replaces the record (a replay that failed again).
      await target.commit(ref(), {
        operations: [],
        checkpoint: { from: 3n, to: 3n },
        park: [{ ...parked(ref(), 2n, 'parked'), reason: 'failed again' }],
        release: [3n],
      });
      const after = await target.listParked(ref());
      expect(after.map((p) => [p.position, p.reason])).toEqual([[2n, 'failed again']]);
    });

    it('records parking resolutions with the release, lists them in the order made, and drops them with the generation', async () => {
      await target.prepare(spec(1));
      await target.prepare(spec(2));
      await target.commit(ref(1), {
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
      await target.commit(ref(1), {
        operations: [],
        checkpoint: { from: 9n, to: 9n },
        release: [5n],
        resolve: [discarded],
      });
      await target.commit(ref(1), {
        operations: [put(order('a', 'placed', 1), 2n)],
        checkpoint: { from: 9n, to: 9n },
        release: [2n],
        resolve: [replayed],
      });
      expect(await target.listParked(ref(1))).toEqual([]);
      expect(await target.listResolutions(ref(1))).toEqual([discarded, replayed]);
      expect(await target.listResolutions(ref(2))).toEqual([]);
      await target.activate(ref(2));
      await target.drop(ref(1));
      await target.prepare(spec(1));
      expect(await target.listResolutions(ref(1))).toEqual([]);
    });

    it('refuses a second projection that claims the same view name', async () => {
      await target.prepare(spec());
      await expect(target.prepare({ ...spec(), projection: `${ref().projection}_other` })).rejects.toThrow(
        new RegExp(ref().projection),
      );
    });

    it('pause flags survive in the registry', async () => {
      await target.prepare(spec());
      expect((await target.readProjection(ref().projection))?.paused).toBe(false);
      await target.setPaused(ref().projection, true);
      expect((await target.readProjection(ref().projection))?.paused).toBe(true);
      await target.setPaused(ref().projection, false);
      expect((await target.readProjection(ref().projection))?.paused).toBe(false);
      expect(await target.readProjection('never_registered')).toBeUndefined();
    });

    it("scan lists a generation's documents in key order, in pages, without deleted ones", async () => {
      await target.prepare(spec(1));
      await target.prepare(spec(2));
      const ids = ['e', 'a', 'd', 'b', 'c', 'f', 'g'];
      await target.commit(ref(1), {
        operations: ids.map((id, i) => put(order(id, 'placed', i), BigInt(i + 1))),
        checkpoint: { from: 0n, to: 7n },
      });
      await target.commit(ref(1), {
        operations: [{ kind: 'delete', key: 'd', position: 8n }],
        checkpoint: { from: 7n, to: 8n },
      });
      await target.commit(ref(2), {
        operations: [put(order('zz', 'placed', 1), 1n)],
        checkpoint: { from: 0n, to: 1n },
      });
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await target.scan(ref(1), { after, limit: 2 });
        pages.push(page.map((entry) => entry.key));
        for (const entry of page)
          expect(entry.document).toEqual(order(entry.key, 'placed', ids.indexOf(entry.key)));
        if (page.length < 2) break;
        after = page[page.length - 1]!.key;
      }
      expect(pages).toEqual([['a', 'b'], ['c', 'e'], ['f', 'g'], []]);
      expect((await target.scan(ref(1), { after: 'c', limit: 10 })).map((e) => e.key)).toEqual([
        'e',
        'f',
        'g',
      ]);
      expect(await target.scan(ref(2), { limit: 10 })).toEqual([
        { key: 'zz', document: order('zz', 'placed', 1) },
      ]);
    });

    it('validates documents against the declared shape', () => {
      expect(target.validate(ref(), order('a', 'placed', 1))).toBeUndefined();
      expect(target.validate(ref(), { order_id: 'a', status: null, total: 1 })).toMatch(/status/);
      expect(target.validate(ref(), { order_id: 'a', status: 'placed', total: 'ten' })).toMatch(/total/);
    });
  });
}

function renamed(shape: TargetShape, suffix: string): TargetShape {
  if (isRelationalShape(shape))
    return { ...shape, table: `${shape.table}${suffix}` } as RelationalTargetShape;
  if (isElasticsearchShape(shape))
    return { ...shape, index: `${shape.index}${suffix}` } as ElasticsearchTargetShape;
  return shape;
}

function parked(view: ViewRef, position: bigint, status: 'parked' | 'held'): ParkedEvent {
  const stored = event(position, `o${position}`);
  return {
    projection: view.projection,
    generation: view.generation,
    position,
    streamId: stored.streamId,
    eventType: stored.type,
    event: stored,
    keys: [`o${position}`],
    reason:
      status === 'held' ? 'held behind an earlier parked event for the same key' : 'total must be a number',
    status,
    parkedAt: new Date('2024-05-01T10:00:00.000Z'),
  };
}
