/**
 * Fan-out updates (issue #16): one event updates every document of a document view whose secondary key
 * field holds a value computed from the event (CustomerRenamed -> every order of the customer).
 *
 * The plan says, from the event alone, which field and value each of its fan-out actions selects
 * (`CompiledProjection.fanOutsOf`). Before loading state, the runner asks the target for the keys of the
 * stored documents that match (`Target.findKeys`, at most `max + 1` per value), and those keys join the
 * event's keys: loading, per-key ordering, holding behind parked keys and the stored positions of targets
 * without transactions then work as for any key. Documents an earlier event of the same batch changed are
 * matched by their state at fold time (see src/runtime/fan-out-keys.ts).
 */
import type { JsonValue } from './json';
import { ProjectionEvaluationError, type DocumentKey } from './plan';

/**
 * How many documents one fan-out action may update, unless it says `max:`. One event's fan-out loads up
 * to max + 1 documents and writes up to max of them in one commit, beside the rest of its batch: 1,000
 * documents of a few KB keep that commit at a few MB (the heap the runner is sized for, one Elasticsearch
 * `_bulk` of reasonable size), while a customer with more orders than that is better served by a query
 * joining at read time than by rewriting every order on each rename.
 */
export const DEFAULT_FAN_OUT_CAP = 1_000;
/**
 * The largest `max:` a definition may declare: max + 1 keys must come back from one search page
 * (Elasticsearch's default `index.max_result_window` is 10,000).
 */
export const MAX_FAN_OUT_CAP = 9_999;

/** What one fan-out action of an event selects: the documents whose `field` holds `value`. */
export interface FanOutSelector {
  readonly field: string;
  /** The value, converted to the field's declared type (a string or a number). */
  readonly value: string | number;
  /** The most documents the action may update (its `max:`, else DEFAULT_FAN_OUT_CAP). */
  readonly max: number;
}

/** A selector with the keys of the stored documents that matched it when its batch started. */
export interface FanOutMatch {
  readonly selector: FanOutSelector;
  /** At most `max + 1` keys: more than `max` means the event is over the cap. */
  readonly found: readonly DocumentKey[];
}

/** Whether a document's field value is the selected value. */
export function fanOutMatches(selector: FanOutSelector, value: JsonValue | undefined): boolean {
  return value === selector.value;
}

/** What a fan-out updates, for its poison reason: the action and what it matches (`Order nodes`). */
export interface FanOutTarget {
  readonly action: string;
  readonly matches: string;
}

const DOCUMENTS: FanOutTarget = { action: 'updateAll', matches: 'documents' };

/** The poison reason of an event whose fan-out matches more documents (or nodes) than its cap. */
export function fanOutCapReason(selector: FanOutSelector, target: FanOutTarget = DOCUMENTS): string {
  return (
    `${target.action} matches more than ${selector.max} ${target.matches} with ${selector.field} = ` +
    `${JSON.stringify(selector.value)} (its cap, max: ${selector.max}); raise \`max\` in the definition ` +
    '(a rebuild) or discard the event'
  );
}

/**
 * A graph fan-out (`updateNodes`) matched more nodes than its cap where the operation was applied (in the
 * store's transaction, or in an in-memory graph). Deterministic for the same log, so it is poison: the
 * runner bisects the rejected batch and parks the event alone with this reason.
 */
export class FanOutCapError extends ProjectionEvaluationError {
  constructor(
    projection: string,
    readonly label: string,
    readonly selector: FanOutSelector,
    readonly position: bigint,
  ) {
    super(
      projection,
      `the event at position ${position}`,
      fanOutCapReason(selector, { action: 'updateNodes', matches: `${label} nodes` }),
    );
  }
}
