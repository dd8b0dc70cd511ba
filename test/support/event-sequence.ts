/**
 * Stored events for unit tests of the fold: each one at the next log position, with the metadata every
 * appended event carries. `position` may be moved forward (or back) to place the next event.
 */
import type { StoredEvent } from '../../src/eventstore/event-store.port';

export class EventSequence {
  /** The position of the last event made; the next one is at position + 1. */
  position = 0n;

  /** `streamOf`: the stream of an event; by default the order it names (`order-<orderId>`). */
  constructor(
    private readonly streamOf: (data: Record<string, unknown>, position: bigint) => string = (data) =>
      `order-${String(data.orderId)}`,
  ) {}

  /** The next event of the log. */
  readonly next = (type: string, data: Record<string, unknown>): StoredEvent => {
    this.position += 1n;
    return {
      id: `e${this.position}`,
      streamId: this.streamOf(data, this.position),
      revision: 0,
      position: this.position,
      type,
      data: data as StoredEvent['data'],
      metadata: { timestamp: '2024-01-01T00:00:00Z', schemaVersion: 1 },
    };
  };
}
