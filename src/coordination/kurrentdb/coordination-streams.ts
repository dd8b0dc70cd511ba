/**
 * The few stream operations the KurrentDB coordination store needs, and their KurrentDB implementation.
 * The store's logic (kurrentdb-coordination-store.ts) is written against this interface only, so its
 * compare-and-set rules read as rules, not as client calls.
 */
import {
  BACKWARDS,
  END,
  KurrentDBClient,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { describeServer, isUnavailable } from '../../eventstore/kurrentdb/kurrentdb-errors';
import { CoordinationStoreUnavailableError } from '../coordination.errors';

/** An event as the coordination store reads it: `created` is the SERVER's time of the write. */
export interface StreamRecord {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly revision: bigint;
  readonly created: Date;
  /** Where the event is in the whole log (orders events of different streams); absent on old servers. */
  readonly position?: bigint;
}

/** `no_stream`: only if the stream does not exist; a revision: only if it is the stream's last; `any`. */
export type ExpectedState = bigint | 'no_stream' | 'any';

export interface StreamSettings {
  /** Events kept (older ones are scavenged); the last event always stays. */
  readonly maxCount?: number;
  /** Seconds an event is kept. */
  readonly maxAge?: number;
}

export interface CoordinationStreams {
  /** The stream's last event; undefined when it has none. */
  last(stream: string): Promise<StreamRecord | undefined>;
  /** The event at `revision`, if it is (still) there. */
  at(stream: string, revision: bigint): Promise<StreamRecord | undefined>;
  /** Every event still kept, oldest first. */
  read(stream: string): Promise<StreamRecord[]>;
  /** Appends one event if the stream is in the expected state: its revision, or undefined on a conflict. */
  append(
    stream: string,
    type: string,
    data: Record<string, unknown>,
    expected: ExpectedState,
  ): Promise<bigint | undefined>;
  setSettings(stream: string, settings: StreamSettings): Promise<void>;
  close(): Promise<void>;
}

export class KurrentDbCoordinationStreams implements CoordinationStreams {
  private readonly client: KurrentDBClient;
  private readonly server: string;

  constructor(connectionString: string) {
    this.server = describeServer(connectionString);
    try {
      this.client = KurrentDBClient.connectionString(connectionString);
    } catch (error) {
      throw new CoordinationStoreUnavailableError(
        'kurrentdb',
        `the connection string for ${this.server} is invalid (${(error as Error).message}); ` +
          'use e.g. kurrentdb://127.0.0.1:2113?tls=false',
        { cause: error },
      );
    }
  }

  async last(stream: string): Promise<StreamRecord | undefined> {
    // From the leader: a follower may lag, and a decision on a stale "last event" would only fail its
    // expected-revision append, but would also report a lease as free or held that is not.
    const records = await this.collect(
      this.client.readStream(stream, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
        requiresLeader: true,
      }),
    );
    return records[0];
  }

  async at(stream: string, revision: bigint): Promise<StreamRecord | undefined> {
    const records = await this.collect(
      this.client.readStream(stream, { fromRevision: revision, maxCount: 1, requiresLeader: true }),
    );
    return records.find((record) => record.revision === revision);
  }

  async read(stream: string): Promise<StreamRecord[]> {
    return this.collect(this.client.readStream(stream, { requiresLeader: true }));
  }

  async append(
    stream: string,
    type: string,
    data: Record<string, unknown>,
    expected: ExpectedState,
  ): Promise<bigint | undefined> {
    try {
      const result = await this.client.appendToStream(stream, jsonEvent({ type, data }), {
        streamState: expected,
      });
      return result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw this.translate(error);
    }
  }

  async setSettings(stream: string, settings: StreamSettings): Promise<void> {
    try {
      await this.client.setStreamMetadata(stream, { ...settings });
    } catch (error) {
      throw this.translate(error);
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async collect(events: AsyncIterable<ResolvedEvent>): Promise<StreamRecord[]> {
    const records: StreamRecord[] = [];
    try {
      for await (const resolved of events) {
        const event = resolved.event;
        if (event === undefined || !event.isJson) continue;
        records.push({
          type: event.type,
          data: (event.data ?? {}) as Record<string, unknown>,
          revision: event.revision,
          created: event.created,
          ...(event.position !== undefined && { position: event.position.commit }),
        });
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.translate(error);
    }
    return records;
  }

  private translate(error: unknown): unknown {
    if (!isUnavailable(error)) return error;
    const message = (error as { message?: unknown }).message;
    return new CoordinationStoreUnavailableError(
      'kurrentdb',
      `cannot reach KurrentDB at ${this.server} (${typeof message === 'string' ? message : String(error)}); ` +
        'check that the server is running and that the connection string points at it',
      { cause: error },
    );
  }
}
