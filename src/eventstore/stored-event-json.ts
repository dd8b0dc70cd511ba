/**
 * A stored event as plain JSON and back, for everything that keeps events outside the log: parked events
 * in every target's bookkeeping and the admin API. The bigint position travels as a decimal string.
 */
import type { JsonObject, JsonValue } from '../core/json';
import type { StoredEvent } from './event-store.port';

/** A type alias, not an interface, so it stays assignable to JsonObject. */
export type StoredEventJson = {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  /** The global position as a decimal string (a bigint does not fit a JSON number). */
  readonly position: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
};

export function encodeStoredEvent(event: StoredEvent): StoredEventJson {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position.toString(),
    type: event.type,
    data: event.data,
    metadata: { ...(event.metadata as unknown as JsonObject) },
  };
}

export function decodeStoredEvent(json: JsonObject): StoredEvent {
  return {
    id: text(json.id),
    streamId: text(json.streamId),
    revision: Number(json.revision),
    position: BigInt(text(json.position)),
    type: text(json.type),
    data: json.data as JsonObject,
    metadata: json.metadata as unknown as StoredEvent['metadata'],
  };
}

/** Stores may hand a scalar back as a string or a number. */
function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
