/**
 * The shared reader's window: the last events it read, in log order, addressed by absolute index (an
 * index stays valid while older events are evicted), so each attached subscription only keeps a number.
 */
import type { StoredEvent } from '../../eventstore/event-store.port';

export class EventWindow {
  private items: (StoredEvent | undefined)[] = [];
  /** Where the oldest kept event sits in `items`. */
  private head = 0;
  /** Absolute index of the oldest kept event. */
  private first = 0;

  /** Absolute index of the oldest kept event. */
  get base(): number {
    return this.first;
  }

  /** Absolute index one past the newest event. */
  get end(): number {
    return this.first + this.length;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  at(index: number): StoredEvent | undefined {
    return index < this.first ? undefined : this.items[this.head + index - this.first];
  }

  push(event: StoredEvent): void {
    this.items.push(event);
  }

  /** Drops the `count` oldest events; returns the newest dropped (the window's new floor), if any. */
  evict(count: number): StoredEvent | undefined {
    const n = Math.min(count, this.length);
    let last: StoredEvent | undefined;
    for (let i = 0; i < n; i += 1) {
      last = this.items[this.head];
      this.items[this.head++] = undefined;
    }
    this.first += n;
    // Compact now and then: shifting the array per eviction would make a full window quadratic.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return last;
  }

  /** Absolute index of the first kept event whose position is greater than `position` (end if none). */
  indexAfter(position: bigint): number {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.items[middle]!.position <= position) low = middle + 1;
      else high = middle;
    }
    return this.first + (low - this.head);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.first = 0;
  }
}
