/**
 * Fan-out updates (issue #16, src/core/fan-out.ts): before a batch's state is loaded, the keys of the
 * stored documents each `updateAll` of its events selects are found (one `findKeys` call per field, at
 * most max + 1 keys per value) and join the event's keys, so they are loaded, ordered, held and skipped
 * (stored positions) like any key. What the batch itself changes is matched at fold time (batch-fold.ts).
 */
import type { FanOutMatch, FanOutSelector } from '../core/fan-out';
import type { CompiledProjection, DocumentKey } from '../core/plan';
import type { KeyedEvent } from './batch-fold';
import { errorMessage } from './error-classifier';

/** Finds, per value, the keys of the stored documents whose `field` holds it (at most `limit`). */
export type KeyFinder<Result> = (
  field: string,
  values: readonly (string | number)[],
  limit: number,
) => Result;

export class FanOutNotSupportedError extends Error {
  override readonly name = 'FanOutNotSupportedError';
  constructor(projection: string, kind: string) {
    super(
      `projection "${projection}" has updateAll, but its ${kind} store cannot find documents by a secondary key`,
    );
  }
}

interface Planned {
  /** Per keyed event: its selectors, or why they could not be computed. */
  readonly selectors: readonly (readonly FanOutSelector[] | string | undefined)[];
  /** Per field: the distinct values selected (by their JSON text) and the limit asked for. */
  readonly fields: Map<string, { values: Map<string, string | number>; limit: number }>;
}

function plan(projection: CompiledProjection, keyed: readonly KeyedEvent[]): Planned | undefined {
  if (projection.fanOutsOf === undefined) return undefined;
  const fields: Planned['fields'] = new Map();
  const selectors = keyed.map((entry) => {
    if (entry.keysError !== undefined) return undefined;
    let selected: readonly FanOutSelector[];
    try {
      selected = projection.fanOutsOf!(entry.event, entry.lookups);
    } catch (error) {
      return `keys could not be computed: ${errorMessage(error)}`;
    }
    for (const selector of selected) {
      let field = fields.get(selector.field);
      if (field === undefined) fields.set(selector.field, (field = { values: new Map(), limit: 0 }));
      field.values.set(JSON.stringify(selector.value), selector.value);
      field.limit = Math.max(field.limit, selector.max + 1);
    }
    return selected;
  });
  return fields.size === 0 && selectors.every((s) => typeof s !== 'string')
    ? undefined
    : { selectors, fields };
}

type Found = Map<string, Map<string, readonly DocumentKey[]>>;

function attach(keyed: readonly KeyedEvent[], planned: Planned, found: Found): KeyedEvent[] {
  return keyed.map((entry, index) => {
    const selected = planned.selectors[index];
    if (selected === undefined || entry.keysError !== undefined || selected.length === 0) return entry;
    if (typeof selected === 'string') return { event: entry.event, keysError: selected };
    const keys = new Set(entry.keys);
    const fanOut: FanOutMatch[] = selected.map((selector) => {
      const keysFound = found.get(selector.field)?.get(JSON.stringify(selector.value)) ?? [];
      // more than `max + 1` may come back when another selector of the field asked for more
      const capped = keysFound.length > selector.max + 1 ? keysFound.slice(0, selector.max + 1) : keysFound;
      for (const key of capped) keys.add(key);
      return { selector, found: capped };
    });
    return { ...entry, keys: [...keys], fanOut };
  });
}

/** Whether any of these events fans out (then the caller must find keys in the stored state). */
export function fansOut(projection: CompiledProjection, keyed: readonly KeyedEvent[]): boolean {
  return plan(projection, keyed) !== undefined;
}

/** The events with the stored keys their fan-outs select added (`find`: the target's `findKeys`). */
export async function withFanOutKeys(
  projection: CompiledProjection,
  keyed: KeyedEvent[],
  find: KeyFinder<Promise<readonly (readonly DocumentKey[])[]>> | undefined,
  kind: string,
): Promise<KeyedEvent[]> {
  const planned = plan(projection, keyed);
  if (planned === undefined) return keyed;
  const found: Found = new Map();
  for (const [field, { values, limit }] of planned.fields) {
    if (find === undefined) throw new FanOutNotSupportedError(projection.name, kind);
    const texts = [...values.keys()];
    const keys = await find(field, [...values.values()], limit);
    found.set(field, new Map(texts.map((text, i) => [text, keys[i] ?? []])));
  }
  return attach(keyed, planned, found);
}

/** The same over a view held in memory (`verify`'s rebuild): `find` answers at once. */
export function withFanOutKeysNow(
  projection: CompiledProjection,
  keyed: KeyedEvent[],
  find: KeyFinder<readonly (readonly DocumentKey[])[]>,
): KeyedEvent[] {
  const planned = plan(projection, keyed);
  if (planned === undefined) return keyed;
  const found: Found = new Map();
  for (const [field, { values, limit }] of planned.fields) {
    const texts = [...values.keys()];
    const keys = find(field, [...values.values()], limit);
    found.set(field, new Map(texts.map((text, i) => [text, keys[i] ?? []])));
  }
  return attach(keyed, planned, found);
}
