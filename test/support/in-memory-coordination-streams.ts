/**
 * Streams in memory with KurrentDB's expected-revision rule and maxCount truncation, for running the
 * KurrentDB coordination store's LOGIC through the coordination contract where no server runs. It is not
 * evidence that the client calls are right: src/coordination/kurrentdb/*.int.spec.ts is, against a real
 * server.
 */
import type {
  CoordinationStreams,
  ExpectedState,
  StreamRecord,
  StreamSettings,
} from '../../src/coordination/kurrentdb/coordination-streams';

interface MemoryStream {
  /** Revision of events[0]; earlier ones were truncated. */
  first: bigint;
  events: StreamRecord[];
}

export class InMemoryCoordinationStreams implements CoordinationStreams {
  private readonly streams = new Map<string, MemoryStream>();
  private position = 0n;

  /** `serverSkewMs`: how far the "server's" clock (events' `created`) is ahead of this process's. */
  constructor(private readonly serverSkewMs = 0) {}
  /** Kept apart, as KurrentDB keeps them in the metadata stream: settings do not create a stream. */
  private readonly settings = new Map<string, StreamSettings>();

  async last(stream: string): Promise<StreamRecord | undefined> {
    return this.streams.get(stream)?.events.at(-1);
  }

  async at(stream: string, revision: bigint): Promise<StreamRecord | undefined> {
    return this.streams.get(stream)?.events.find((event) => event.revision === revision);
  }

  async read(stream: string): Promise<StreamRecord[]> {
    return [...(this.streams.get(stream)?.events ?? [])];
  }

  async append(
    stream: string,
    type: string,
    data: Record<string, unknown>,
    expected: ExpectedState,
  ): Promise<bigint | undefined> {
    // A tick of "network" before the check, so concurrent callers interleave as they would on a server.
    await new Promise((resolve) => setImmediate(resolve));
    const current = this.streams.get(stream);
    const lastRevision =
      current === undefined ? undefined : current.first + BigInt(current.events.length) - 1n;
    if (expected === 'no_stream' && current !== undefined) return undefined;
    if (typeof expected === 'bigint' && lastRevision !== expected) return undefined;
    const target = current ?? { first: 0n, events: [] };
    const revision = (lastRevision ?? -1n) + 1n;
    target.events.push({
      type,
      data: JSON.parse(JSON.stringify(data)),
      revision,
      created: new Date(Date.now() + this.serverSkewMs),
      position: ++this.position,
    });
    const maxCount = this.settings.get(stream)?.maxCount;
    if (maxCount !== undefined && target.events.length > maxCount) {
      const drop = target.events.length - maxCount;
      target.events.splice(0, drop);
      target.first += BigInt(drop);
    }
    this.streams.set(stream, target);
    return revision;
  }

  async setSettings(stream: string, settings: StreamSettings): Promise<void> {
    this.settings.set(stream, settings);
  }

  async close(): Promise<void> {}
}
