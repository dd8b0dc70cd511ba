/**
 * Segmented projections (issue #15): a document projection declaring `segments: N` is run as N segments,
 * each with its own checkpoint and lease, so N workers share its catch-up and rebuild.
 *
 * Routing. Every segment reads the same filtered log; an event belongs to the segment its view key hashes
 * to (FNV-1a of the key string, mod N), so all events of one key go to one segment, in log order: per-key
 * order holds exactly as unsegmented. An event whose keys cannot be computed (poison) belongs to segment 0,
 * which parks it once. A segment folds the events of other segments as no-ops, so its checkpoint still
 * moves over them (a segment whose keys are quiet stays at the head, and the swap can see that it is).
 *
 * Safety. Routing by the first key is right only when an event touches one key and its operations write
 * that key alone: document views written by key (upsert, update, delete). Graph views are refused by
 * validation (a relationship MERGE writes two nodes whose keys may hash to different segments), and so
 * must be any later feature that makes one event write several keys or read another key's document
 * (correlation lookups, fan-out): see `segmentsRefusal` in src/dsl/validation/segments.checks.ts.
 */
import type { CompiledProjection, DocumentKey, ViewDocument, ViewOperation } from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { JsonValue } from '../core/json';
import type { Target, ViewRef } from '../stores/target.port';

export { MAX_SEGMENTS } from '../core/plan';

/** One segment of a segmented projection: its number and how many there are. */
export interface SegmentOf {
  readonly index: number;
  readonly count: number;
}

/** How many segments a plan runs as (1 when unsegmented). */
export function segmentCount(plan: Pick<CompiledProjection, 'segments'>): number {
  return plan.segments !== undefined && plan.segments > 1 ? plan.segments : 1;
}

/** FNV-1a (32 bit) of a string's UTF-16 code units: stable across processes, versions and platforms. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The segment a view key belongs to. */
export function segmentOfKey(key: string, count: number): number {
  return count <= 1 ? 0 : fnv1a(key) % count;
}

/** The segment an event belongs to: its first view key's, segment 0 when it has none or they fail. */
export function segmentOfEvent(plan: CompiledProjection, event: StoredEvent, count: number): number {
  if (count <= 1) return 0;
  try {
    const [first] = plan.keysOf(event);
    return first === undefined ? 0 : segmentOfKey(first, count);
  } catch {
    return 0;
  }
}

/** The lease resource of a segment: the projection's name for segment 0 (as unsegmented), `name#k` else. */
export function segmentResource(projection: string, segment: number): string {
  return segment === 0 ? projection : `${projection}#${segment}`;
}

/** The projection and segment a lease resource names (see segmentResource). */
export function parseSegmentResource(resource: string): { projection: string; segment: number } {
  const at = resource.lastIndexOf('#');
  const segment = at < 0 ? NaN : Number(resource.slice(at + 1));
  return Number.isInteger(segment) && segment > 0
    ? { projection: resource.slice(0, at), segment }
    : { projection: resource, segment: 0 };
}

/** A generation's view as one segment's runner addresses it (its own checkpoint, the shared storage). */
export function segmentView(view: ViewRef, segment: number): ViewRef {
  const { segment: _ignored, ...shared } = view;
  return segment === 0 ? shared : { ...shared, segment };
}

/**
 * The plan one segment runs: the same plan, except that events of other segments have no keys and no
 * operations (they are folded as no-ops and only move the checkpoint). An unsegmented plan is returned as
 * it is. The decision made by `keysOf` is remembered for `apply` (the fold asks in that order), so a
 * key expression is evaluated once per event.
 */
export function segmentPlan(plan: CompiledProjection, segment: SegmentOf): CompiledProjection {
  if (segment.count <= 1) return plan;
  const foreign = new WeakSet<StoredEvent>();
  const mine = (event: StoredEvent, keys: readonly string[]): boolean => {
    const [first] = keys;
    return first === undefined ? segment.index === 0 : segmentOfKey(first, segment.count) === segment.index;
  };
  return Object.freeze({
    ...plan,
    keysOf(event: StoredEvent): readonly string[] {
      let keys: readonly string[];
      try {
        keys = plan.keysOf(event);
      } catch (error) {
        // Poison without keys is segment 0's to park; the others pass over it.
        if (segment.index === 0) throw error;
        foreign.add(event);
        return [];
      }
      if (mine(event, keys)) return keys;
      foreign.add(event);
      return [];
    },
    apply(event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>): readonly ViewOperation[] {
      if (foreign.has(event)) return [];
      return plan.apply(event, state);
    },
  });
}

/**
 * Whether every segment but 0 of a generation has its stored checkpoint at `head` (segment 0's swap waits
 * for it: each segment has its own runner, perhaps on another node). Checkpoints only move forward, so a
 * value read before the swap is a lower bound.
 */
export async function segmentsAtHead(
  target: Pick<Target, 'readCheckpoint'>,
  plan: Pick<CompiledProjection, 'segments'>,
  view: ViewRef,
  head: bigint,
): Promise<boolean> {
  for (let segment = 1; segment < segmentCount(plan); segment += 1) {
    const checkpoint = await target.readCheckpoint(segmentView(view, segment));
    if (checkpoint === undefined || checkpoint < head) return false;
  }
  return true;
}

/**
 * The checkpoint readers of a segmented generation can rely on: the lowest of its segments' (every event
 * at or below it is applied, whichever segment it belongs to); undefined without segment 0's.
 */
export async function readSegmentedCheckpoint(
  target: Pick<Target, 'readCheckpoint'>,
  view: ViewRef,
  count: number,
): Promise<bigint | undefined> {
  const checkpoints = await Promise.all(
    Array.from({ length: Math.max(1, count) }, (_, segment) =>
      target.readCheckpoint(segmentView(view, segment)),
    ),
  );
  // Segment 0 is every generation's; a missing segment k > 0 is one the generation was not built with.
  let lowest = checkpoints[0];
  for (const checkpoint of checkpoints)
    if (lowest !== undefined && checkpoint !== undefined && checkpoint < lowest) lowest = checkpoint;
  return lowest;
}

/** How long segmentsToRun waits for the registry before counting the plan's segments. */
const REGISTRY_READ_MS = 2_000;

/**
 * How many segments a projection runs as on this node: its plan's, or more when its active generation was
 * built with more (`segments` lowered or removed in a changed definition). Until the rebuild is swapped in,
 * the live view must go on advancing in every segment it has, and read-your-writes must wait for all of
 * them. A registry that cannot be read counts as the plan's: the runners retry and report the store.
 */
export async function segmentsToRun(
  target: Pick<Target, 'listGenerations'> | undefined,
  plan: Pick<CompiledProjection, 'name' | 'segments' | 'fingerprint'>,
  recompile: ((definition: JsonValue) => CompiledProjection | undefined) | undefined,
): Promise<number> {
  const planned = segmentCount(plan);
  if (target === undefined) return planned;
  // Bounded: a start never waits long on a registry that does not answer.
  const generations = await Promise.race([
    target.listGenerations(plan.name).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), REGISTRY_READ_MS).unref()),
  ]);
  const active = generations.find((generation) => generation.status === 'active');
  if (active === undefined || active.fingerprint === plan.fingerprint || active.definition === null)
    return planned;
  // The live view runs its own (stored) definition during the rebuild: its segments are the ones it has.
  const live = recompile?.(active.definition);
  return Math.max(planned, live === undefined ? 1 : segmentCount(live));
}
