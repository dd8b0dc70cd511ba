/**
 * A catch-up-then-live subscription on KurrentDB: the server's own subscribeToAll, which catches up and
 * switches to live on the server without a gap, wrapped to the port's terms (positions, filters, errors).
 *
 * Back-pressure: the client's subscription is a Node stream piped from the gRPC call; its highWaterMark is
 * set to bufferSize, so a slow consumer pauses the gRPC stream (and HTTP/2 flow control the server)
 * instead of growing memory.
 */
import type { AllStreamSubscription, KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { LogSubscription, StoredEvent, SubscribeOptions } from '../event-store.port';
import { matchesFilter, normalizeFilter, type NormalizedFilter } from '../log-filter';
import { DEFAULT_BUFFER_SIZE } from '../polling-log-subscription';
import { translateKurrentError } from './kurrentdb-errors';
import { isSystemEvent, positionOf, readFrom, toServerFilter, toStoredEvent } from './kurrentdb-mapping';

export interface KurrentDbSubscriptionOptions extends SubscribeOptions {
  /** host:port for error messages. */
  readonly server: string;
  readonly onClose?: () => void;
}

export class KurrentDbSubscription implements LogSubscription {
  private readonly source: AllStreamSubscription;
  private readonly filter: NormalizedFilter;
  private closed = false;

  constructor(
    client: KurrentDBClient,
    private readonly options: KurrentDbSubscriptionOptions,
  ) {
    this.filter = normalizeFilter(options.filter);
    this.source = client.subscribeToAll(
      { fromPosition: readFrom(options.after), filter: toServerFilter(this.filter) },
      { highWaterMark: options.bufferSize ?? DEFAULT_BUFFER_SIZE },
    );
    // The client emits errors as events. Destroying the stream with the error records it in the stream's
    // state, so an iteration that starts later still sees it (and an unheard 'error' cannot crash the process).
    this.source.on('error', (error: Error) => {
      if (!this.source.destroyed) this.source.destroy(error);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return this.events();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.unsubscribe().catch(() => undefined);
    // Cancelling the call does not end the piped stream; destroying it ends any iteration in progress.
    this.source.destroy();
    this.options.onClose?.();
  }

  private async *events(): AsyncGenerator<StoredEvent, void, undefined> {
    let floor = this.options.after ?? -1n;
    try {
      for await (const resolved of this.source) {
        const event = resolved.event;
        if (event === undefined || isSystemEvent(event)) continue;
        const position = positionOf(event);
        if (position <= floor) continue;
        floor = position;
        const stored = toStoredEvent(event);
        if (matchesFilter(stored, this.filter)) yield stored;
      }
    } catch (error) {
      if (this.closed) return;
      throw translateKurrentError(error, this.options.server);
    } finally {
      await this.close();
    }
  }
}
