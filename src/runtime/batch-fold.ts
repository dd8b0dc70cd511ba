/**
 * The pure heart of a batch: fold events, in log order, through the compiled plan over the documents
 * loaded for the keys they touch, and produce what one commit must write.
 *
 *  - Later events see the results of earlier ones (the state map is updated as we go).
 *  - Operations collapse to the last one per key (a document operation carries the whole document).
 *  - An event whose keys or operations cannot be computed, or whose document does not fit the view,
 *    is PARKED; with sequenced parking (the default) every later event touching one of its keys is
 *    HELD behind it, so each key still sees its events in log order once the parked one is resolved.
 *    With `onPoison: skip` only the failing event is set aside.
 *  - A fan-out event (updateAll, src/core/fan-out.ts) touches the stored documents found for it
 *    (fan-out-keys.ts) and the documents earlier events of the batch wrote that match now; one found over
 *    its cap is parked.
 */
import {
  collapseLookupWrites,
  supersedes,
  type LookupValues,
  type LookupWrite,
  type StoredLookupEntry,
} from '../core/lookups';
import { fanOutCapReason, fanOutMatches, type FanOutMatch } from '../core/fan-out';
import type { JsonValue } from '../core/json';
import {
  ProjectionEvaluationError,
  type CompiledProjection,
  type DocumentKey,
  type ViewDocument,
  type ViewOperation,
} from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { ParkedEvent, ViewRef } from '../stores/target.port';
import { errorMessage } from './error-classifier';

/**
 * An event with its keys, or the reason its keys could not be computed. For plans with lookups: the
 * entries it reads (after its own remembers) and the entries it wrote.
 */
export type KeyedEvent =
  | {
      readonly event: StoredEvent;
      readonly keys: readonly string[];
      readonly keysError?: undefined;
      readonly lookups?: LookupValues;
      readonly remembered?: readonly LookupWrite[];
      /** Its fan-outs (plans with updateAll): what each selects, and the stored keys found (in `keys`). */
      readonly fanOut?: readonly FanOutMatch[];
    }
  | { readonly event: StoredEvent; readonly keys?: undefined; readonly keysError: string };

/**
 * Lookup entries as a batch knows them: loaded from the store (null: none stored), then changed by each
 * event keyed, in log order, so later events of the batch see what earlier ones remembered.
 */
export type LookupState = Map<string, Map<string, StoredLookupEntry | null>>;

export interface FoldInput {
  readonly plan: CompiledProjection;
  readonly view: ViewRef;
  readonly events: readonly KeyedEvent[];
  /** Current documents of the keys the batch touches; updated in place as events are folded. */
  readonly state: Map<DocumentKey, ViewDocument>;
  /**
   * Per key, the position of the last operation already stored (targets without transactions only):
   * events at or below it already took effect for that key and are skipped for it.
   */
  readonly appliedUpTo?: ReadonlyMap<DocumentKey, bigint>;
  /** Keys with a parked or held event: new events for them are held (sequenced parking). */
  readonly blocked: ReadonlySet<string>;
  /** Why a document does not fit the view, or undefined (Target.validate). */
  readonly validate: (document: ViewDocument) => string | undefined;
  readonly now: Date;
  /**
   * Wall-clock time (Date.now()) after which no further event is folded: the result then covers only
   * `consumed` events and the caller commits that prefix and folds the rest after yielding the event loop.
   * Each evaluation is bounded (the DSL's cost budget), but a batch of thousands of hostile events folded
   * at once would still block the server for minutes (issue #12 item 1). At least one event is folded.
   */
  readonly deadline?: number;
}

export interface FoldResult {
  /** At most one document operation per key, then graph operations in order. */
  readonly operations: ViewOperation[];
  readonly parked: ParkedEvent[];
  /** The blocked keys after this batch (the input set plus the keys of events parked or held here). */
  readonly blocked: Set<string>;
  /** Lookup entries the consumed events remembered, the last per entry (plans with lookups only). */
  readonly lookups?: LookupWrite[];
  readonly applied: number;
  /** How many of `events` were folded: all of them unless `deadline` passed first. */
  readonly consumed: number;
}

export const HELD_REASON = 'held behind an earlier parked event for the same key';

/**
 * Keys of each event; with a `deadline` (see FoldInput), only of a prefix of at least one event. A plan
 * with lookups reads and remembers through `lookups` (the batch's entries, see LookupState), which this
 * changes as it goes.
 */
export function keyEvents(
  plan: CompiledProjection,
  events: readonly StoredEvent[],
  deadline?: number,
  lookups?: LookupState,
): KeyedEvent[] {
  const keyed: KeyedEvent[] = [];
  const state = plan.lookups === undefined ? undefined : (lookups ?? (new Map() as LookupState));
  for (const event of events) {
    if (keyed.length > 0 && deadline !== undefined && Date.now() >= deadline) break;
    keyed.push(state === undefined ? keyOne(plan, event) : keyWithLookups(plan, event, state));
  }
  return keyed;
}

function keyWithLookups(plan: CompiledProjection, event: StoredEvent, state: LookupState): KeyedEvent {
  const values: LookupValues = new Map();
  for (const { lookup, key } of plan.lookups!.readsOf(event)) {
    const entry = state.get(lookup)?.get(key);
    if (entry === undefined || entry === null) continue;
    let entries = values.get(lookup);
    if (entries === undefined) values.set(lookup, (entries = new Map<string, JsonValue>()));
    entries.set(key, entry.value);
  }
  // An entry stored at or past this event's position already holds its effect: the event is delivered a
  // second time (a store without transactions wrote its batch but not the checkpoint before a crash) or a
  // parked event is replayed (its entries stood). Remembering again would apply it twice (`total + x` from
  // a total that has x): such a write is dropped, and the event reads the entry as stored.
  const stored = (write: LookupWrite) => state.get(write.lookup)?.get(write.key) ?? undefined;
  let fresh: LookupWrite[];
  let keys: readonly string[];
  try {
    const remembered = plan.lookups!.remember(event, values);
    fresh = [];
    for (const write of remembered) {
      const entry = stored(write);
      if (entry !== undefined && entry !== null && entry.position >= event.position)
        values.get(write.lookup)?.set(write.key, entry.value);
      else fresh.push(write);
    }
    keys = plan.keysOf(event, values);
  } catch (error) {
    return { event, keysError: `keys could not be computed: ${errorMessage(error)}` };
  }
  for (const write of fresh) {
    let entries = state.get(write.lookup);
    if (entries === undefined)
      state.set(write.lookup, (entries = new Map<string, StoredLookupEntry | null>()));
    if (supersedes(write, entries.get(write.key) ?? undefined))
      entries.set(write.key, { value: write.value, position: write.position });
  }
  return { event, keys, lookups: values, remembered: fresh };
}

function keyOne(plan: CompiledProjection, event: StoredEvent): KeyedEvent {
  try {
    return { event, keys: plan.keysOf(event) };
  } catch (error) {
    // keysOf is pure: whatever it throws it will throw again, so the event is poison.
    return { event, keysError: `keys could not be computed: ${errorMessage(error)}` };
  }
}

/** The record of an event parked (it failed) or held (behind a parked event of one of its keys). */
export function parkedRecord(
  view: ViewRef,
  event: StoredEvent,
  keys: readonly string[],
  reason: string,
  status: ParkedEvent['status'],
  at: Date,
): ParkedEvent {
  return {
    projection: view.projection,
    generation: view.generation,
    position: event.position,
    streamId: event.streamId,
    eventType: event.type,
    event,
    keys,
    reason,
    status,
    parkedAt: at,
  };
}

export function foldBatch(input: FoldInput): FoldResult {
  const { plan, view, state } = input;
  const sequenced = plan.onPoison === 'sequenced';
  const blocked = new Set(input.blocked);
  const documents = new Map<DocumentKey, ViewOperation>();
  const graph: ViewOperation[] = [];
  const parked: ParkedEvent[] = [];
  let remembered: LookupWrite[] | undefined;
  let applied = 0;

  const park = (event: StoredEvent, keys: readonly string[], reason: string, status: 'parked' | 'held') => {
    parked.push(parkedRecord(view, event, keys, reason, status, input.now));
    if (sequenced) for (const key of keys) blocked.add(key);
  };

  // One map reused for every event: plans are pure and must not keep the state they are given, and a
  // rebuild folds millions of events (one fresh map each was measurable garbage).
  const scoped = new Map<DocumentKey, ViewDocument>();
  let consumed = 0;
  for (const keyed of input.events) {
    if (consumed > 0 && input.deadline !== undefined && Date.now() >= input.deadline) break;
    consumed += 1;
    const { event } = keyed;
    if (keyed.keysError !== undefined) {
      park(event, [], keyed.keysError, 'parked');
      continue;
    }
    // A remembered entry is a fact of the event alone: it stands even if the view change is parked or held.
    if (keyed.remembered !== undefined && keyed.remembered.length > 0)
      (remembered ??= []).push(...keyed.remembered);
    let keys = keyed.keys;
    if (keyed.fanOut !== undefined) {
      const over = keyed.fanOut.find((match) => match.found.length > match.selector.max);
      if (over !== undefined) {
        const reason = new ProjectionEvaluationError(
          plan.name,
          event.type,
          `${fanOutCapReason(over.selector)} (at position ${event.position})`,
        ).message;
        park(event, keys, reason, 'parked');
        continue;
      }
      keys = withWrittenMatches(keys, keyed.fanOut, documents.keys(), state);
    }
    if (sequenced && keys.some((key) => blocked.has(key))) {
      park(event, keys, HELD_REASON, 'held');
      continue;
    }
    scoped.clear();
    for (const key of keys) {
      const document = state.get(key);
      if (document !== undefined) scoped.set(key, document);
    }
    let operations: readonly ViewOperation[];
    try {
      operations =
        keyed.lookups === undefined ? plan.apply(event, scoped) : plan.apply(event, scoped, keyed.lookups);
    } catch (error) {
      // The plan is pure: any error it throws is deterministic, so the event is poison.
      park(event, keys, errorMessage(error), 'parked');
      continue;
    }
    const problem = firstProblem(operations, input.validate);
    if (problem !== undefined) {
      park(event, keys, problem, 'parked');
      continue;
    }
    for (const operation of operations) {
      if (operation.kind === 'put' || operation.kind === 'delete') {
        const appliedUpTo = input.appliedUpTo?.get(operation.key);
        if (appliedUpTo !== undefined && event.position <= appliedUpTo) continue;
        if (operation.kind === 'put') state.set(operation.key, operation.document);
        else state.delete(operation.key);
        documents.delete(operation.key);
        documents.set(operation.key, operation);
      } else {
        graph.push(operation);
      }
    }
    applied += 1;
  }
  return {
    operations: [...documents.values(), ...graph],
    parked,
    blocked,
    applied,
    consumed,
    ...(remembered === undefined ? {} : { lookups: collapseLookupWrites(remembered) }),
  };
}

/**
 * A fan-out event's keys plus the documents earlier events of the batch wrote that its selectors match
 * now (the stored ones found before the batch may have been changed away: the plan filters by state).
 */
function withWrittenMatches(
  keys: readonly string[],
  fanOut: readonly FanOutMatch[],
  written: Iterable<DocumentKey>,
  state: ReadonlyMap<DocumentKey, ViewDocument>,
): readonly string[] {
  let all: Set<string> | undefined;
  for (const key of written) {
    const document = state.get(key);
    if (document === undefined) continue;
    if (fanOut.some(({ selector }) => fanOutMatches(selector, document[selector.field]))) {
      all ??= new Set(keys);
      all.add(key);
    }
  }
  return all === undefined ? keys : [...all];
}

function firstProblem(
  operations: readonly ViewOperation[],
  validate: (document: ViewDocument) => string | undefined,
): string | undefined {
  for (const operation of operations) {
    if (operation.kind !== 'put') continue;
    const problem = validate(operation.document);
    if (problem !== undefined)
      return `the document for key "${operation.key}" does not fit the view: ${problem}`;
  }
  return undefined;
}
