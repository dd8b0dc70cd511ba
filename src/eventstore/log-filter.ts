/**
 * One reading of LogFilter for every adapter. Adapters push the filter into their store (SQL, server-side
 * filters) and use these helpers for the parts their store cannot do, so all of them select the same events.
 *
 * - `eventTypes`: exact type names; absent or empty means every type.
 * - `streamPrefix`: the stream id starts with it (case-sensitive, by code point); absent or '' means every stream.
 */
import type { LogFilter } from './event-store.port';

/** The filter with its "match everything" parts removed, so adapters only test what restricts. */
export interface NormalizedFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefix?: string;
}

export function normalizeFilter(filter: LogFilter | undefined): NormalizedFilter {
  const eventTypes =
    filter?.eventTypes !== undefined && filter.eventTypes.length > 0
      ? [...new Set(filter.eventTypes)]
      : undefined;
  const streamPrefix =
    filter?.streamPrefix !== undefined && filter.streamPrefix !== '' ? filter.streamPrefix : undefined;
  return { ...(eventTypes && { eventTypes }), ...(streamPrefix !== undefined && { streamPrefix }) };
}

export function matchesFilter(
  event: { readonly type: string; readonly streamId: string },
  filter: NormalizedFilter,
): boolean {
  if (filter.eventTypes !== undefined && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefix !== undefined && !event.streamId.startsWith(filter.streamPrefix)) return false;
  return true;
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order, or
 * undefined when there is none. `prefix <= id < upper` is then an index range scan in SQL stores whose
 * collation compares UTF-8 bytes (PostgreSQL `COLLATE "C"`, SQLite BINARY): UTF-8 byte order is code point
 * order. A LIKE 'prefix%' would need escaping and cannot use a btree index from a parameterized statement.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last < 0x10ffff) {
      // Lone surrogates do not survive UTF-8 encoding (they become U+FFFD), so step over their range.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...codePoints, next);
    }
  }
  return undefined;
}
