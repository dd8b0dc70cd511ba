/**
 * The bookkeeping index (`<prefix>meta`): one small document per fact, with ids that make every lookup
 * a realtime GET rather than a (near-real-time) search:
 *
 *   projection|<name>                  registry entry: active generation, paused flag
 *   view|<alias>                       which projection owns an alias (created with op_type=create)
 *   generation|<name>|<N>              what a generation was built from and its status
 *   checkpoint|<name>|<N>              the checkpoint (position as a decimal string: bigint-safe) and
 *                                      its fence (issue #15, `body.fence`, absent = 0), moved only with
 *                                      if_seq_no/if_primary_term
 *   parked|<name>|<N>|<position>       a parked or held event
 *   resolution|<name>|<N>|<position>   a parked event an operator replayed or discarded (issue #12)
 *
 * Only the fields searched on are mapped; payloads live in `body`, stored but not indexed.
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type { StoredCheckpoint } from '../bookkeeping/bookkeeping.port';
import type { ParkedEvent, ParkingResolution, ViewRef } from '../target.port';
import { decodeStoredEvent, encodeStoredEvent } from '../../eventstore/stored-event-json';

export const META_MAPPINGS: JsonObject = {
  dynamic: 'strict',
  properties: {
    kind: { type: 'keyword' },
    projection: { type: 'keyword' },
    generation: { type: 'integer' },
    view_name: { type: 'keyword' },
    status: { type: 'keyword' },
    position: { type: 'keyword' },
    active_generation: { type: 'integer' },
    paused: { type: 'boolean' },
    updated_at: { type: 'date' },
    body: { type: 'object', enabled: false },
  },
};

export const metaIds = {
  projection: (name: string): string => `projection|${name}`,
  view: (alias: string): string => `view|${alias}`,
  generation: (name: string, generation: number): string => `generation|${name}|${generation}`,
  checkpoint: (name: string, generation: number): string => `checkpoint|${name}|${generation}`,
  parked: (name: string, generation: number, position: bigint): string =>
    `parked|${name}|${generation}|${position}`,
  resolution: (name: string, generation: number, position: bigint): string =>
    `resolution|${name}|${generation}|${position}`,
};

/** The checkpoint document; the fence is never searched, so it lives in the unmapped body. */
export function checkpointDocument(view: ViewRef, checkpoint: StoredCheckpoint): JsonObject {
  return {
    kind: 'checkpoint',
    projection: view.projection,
    generation: view.generation,
    position: checkpoint.position.toString(),
    body: { fence: checkpoint.fence.toString() },
  };
}

/** A checkpoint document; one written before fences existed (no body) has fence 0. */
export function checkpointFromDocument(source: JsonObject): StoredCheckpoint {
  const fence = (source.body as JsonObject | undefined)?.fence;
  return {
    position: BigInt(text(source.position)),
    fence: typeof fence === 'string' ? BigInt(fence) : 0n,
  };
}

export function parkedDocument(parked: ParkedEvent): JsonObject {
  return {
    kind: 'parked',
    projection: parked.projection,
    generation: parked.generation,
    position: parked.position.toString(),
    status: parked.status,
    body: {
      streamId: parked.streamId,
      eventType: parked.eventType,
      event: encodeStoredEvent(parked.event),
      keys: [...parked.keys],
      reason: parked.reason,
      parkedAt: parked.parkedAt.toISOString(),
    },
  };
}

export function parkedFromDocument(source: JsonObject): ParkedEvent {
  const body = source.body as JsonObject;
  return {
    projection: text(source.projection),
    generation: Number(source.generation),
    position: BigInt(text(source.position)),
    streamId: text(body.streamId),
    eventType: text(body.eventType),
    event: decodeStoredEvent(body.event as JsonObject),
    keys: (body.keys as string[]).map(String),
    reason: text(body.reason),
    status: source.status === 'held' ? 'held' : 'parked',
    parkedAt: new Date(text(body.parkedAt)),
  };
}

export function resolutionDocument(view: ViewRef, resolution: ParkingResolution): JsonObject {
  return {
    kind: 'resolution',
    projection: view.projection,
    generation: view.generation,
    position: resolution.position.toString(),
    status: resolution.action,
    body: { checkpoint: resolution.checkpoint.toString(), resolvedAt: resolution.resolvedAt.toISOString() },
  };
}

export function resolutionFromDocument(source: JsonObject): ParkingResolution {
  const body = source.body as JsonObject;
  return {
    position: BigInt(text(source.position)),
    action: source.status === 'discarded' ? 'discarded' : 'replayed',
    checkpoint: BigInt(text(body.checkpoint)),
    resolvedAt: new Date(text(body.resolvedAt)),
  };
}

/** A stored scalar as a string (bookkeeping fields are written as strings or numbers). */
export function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
