/**
 * The comparison at the heart of `verify` (issue #17: chunk by chunk, in bounded memory): the live view
 * arrives as a stream of pages in the store's key order (Target.scan); each page is compared with the
 * rebuilt entries of the same keys, looked up by key; then the rebuilt entries no live page listed are
 * streamed. What differs is returned as *suspects* (keys), which verify then settles.
 *
 * The rebuilt side is looked up rather than merged in order: the live order is the store's (a PostgreSQL
 * collation, a numeric or uuid key column, Elasticsearch's keyword order), which no in-process order
 * reproduces reliably, and a merge in a mismatched order would report entries as missing on both sides.
 * Lookups by key give the same result in any order; memory is one page plus the rebuilt side's own (a
 * spilled file: SpilledDocuments, SpilledGraph). A spilled graph is stored in the live scan's order, so
 * its lookups follow the scan through the file and what the live view lacks comes out in that order.
 */
import type { JsonObject } from '../../core/json';

export interface ComparedEntry {
  readonly key: string;
  readonly document: JsonObject;
}

/** The rebuilt side of a comparison. */
export interface RebuiltEntries {
  /** The rebuilt entries for these keys (absent when there is none). */
  getMany(keys: readonly string[]): ReadonlyMap<string, JsonObject>;
  /** The live view listed these keys. */
  markSeen(keys: readonly string[]): void;
  /** The rebuilt entries whose keys were never marked seen, a page at a time. */
  unseen(pageSize: number): Iterable<readonly (readonly [string, JsonObject])[]>;
}

export interface ComparisonOptions {
  readonly pageSize: number;
  readonly signal?: AbortSignal;
  /** After each live page (entries scanned so far) and each page of unseen rebuilt entries. */
  readonly onPage?: (scanned: number) => void;
}

export interface ComparisonResult {
  /** Keys whose live and rebuilt entries differ, or that only one side has. */
  readonly suspects: Set<string>;
  readonly liveEntries: number;
}

/**
 * Compares the live pages with the rebuilt entries. `differs` is called with both entries of a key present
 * on both sides; a key on one side only is always a suspect.
 */
export async function compareEntries(
  live: AsyncIterable<readonly ComparedEntry[]>,
  rebuilt: RebuiltEntries,
  differs: (key: string, live: JsonObject, rebuilt: JsonObject) => boolean,
  options: ComparisonOptions,
): Promise<ComparisonResult> {
  const suspects = new Set<string>();
  let liveEntries = 0;
  for await (const page of live) {
    options.signal?.throwIfAborted();
    const keys = page.map((entry) => entry.key);
    const found = rebuilt.getMany(keys);
    for (const entry of page) {
      const other = found.get(entry.key);
      if (other === undefined || differs(entry.key, entry.document, other)) suspects.add(entry.key);
    }
    rebuilt.markSeen(keys);
    liveEntries += page.length;
    options.onPage?.(liveEntries);
  }
  for (const page of rebuilt.unseen(options.pageSize)) {
    options.signal?.throwIfAborted();
    for (const [key] of page) suspects.add(key);
    options.onPage?.(liveEntries);
  }
  return { suspects, liveEntries };
}

/** An in-memory map as the rebuilt side (graph views, small views). */
export function rebuiltFromMap(entries: ReadonlyMap<string, JsonObject>): RebuiltEntries {
  const seen = new Set<string>();
  return {
    getMany: (keys) => {
      const found = new Map<string, JsonObject>();
      for (const key of keys) {
        const entry = entries.get(key);
        if (entry !== undefined) found.set(key, entry);
      }
      return found;
    },
    markSeen: (keys) => {
      for (const key of keys) seen.add(key);
    },
    *unseen(pageSize) {
      let page: [string, JsonObject][] = [];
      for (const [key, entry] of entries) {
        if (seen.has(key)) continue;
        page.push([key, entry]);
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
  };
}
