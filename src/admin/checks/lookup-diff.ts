/**
 * `verify` of lookups (correlation state, issue #16): the live generation's lookup entries against the
 * ones the in-memory rebuild holds. The view comparison alone would not do: a wrong entry changes nothing
 * until an event reads it, and then the damage lands on a document the rebuild would key differently.
 *
 * Every entry carries the position of the event that wrote it, so no settling is needed: a live entry
 * written after the rebuild's position is in flight and not compared; any other must equal the rebuilt
 * one, and every rebuilt entry must be live (live is at or past the rebuild's position).
 */
import type { JsonObject } from '../../core/json';
import type { StoredLookupEntry, StoredLookups } from '../../core/lookups';
import type { LookupState } from '../../runtime/batch-fold';
import type { EntryDifference } from './verify-projection';

/** The key a lookup entry is reported under, beside view entries. */
export function lookupEntryKey(lookup: string, key: string): string {
  return `lookup:${lookup}:${JSON.stringify(key)}`;
}

const entry = (stored: StoredLookupEntry): JsonObject => ({
  value: stored.value,
  position: stored.position.toString(),
});

export interface LookupComparison {
  /** Live entries compared (those written at or before `upTo`). */
  readonly compared: number;
  readonly differences: EntryDifference[];
}

export function diffLookups(live: StoredLookups, rebuilt: LookupState, upTo: bigint): LookupComparison {
  const differences: EntryDifference[] = [];
  let compared = 0;
  for (const [lookup, entries] of live) {
    for (const [key, stored] of entries) {
      if (stored.position > upTo) continue;
      compared += 1;
      const own = rebuilt.get(lookup)?.get(key) ?? undefined;
      if (own === undefined || own === null) {
        differences.push({
          key: lookupEntryKey(lookup, key),
          kind: 'only-live',
          fields: [],
          live: entry(stored),
          rebuilt: null,
        });
      } else if (JSON.stringify(own.value) !== JSON.stringify(stored.value)) {
        differences.push({
          key: lookupEntryKey(lookup, key),
          kind: 'different',
          fields: [{ field: 'value', live: stored.value, rebuilt: own.value }],
          live: entry(stored),
          rebuilt: entry(own),
        });
      }
    }
  }
  for (const [lookup, entries] of rebuilt) {
    for (const [key, own] of entries) {
      if (own === null || live.get(lookup)?.has(key) === true) continue;
      differences.push({
        key: lookupEntryKey(lookup, key),
        kind: 'only-rebuilt',
        fields: [],
        live: null,
        rebuilt: entry(own),
      });
    }
  }
  return { compared, differences: differences.sort((a, b) => (a.key < b.key ? -1 : 1)) };
}

export interface LookupStateComparison {
  readonly unchanged: number;
  readonly differences: EntryDifference[];
}

/**
 * `plan`'s sample diff of lookups: the entries the running definition and the changed one remember from
 * the same sampled events. Compared by value (both folds read the same events, so positions only differ
 * where the values do); a lookup one definition declares and the other not shows as added or removed.
 */
export function diffLookupStates(before: LookupState, after: LookupState): LookupStateComparison {
  const differences: EntryDifference[] = [];
  let unchanged = 0;
  const present = (state: LookupState, lookup: string, key: string) => {
    const stored = state.get(lookup)?.get(key);
    return stored === undefined || stored === null ? undefined : stored;
  };
  const keys = new Set<string>();
  for (const state of [before, after])
    for (const [lookup, entries] of state)
      for (const key of entries.keys()) keys.add(JSON.stringify([lookup, key]));
  for (const pair of [...keys].sort()) {
    const [lookup, key] = JSON.parse(pair) as [string, string];
    const old = present(before, lookup, key);
    const now = present(after, lookup, key);
    if (old === undefined && now === undefined) continue;
    const entryKey = lookupEntryKey(lookup, key);
    if (old !== undefined && now !== undefined) {
      if (JSON.stringify(old.value) === JSON.stringify(now.value)) unchanged += 1;
      else
        differences.push({
          key: entryKey,
          kind: 'different',
          fields: [{ field: 'value', live: old.value, rebuilt: now.value }],
          live: entry(old),
          rebuilt: entry(now),
        });
    } else {
      differences.push({
        key: entryKey,
        kind: old === undefined ? 'only-rebuilt' : 'only-live',
        fields: [],
        live: old === undefined ? null : entry(old),
        rebuilt: now === undefined ? null : entry(now),
      });
    }
  }
  return { unchanged, differences };
}
