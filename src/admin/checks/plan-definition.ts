/**
 * `prism plan`: what deploying a changed (or new) definition would do, before it is deployed.
 *
 *  - action: `none` (same fingerprint as the active generation: the runner just resumes), `rebuild` (a
 *    new generation is built from position 0 beside the live one) or `backfill` (a new projection);
 *  - replay: how many events that build reads, per source event type. Counted exactly by reading the log
 *    through with the definition's own filter, up to `maxCountedEvents` (default 1,000,000); a longer log
 *    is extrapolated from the share of positions read and flagged `approximate`;
 *  - estimate: replay / rate, the rate being the one this projection's runner measured while catching up
 *    (kept once it is live; `measured`, with what it was measured over), else DEFAULT_REPLAY_RATE (a
 *    conservative figure for a single runner, flagged `default`);
 *  - shape changes between the active generation's shape and the new one;
 *  - a sample diff: every event of the first `sampleStreams` (default 50) streams that carry source
 *    events, in log order, folded in memory through the current plan and through the new one; the two
 *    views are compared entry by entry (added, removed, changed, with the first differences), and so are
 *    their lookup entries (`lookup:<name>:<key>`, issue #16).
 */
import type { JsonValue } from '../../core/json';
import type { CompiledProjection } from '../../core/plan';
import type { TargetKind, TargetShape } from '../../core/view-shape';
import { compileProjection } from '../../dsl';
import { formatDefinitionError, type DefinitionError } from '../../dsl/errors/definition-error';
import { checkDefinitionSource, type CheckOptions } from '../../dsl/loader/definition.loader';
import type { EventLog, StoredEvent } from '../../eventstore/event-store.port';
import { storeModule } from '../../stores/registry';
import type { Target, ViewRef } from '../../stores/target.port';
import type { LookupState } from '../../runtime/batch-fold';
import { diffEntries } from './entry-diff';
import { diffLookupStates } from './lookup-diff';
import { ScratchView } from './scratch-view';
import { shapeChanges, type ShapeChange } from './shape-changes';
import type { EntryDifference } from './verify-projection';

/**
 * Events per second assumed when there is no rate measured during a catch-up (a new projection, or one
 * that is live). Conservative: the benchmarks on a 2-core machine rebuild at about 11,000 (Neo4j),
 * 29,000 (Elasticsearch) and 55,000 (PostgreSQL) events/s; see the README's Benchmarks section.
 */
export const DEFAULT_REPLAY_RATE = 5_000;

export interface PlanDependencies {
  readonly store: EventLog;
  readonly target: (kind: TargetKind) => Target | undefined;
  readonly recompile: (model: JsonValue) => CompiledProjection | undefined;
  /** How the planned definition is checked: the app's event catalog (typing, upcasting; issue #16). */
  readonly checkOptions?: CheckOptions;
  /** The loaded plan of a projection, if the app runs it. */
  readonly catalogPlan: (name: string) => CompiledProjection | undefined;
  /** The rate the running projection measured while catching up, when it has one. */
  readonly measuredRate: (name: string) => MeasuredRate | undefined;
}

/** A rate measured by the runtime, and what it was measured over (shown with the estimate). */
export interface MeasuredRate {
  readonly eventsPerSecond: number;
  /** E.g. "the live generation's catch-up: 412000 events in 7.5 s". */
  readonly basis: string;
}

export interface PlanOptions {
  readonly sampleStreams?: number;
  readonly maxCountedEvents?: number;
  readonly maxDifferences?: number;
}

/** The definition text does not validate; `problems` are formatted `file:line:col severity code message`. */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
  constructor(
    readonly file: string,
    readonly problems: readonly DefinitionError[],
  ) {
    super(
      `${file} does not validate (${problems.filter((p) => p.severity === 'error').length} error(s)); ` +
        'run `prism validate` on it and fix them:\n' +
        problems.map(formatDefinitionError).join('\n'),
    );
  }
}

export interface PlanReport {
  readonly projection: string;
  readonly file: string;
  readonly action: 'none' | 'rebuild' | 'backfill';
  readonly reason: string;
  readonly activeGeneration: number | null;
  readonly fingerprint: { readonly active: string | null; readonly new: string };
  readonly replay: {
    readonly events: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly approximate: boolean;
    /** Log head when counted (decimal string). */
    readonly head: string;
  };
  readonly estimate: {
    readonly seconds: number;
    readonly eventsPerSecond: number;
    /** `measured`: this projection's own catch-up rate; `default`: nothing measured yet. */
    readonly rate: 'measured' | 'default';
    /** What the rate is: what it was measured over, or why the default was used. */
    readonly basis: string;
  };
  readonly shapeChanges: readonly ShapeChange[];
  readonly sample: {
    readonly streams: number;
    readonly events: number;
    /** Compared against the current definition; null for a new projection (nothing to compare with). */
    readonly comparedWith: 'active' | null;
    readonly counts: {
      readonly added: number;
      readonly removed: number;
      readonly changed: number;
      readonly unchanged: number;
    };
    /** `only-rebuilt` = added by the new definition, `only-live` = removed by it; `live` is the current view. */
    readonly differences: readonly EntryDifference[];
  };
  readonly warnings: readonly string[];
}

export async function planDefinition(
  deps: PlanDependencies,
  source: { readonly text: string; readonly file: string },
  options: PlanOptions = {},
): Promise<PlanReport> {
  const check = checkDefinitionSource(source.text, source.file, deps.checkOptions);
  if (check.checked === undefined) throw new InvalidDefinitionError(source.file, check.problems);
  const next = compileProjection(check.checked);
  const target = deps.target(next.target.kind);
  const current = target === undefined ? undefined : await currentPlan(deps, target, next.name);

  const action =
    current === undefined ? 'backfill' : current.fingerprint === next.fingerprint ? 'none' : 'rebuild';
  const reason =
    action === 'backfill'
      ? `"${next.name}" has no active generation: it is built from the start of the log`
      : action === 'none'
        ? "the fingerprint is the active generation's: the live runner resumes, nothing is rebuilt"
        : "the fingerprint differs from the active generation's: a new generation is built from position 0 beside the live one, then swapped in";

  const counted = await countSourceEvents(deps.store, next, options);
  const measured = usableRate(deps.measuredRate(next.name));
  const rate = measured?.eventsPerSecond ?? DEFAULT_REPLAY_RATE;
  const sample = await sampleDiff(
    deps.store,
    target,
    current?.plan,
    next,
    counted.streams,
    options.maxDifferences ?? 10,
  );

  return {
    projection: next.name,
    file: source.file,
    action,
    reason,
    activeGeneration: current?.generation ?? null,
    fingerprint: { active: current?.fingerprint ?? null, new: next.fingerprint },
    replay: {
      events: counted.events,
      byType: counted.byType,
      approximate: counted.approximate,
      head: counted.head.toString(),
    },
    estimate: {
      seconds: action === 'none' ? 0 : Math.ceil(counted.events / rate),
      eventsPerSecond: Math.round(rate),
      rate: measured === undefined ? 'default' : 'measured',
      basis:
        measured?.basis ??
        `no rate measured for "${next.name}" on this node yet (it has not caught up for a second since it started): the default of ${DEFAULT_REPLAY_RATE} events/s`,
    },
    shapeChanges: shapeChanges(current?.shape, next.target),
    sample,
    warnings: check.problems.filter((p) => p.severity !== 'error').map(formatDefinitionError),
  };
}

function usableRate(measured: MeasuredRate | undefined): MeasuredRate | undefined {
  return measured !== undefined && Number.isFinite(measured.eventsPerSecond) && measured.eventsPerSecond > 0
    ? measured
    : undefined;
}

interface CurrentPlan {
  readonly generation: number;
  readonly fingerprint: string;
  readonly shape: CompiledProjection['target'];
  /** Undefined when its stored definition no longer compiles (the sample diff is then skipped). */
  readonly plan: CompiledProjection | undefined;
}

async function currentPlan(
  deps: PlanDependencies,
  target: Target,
  name: string,
): Promise<CurrentPlan | undefined> {
  const active = (await target.readProjection(name))?.activeGeneration ?? null;
  if (active === null) return undefined;
  const generation = (await target.listGenerations(name)).find((g) => g.generation === active);
  if (generation === undefined) return undefined;
  const loaded = deps.catalogPlan(name);
  const plan =
    loaded?.fingerprint === generation.fingerprint
      ? loaded
      : generation.definition === null
        ? undefined
        : deps.recompile(generation.definition);
  return { generation: active, fingerprint: generation.fingerprint, shape: generation.shape, plan };
}

async function countSourceEvents(
  store: EventLog,
  plan: CompiledProjection,
  options: PlanOptions,
): Promise<{
  events: number;
  byType: Record<string, number>;
  approximate: boolean;
  head: bigint;
  streams: string[];
}> {
  const filter = { eventTypes: plan.source.eventTypes, streamPrefix: plan.source.streamPrefix };
  const maxCounted = options.maxCountedEvents ?? 1_000_000;
  const sampleStreams = options.sampleStreams ?? 50;
  const head = await store.headPosition(filter);
  const byType: Record<string, number> = Object.fromEntries(plan.source.eventTypes.map((type) => [type, 0]));
  const streams = new Set<string>();
  let events = 0;
  let position = 0n;
  while (position < head && events < maxCounted) {
    const page = await store.readAll({ after: position, maxCount: 1_000, filter });
    for (const event of page) {
      if (event.position > head) break;
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      events += 1;
      if (streams.size < sampleStreams) streams.add(event.streamId);
      position = event.position;
    }
    if (page.length < 1_000) break;
  }
  const approximate = position < head && events >= maxCounted && position > 0n;
  if (approximate) {
    // Extrapolate by the share of log positions read (positions may have gaps: an estimate).
    const factor = Number(head) / Number(position);
    for (const type of Object.keys(byType)) byType[type] = Math.round((byType[type] ?? 0) * factor);
    events = Math.round(events * factor);
  }
  return { events, byType, approximate, head, streams: [...streams] };
}

async function sampleDiff(
  store: EventLog,
  target: Target | undefined,
  current: CompiledProjection | undefined,
  next: CompiledProjection,
  streams: readonly string[],
  maxDifferences: number,
): Promise<PlanReport['sample']> {
  const events: StoredEvent[] = [];
  for (const stream of streams) events.push(...(await store.readStream(stream)));
  events.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const fold = (plan: CompiledProjection) => {
    const view: ViewRef = { projection: plan.name, generation: 0, shape: plan.target };
    const scratch = new ScratchView({
      plan,
      view,
      validate: (document) => target?.validate(view, document),
    });
    scratch.applyEvents(events);
    return { entries: scratch.entries(), lookups: scratch.lookups };
  };
  const { entries: after, lookups: lookupsAfter } = fold(next);
  if (current === undefined) {
    return {
      streams: streams.length,
      events: events.length,
      comparedWith: null,
      counts: { added: after.size + countEntries(lookupsAfter), removed: 0, changed: 0, unchanged: 0 },
      differences: [],
    };
  }
  const { entries: before, lookups: lookupsBefore } = fold(current);
  // Lookup entries (correlation state) are compared beside the view's: a changed `remember` alters no
  // document until an event reads the entry, so the view alone could say "unchanged" for a breaking change.
  const lookupDiff = diffLookupStates(lookupsBefore, lookupsAfter);
  const differences: EntryDifference[] = [];
  let unchanged = lookupDiff.unchanged;
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(key);
    const now = after.get(key);
    if (old !== undefined && now !== undefined) {
      const fields = diffEntries(comparisonShape(current.target, next.target), key, old, now);
      if (fields.length === 0) unchanged += 1;
      else differences.push({ key, kind: 'different', fields, live: old, rebuilt: now });
    } else {
      differences.push({
        key,
        kind: old === undefined ? 'only-rebuilt' : 'only-live',
        fields: [],
        live: old ?? null,
        rebuilt: now ?? null,
      });
    }
  }
  differences.push(...lookupDiff.differences);
  const count = (kind: EntryDifference['kind']) => differences.filter((d) => d.kind === kind).length;
  return {
    streams: streams.length,
    events: events.length,
    comparedWith: 'active',
    counts: {
      added: count('only-rebuilt'),
      removed: count('only-live'),
      changed: count('different'),
      unchanged,
    },
    differences: differences.slice(0, maxDifferences),
  };
}

function countEntries(state: LookupState): number {
  let entries = 0;
  for (const lookup of state.values())
    for (const stored of lookup.values()) if (stored !== null) entries += 1;
  return entries;
}

/** The shape the sample diff compares under: the store module's choice (its `checks.sampleShape`), else the new one. */
function comparisonShape(current: TargetShape, next: TargetShape): TargetShape {
  const store = storeModule(next.kind);
  if (storeModule(current.kind) !== store) return next;
  return store.checks.sampleShape?.(current, next) ?? next;
}
