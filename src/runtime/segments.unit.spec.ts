import type { CompiledProjection, DocumentKey, ViewDocument } from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { ViewRef } from '../stores/target.port';
import {
  fnv1a,
  parseSegmentResource,
  readSegmentedCheckpoint,
  segmentOfKey,
  segmentPlan,
  segmentResource,
  segmentView,
} from './segments';

function event(position: number, orderId: string | undefined): StoredEvent {
  return {
    position: BigInt(position),
    streamId: `order-${orderId ?? 'none'}`,
    revision: 0,
    type: 'OrderPlaced',
    data: orderId === undefined ? {} : { orderId },
    metadata: {},
    recordedAt: new Date(0),
  } as unknown as StoredEvent;
}

const plan = {
  name: 'p',
  version: 1,
  fingerprint: 'f',
  source: { eventTypes: ['OrderPlaced'] },
  target: { kind: 'postgres' },
  onPoison: 'sequenced',
  queries: {},
  segments: 4,
  keysOf(e: StoredEvent) {
    const id = (e.data as { orderId?: string }).orderId;
    if (id === undefined) throw new Error('no orderId');
    return [id];
  },
  apply(e: StoredEvent, _state: ReadonlyMap<DocumentKey, ViewDocument>) {
    const key = (e.data as { orderId: string }).orderId;
    return [{ kind: 'put' as const, key, document: { order_id: key }, position: e.position }];
  },
} as unknown as CompiledProjection;

describe('segment routing (issue #15)', () => {
  it('hashes with 32-bit FNV-1a (the published test vectors), so every process routes alike', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('spreads keys over the segments and sends a key always to the same one', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i += 1) counts[segmentOfKey(`order-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(4_000);
    expect(segmentOfKey('order-17', 4)).toBe(segmentOfKey('order-17', 4));
    expect(segmentOfKey('anything', 1)).toBe(0);
  });

  it('gives each event to exactly one segment, which applies it; the others fold it as a no-op', () => {
    const segments = [0, 1, 2, 3].map((index) => segmentPlan(plan, { index, count: 4 }));
    for (let i = 0; i < 200; i += 1) {
      const e = event(i + 1, `o-${i % 37}`);
      const owners = segments.filter((s) => s.keysOf(e).length > 0);
      expect(owners).toHaveLength(1);
      expect(owners[0]!.apply(e, new Map())).toEqual(plan.apply(e, new Map()));
      for (const other of segments.filter((s) => s !== owners[0]))
        expect(other.apply(e, new Map())).toEqual([]);
    }
  });

  it('leaves an event whose keys fail to segment 0, which parks it; the others pass over it', () => {
    const poison = event(9, undefined);
    expect(() => segmentPlan(plan, { index: 0, count: 4 }).keysOf(poison)).toThrow('no orderId');
    for (const index of [1, 2, 3]) {
      const segment = segmentPlan(plan, { index, count: 4 });
      expect(segment.keysOf(poison)).toEqual([]);
      expect(segment.apply(poison, new Map())).toEqual([]);
    }
  });

  it('returns an unsegmented plan as it is', () => {
    expect(segmentPlan(plan, { index: 0, count: 1 })).toBe(plan);
  });

  it('names segment leases name#k, segment 0 by the projection name', () => {
    expect(segmentResource('order_summary', 0)).toBe('order_summary');
    expect(segmentResource('order_summary', 3)).toBe('order_summary#3');
    expect(parseSegmentResource('order_summary#3')).toEqual({ projection: 'order_summary', segment: 3 });
    expect(parseSegmentResource('order_summary')).toEqual({ projection: 'order_summary', segment: 0 });
  });

  it('reads the lowest segment checkpoint; a segment the generation lacks does not count, segment 0 does', async () => {
    const view: ViewRef = { projection: 'p', generation: 1, shape: plan.target };
    const stored = (checkpoints: Record<number, bigint>) => ({
      readCheckpoint: (v: ViewRef) => Promise.resolve(checkpoints[v.segment ?? 0]),
    });
    expect(await readSegmentedCheckpoint(stored({ 0: 9n, 1: 4n, 2: 7n }), view, 3)).toBe(4n);
    expect(await readSegmentedCheckpoint(stored({ 0: 9n }), view, 3)).toBe(9n);
    expect(await readSegmentedCheckpoint(stored({ 1: 9n }), view, 2)).toBeUndefined();
    expect(segmentView({ ...view, segment: 2 }, 0)).toEqual(view);
  });
});
