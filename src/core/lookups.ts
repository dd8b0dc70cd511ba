/**
 * Correlation state (issue #16): a projection's private keyed lookups, maintained from its own events
 * (`remember`) and read by its expressions (`lookup.<name>[key]`), e.g. orderId -> customerId from
 * OrderPlaced, read by OrderShipped to find the customer's document.
 *
 * A lookup entry is a fact about the log, not about the view: it is computed from the event alone (and
 * other lookups), before any document is loaded, so the runner can compute an event's view keys from it.
 * Every entry carries the position of the event that wrote it, and a write never replaces an entry
 * written by a later event: replaying or re-delivering an event (a crash, a release of a parked event, a
 * store without transactions) cannot move a lookup backwards.
 */
import type { JsonValue } from './json';
import type { StoredEvent } from '../eventstore/event-store.port';

/** The key and value types a lookup may declare. */
export type LookupKeyType = 'string' | 'integer';
export type LookupValueType = 'string' | 'integer' | 'float' | 'boolean';

export interface LookupDeclaration {
  readonly key: LookupKeyType;
  readonly value: LookupValueType;
}

/** One entry of one lookup; `key` is the key's text (an integer key as its decimal digits). */
export interface LookupEntryRef {
  readonly lookup: string;
  readonly key: string;
}

/** A lookup entry as stored: its value and the position of the event that wrote it. */
export interface StoredLookupEntry {
  readonly value: JsonValue;
  readonly position: bigint;
}

/** A write of one entry by the event at `position`. */
export interface LookupWrite extends LookupEntryRef, StoredLookupEntry {}

/**
 * Lookup entries by lookup name, then key text. A plan reads and `remember`s through one of these per
 * event (the entries that event reads, as of the event); the runner keeps one per batch.
 */
export type LookupValues = Map<string, Map<string, JsonValue>>;

/** Stored entries by lookup name, then key text (absent: no entry). */
export type StoredLookups = ReadonlyMap<string, ReadonlyMap<string, StoredLookupEntry>>;

/** What a compiled projection with lookups adds to its plan. Pure, like the plan. */
export interface LookupPlan {
  readonly declared: Readonly<Record<string, LookupDeclaration>>;
  /**
   * The entries this event's expressions may read (their keys are computed from the event alone). A key
   * that cannot be computed is left out: the expression that reads it fails and parks the event.
   */
  readsOf(event: StoredEvent): readonly LookupEntryRef[];
  /**
   * Evaluates the event's `remember` actions in order, each seeing the ones before it in `values`, and
   * returns the writes.
   * @throws ProjectionEvaluationError when a key or value cannot be computed (the event is parked).
   */
  remember(event: StoredEvent, values: LookupValues): readonly LookupWrite[];
}

/** Whether `write` may replace `stored` (a write never replaces one made by a later event). */
export function supersedes(write: StoredLookupEntry, stored: StoredLookupEntry | undefined): boolean {
  return stored === undefined || write.position >= stored.position;
}

/** The last write per entry, in the order first written (what one commit must store). */
export function collapseLookupWrites(writes: Iterable<LookupWrite>): LookupWrite[] {
  const last = new Map<string, LookupWrite>();
  for (const write of writes) {
    const id = `${write.lookup}\u0000${write.key}`;
    if (supersedes(write, last.get(id))) last.set(id, write);
  }
  return [...last.values()];
}
