/**
 * The event store on KurrentDB (formerly EventStoreDB), through the official gRPC client.
 *
 * KurrentDB already is an event log, so this adapter only translates: expected revisions, errors, the
 * global position (see kurrentdb-mapping.ts for why it is the prepare position) and filters (one kind
 * server-side, the rest client-side). Events of system streams and $-types are never returned.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  StreamNotFoundError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendResult as KurrentAppendResult,
  type Position,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import { prepareAppend } from '../append-input';
import { EventStoreUnavailableError } from '../event-store.errors';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from '../event-store.port';
import { matchesFilter, normalizeFilter, type NormalizedFilter } from '../log-filter';
import { describeServer, translateKurrentError } from './kurrentdb-errors';
import {
  isSystemEvent,
  positionOf,
  readFrom,
  toKurrentMetadata,
  toServerFilter,
  toStoredEvent,
  toStreamState,
} from './kurrentdb-mapping';
import { KurrentDbSubscription } from './kurrentdb-subscription';

export interface KurrentDbEventStoreOptions {
  /** e.g. kurrentdb://127.0.0.1:2113?tls=false */
  readonly connectionString: string;
}

export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  private readonly client: KurrentDBClient;
  private readonly server: string;
  private readonly subscriptions = new Set<LogSubscription>();
  private closed = false;

  constructor(options: KurrentDbEventStoreOptions) {
    this.server = describeServer(options.connectionString);
    try {
      this.client = KurrentDBClient.connectionString(options.connectionString);
    } catch (error) {
      throw new EventStoreUnavailableError(
        'kurrentdb',
        `the connection string for ${this.server} is invalid (${(error as Error).message}); ` +
          'use e.g. kurrentdb://127.0.0.1:2113?tls=false',
        { cause: error },
      );
    }
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, expected);
    this.assertOpen();
    let result: KurrentAppendResult;
    try {
      result = await this.client.appendToStream(
        streamId,
        prepared.map((event) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: toKurrentMetadata(event.metadata),
          }),
        ),
        { streamState: toStreamState(expected) },
      );
    } catch (error) {
      throw translateKurrentError(error, this.server, { streamId, expected });
    }
    const revision = Number(result.nextExpectedRevision);
    return { streamId, revision, position: await this.positionAt(streamId, revision) };
  }

  async readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]> {
    this.assertOpen();
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: BigInt(options?.fromRevision ?? 0),
        ...(options?.maxCount !== undefined && { maxCount: options.maxCount }),
      })) {
        if (resolved.event !== undefined) events.push(toStoredEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateKurrentError(error, this.server);
    }
    return events;
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const filter = normalizeFilter(options.filter);
    const events: StoredEvent[] = [];
    // Reads start inclusive at `from`, and system events or the client-side half of the filter may drop
    // events, so read in pages until enough events matched or the log ended.
    let from: ReadPosition = readFrom(options.after);
    let floor = options.after ?? -1n;
    while (events.length < options.maxCount) {
      const wanted = options.maxCount - events.length + 1;
      let read = 0;
      let last: Position | undefined;
      try {
        for await (const resolved of this.client.readAll({
          fromPosition: from,
          maxCount: wanted,
          direction: FORWARDS,
          filter: toServerFilter(filter),
        })) {
          read++;
          const event = this.accept(resolved, filter, floor);
          last = resolved.event?.position ?? last;
          if (event === undefined) continue;
          floor = event.position;
          events.push(event);
          if (events.length === options.maxCount) break;
        }
      } catch (error) {
        throw translateKurrentError(error, this.server);
      }
      if (read < wanted || last === undefined) break;
      from = last;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    this.assertOpen();
    const subscription = new KurrentDbSubscription(this.client, {
      ...options,
      server: this.server,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(filter?: LogFilter): Promise<bigint> {
    this.assertOpen();
    const normalized = normalizeFilter(filter);
    try {
      for await (const resolved of this.client.readAll({
        fromPosition: END,
        direction: BACKWARDS,
        filter: toServerFilter(normalized),
      })) {
        const event = this.accept(resolved, normalized, -1n);
        if (event !== undefined) return event.position;
      }
    } catch (error) {
      throw translateKurrentError(error, this.server);
    }
    return 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /** The event as Prism sees it, or undefined when it is a system event, filtered out, or at/below `floor`. */
  private accept(
    resolved: AllStreamResolvedEvent,
    filter: NormalizedFilter,
    floor: bigint,
  ): StoredEvent | undefined {
    const event = resolved.event;
    if (event === undefined || isSystemEvent(event)) return undefined;
    if (positionOf(event) <= floor) return undefined;
    const stored = toStoredEvent(event);
    return matchesFilter(stored, filter) ? stored : undefined;
  }

  /** The position of the stream's event at `revision`: the read-your-writes token of an append. */
  private async positionAt(streamId: string, revision: number): Promise<bigint> {
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: BigInt(revision),
        maxCount: 1,
        requiresLeader: true,
      })) {
        if (resolved.event !== undefined) return positionOf(resolved.event);
      }
    } catch (error) {
      throw translateKurrentError(error, this.server);
    }
    throw new Error(
      `KurrentDB acknowledged an append to "${streamId}" but revision ${revision} cannot be read back.`,
    );
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError('kurrentdb', 'this store instance was closed; create a new one');
    }
  }
}

export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
  return new KurrentDbEventStore(options);
}
