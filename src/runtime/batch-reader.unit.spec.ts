import type { StoredEvent } from '../eventstore/event-store.port';
import { BatchReader } from './batch-reader';

/** An async iterator fed by hand: events are pushed when the test says so. */
function feed() {
  const queue: StoredEvent[] = [];
  let waiting: ((result: IteratorResult<StoredEvent>) => void) | undefined;
  let ended = false;
  const make = (n: number): StoredEvent => ({
    id: String(n),
    streamId: 's',
    revision: n,
    position: BigInt(n),
    type: 'T',
    data: {},
    metadata: { timestamp: '', schemaVersion: 1 },
  });
  let nextCalls = 0;
  return {
    get nextCalls() {
      return nextCalls;
    },
    /** What a subscription's takeReady does: the buffered events, at most `max`. */
    takeReady: (max: number): StoredEvent[] => queue.splice(0, max),
    iterator: {
      next: () => (
        nextCalls++,
        new Promise<IteratorResult<StoredEvent>>((resolve) => {
          const event = queue.shift();
          if (event) resolve({ done: false, value: event });
          else if (ended) resolve({ done: true, value: undefined });
          else waiting = resolve;
        })
      ),
    } as AsyncIterator<StoredEvent>,
    push(...positions: number[]) {
      for (const n of positions) {
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ done: false, value: make(n) });
        } else queue.push(make(n));
      }
    },
    end() {
      ended = true;
      waiting?.({ done: true, value: undefined });
    },
  };
}

const never = new Promise<void>(() => {});

describe('BatchReader', () => {
  it('fills a batch up to its size from buffered events', async () => {
    const source = feed();
    source.push(1, 2, 3, 4, 5);
    const reader = new BatchReader(source.iterator);
    const first = await reader.next(3, 1000, never);
    expect(first).toMatchObject({
      kind: 'batch',
      events: [{ position: 1n }, { position: 2n }, { position: 3n }],
    });
    const second = await reader.next(3, 5, never);
    expect(second.kind === 'batch' && second.events.map((e) => e.position)).toEqual([4n, 5n]);
  });

  it('closes a batch when its first event has waited the maximum latency', async () => {
    const source = feed();
    const reader = new BatchReader(source.iterator);
    source.push(1);
    const batch = await reader.next(100, 10, never);
    expect(batch.kind === 'batch' && batch.events.length).toBe(1);
    // The read that timed out is kept: the next event arrives in the next batch, nothing is lost.
    source.push(2);
    const next = await reader.next(100, 10, never);
    expect(next.kind === 'batch' && next.events.map((e) => e.position)).toEqual([2n]);
  });

  it('returns interrupted when woken before any event, and loses nothing', async () => {
    const source = feed();
    const reader = new BatchReader(source.iterator);
    expect(await reader.next(10, 10, Promise.resolve())).toEqual({ kind: 'interrupted' });
    source.push(7);
    const batch = await reader.next(10, 10, never);
    expect(batch.kind === 'batch' && batch.events.map((e) => e.position)).toEqual([7n]);
  });

  it('reports the end of the stream with the events read before it', async () => {
    const source = feed();
    source.push(1);
    const reader = new BatchReader(source.iterator);
    const pending = reader.next(10, 1000, never);
    setImmediate(() => source.end());
    expect(await pending).toMatchObject({ kind: 'ended', events: [{ position: 1n }] });
  });

  describe('with a subscription that offers takeReady', () => {
    it('takes buffered events in bulk, without a next() per event', async () => {
      const source = feed();
      source.push(1, 2, 3, 4, 5, 6, 7);
      const reader = new BatchReader(source.iterator, source.takeReady);
      const first = await reader.next(5, 1000, never);
      expect(first.kind === 'batch' && first.events.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n]);
      expect(source.nextCalls).toBe(0);
      // Two are left: they are taken at once, then next() waits for more until the batch's deadline.
      const second = await reader.next(5, 10, never);
      expect(second.kind === 'batch' && second.events.map((e) => e.position)).toEqual([6n, 7n]);
      expect(source.nextCalls).toBe(1);
    });

    it('keeps the order when a next() is still pending: its event comes before the ones buffered after it', async () => {
      const source = feed();
      const reader = new BatchReader(source.iterator, source.takeReady);
      const pending = reader.next(5, 10, never);
      source.push(1);
      const first = await pending;
      expect(first.kind === 'batch' && first.events.map((e) => e.position)).toEqual([1n]);
      // The batch closed at its deadline while a next() was waiting: 2 goes to that next(), 3 to the buffer.
      source.push(2, 3);
      const second = await reader.next(5, 10, never);
      expect(second.kind === 'batch' && second.events.map((e) => e.position)).toEqual([2n, 3n]);
    });

    it('still returns interrupted when nothing is ready and the interrupt fires first', async () => {
      const source = feed();
      const reader = new BatchReader(source.iterator, source.takeReady);
      expect(await reader.next(10, 10, Promise.resolve())).toEqual({ kind: 'interrupted' });
      source.push(8, 9);
      const batch = await reader.next(10, 10, never);
      expect(batch.kind === 'batch' && batch.events.map((e) => e.position)).toEqual([8n, 9n]);
    });
  });
});
