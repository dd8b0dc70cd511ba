/**
 * A row of a foreign table as a Prism StoredEvent, as pure functions. Another tool's rows are whatever it
 * wrote, so nothing here throws: data that is not a JSON object is wrapped (like the KurrentDB adapter
 * does for foreign events) rather than stopping every subscriber at that row.
 *
 * - data: a JSON object as it is; other JSON as `{ "value": <it> }`; text that is not JSON as
 *   `{ "value": "<the text>" }`; NULL as `{}`.
 * - metadata: the metadata column's object, every field kept except `$`-prefixed ones (projections read
 *   them as event.metadata.*), with Prism's fields checked: correlationId/causationId (also from KurrentDB-style `$correlationId`),
 *   userId, traceparent, tracestate as strings; schemaVersion a positive integer (default 1); timestamp
 *   from the timestamp column, else the metadata's own `timestamp`, else the Unix epoch (configure a
 *   timestamp column to get real times).
 * - id: the event id column, else a UUID derived from the table's name and the position, the same on every
 *   read (so it can serve as an idempotency key downstream).
 */
import { createHash } from 'node:crypto';
import { isPlainObject, type JsonObject, type JsonValue } from '../../core/json';
import { DEFAULT_SCHEMA_VERSION } from '../append-input';
import type { EventMetadata, StoredEvent } from '../event-store.port';
import type { SqlLogRow } from './sql-log-queries';

/** The time of an event whose row says nothing about it. */
export const UNKNOWN_TIMESTAMP = '1970-01-01T00:00:00.000Z';

/** Namespace of derived event ids (a fixed random UUID, so ids from other tools never collide with them). */
const DERIVED_ID_NAMESPACE = Buffer.from('6f1c3a52d8e74b0f9a35c2e1b7d40a96', 'hex');

const STRING_FIELDS = ['correlationId', 'causationId', 'userId', 'traceparent', 'tracestate'] as const;
const PRISM_FIELDS = [...STRING_FIELDS, 'timestamp', 'schemaVersion'] as const;

export function toStoredEvent(row: SqlLogRow, relation: string): StoredEvent {
  return {
    id: row.event_id ?? derivedEventId(relation, row.position),
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: toData(row.data),
    metadata: toMetadata(row.metadata, row.timestamp_ms, row.timestamp_text),
  };
}

/** A name-based UUID (version 5 layout) of `relation` and `position`: stable across reads and restarts. */
export function derivedEventId(relation: string, position: string): string {
  const hash = createHash('sha1')
    .update(DERIVED_ID_NAMESPACE)
    .update(`${relation}\u0000${position}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toData(raw: string | null): JsonObject {
  if (raw === null) return {};
  const parsed = parseJson(raw);
  if (parsed === undefined) return { value: raw };
  return isPlainObject(parsed) ? parsed : { value: parsed };
}

export function toMetadata(
  raw: string | null,
  timestampMs: number | null,
  timestampText: string | null,
): EventMetadata {
  const parsed = raw === null ? undefined : parseJson(raw);
  const source: Record<string, JsonValue> = isPlainObject(parsed) ? parsed : {};
  const metadata: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(source)) {
    // `$` fields are KurrentDB's reserved ones ($correlationId, $causationId): read into Prism's own below.
    if (key.startsWith('$') || (PRISM_FIELDS as readonly string[]).includes(key)) continue;
    metadata[key] = value;
  }
  const text = (key: string): string | undefined =>
    typeof source[key] === 'string' ? source[key] : undefined;
  const strings: Record<(typeof STRING_FIELDS)[number], string | undefined> = {
    correlationId: text('correlationId') ?? text('$correlationId'),
    causationId: text('causationId') ?? text('$causationId'),
    userId: text('userId'),
    traceparent: text('traceparent'),
    tracestate: text('tracestate'),
  };
  for (const [key, value] of Object.entries(strings)) if (value !== undefined) metadata[key] = value;
  const version = source.schemaVersion;
  return {
    ...metadata,
    timestamp:
      fromMilliseconds(timestampMs) ??
      fromText(timestampText) ??
      fromText(text('timestamp')) ??
      UNKNOWN_TIMESTAMP,
    schemaVersion:
      typeof version === 'number' && Number.isSafeInteger(version) && version > 0
        ? version
        : DEFAULT_SCHEMA_VERSION,
  };
}

function parseJson(raw: string): JsonValue | undefined {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return undefined;
  }
}

/** ISO-8601 of a time column's epoch milliseconds; undefined for NULL and ±infinity. */
function fromMilliseconds(ms: number | null): string | undefined {
  if (ms === null || !Number.isFinite(ms)) return undefined;
  const date = new Date(Math.floor(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function fromText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
