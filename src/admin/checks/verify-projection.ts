/**
 * `prism verify`: rebuilds a projection's active generation in memory from the log and compares it with
 * the live view, entry by entry. No Nest here (checks.service.ts wires it into the app).
 *
 * A live projection keeps applying events while we look, so a single pass would report entries that
 * merely moved on. What makes the result exact:
 *  1. read the live checkpoint C, fold the log up to exactly C, then scan the live view page by page and
 *     collect *suspects*: entries only live, only rebuilt, or different (entry-comparison.ts: chunk by
 *     chunk; the rebuilt view is spilled to a temporary file, documents or graph, so memory does not grow
 *     with the view, issue #17);
 *  2. settle them in rounds: read the checkpoint C', fold on to C', read the suspects again (`load` for
 *     documents, `readEntries` by key for graphs), read the checkpoint again. A suspect that now matches was only
 *     moving. When the checkpoint did not move during the round (and, without transactions, no document
 *     carries a position beyond C'), what still differs is a real difference: the live view and the
 *     rebuild were compared at the same position;
 *  3. if the projection keeps moving for `rounds` rounds, it is paused (only if it was not paused
 *     already), settled once more, and always resumed in `finally`.
 *
 * `signal` stops it between pages (the HTTP caller disconnected or cancelled): it rejects with
 * VerifyCancelledError, after resuming the projection if it paused it and removing its spilled file.
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type { CompiledProjection } from '../../core/plan';
import type { EventLog } from '../../eventstore/event-store.port';
import type { Target, ViewRef } from '../../stores/target.port';
import { diffEntries, type FieldDifference } from './entry-diff';
import { ProjectionNotVerifiableError, VerifyCancelledError } from './checks.errors';
import { compareEntries, rebuiltFromMap, type ComparedEntry, type RebuiltEntries } from './entry-comparison';
import { diffLookups } from './lookup-diff';
import { ScratchView, type FoldProgress } from './scratch-view';
import { readSegmentedCheckpoint, segmentCount } from '../../runtime/segments';

export interface VerifyDependencies {
  readonly store: EventLog;
  readonly target: Target;
  /** The plan the app loaded for this projection (the catalog's), if any. */
  readonly catalogPlan: CompiledProjection | undefined;
  /** Recompiles a stored definition model (the DSL's recompileDefinition). */
  readonly recompile: (model: JsonValue) => CompiledProjection | undefined;
  /** Pauses the live projection; resolves to the function that resumes it. Absent: never pause. */
  readonly pause?: () => Promise<() => Promise<void>>;
}

export interface VerifyOptions {
  /** Differences listed in full (the counts cover all of them). Default 10. */
  readonly maxDifferences?: number;
  /** Entries per scan page. Default 500. */
  readonly pageSize?: number;
  /**
   * Events read from the log per page of the fold. Default 5,000: with pages of 1,000 a verify of
   * purchase_graph (20k orders) waited 11.8 s on the log, 5.4 s with 5,000, for ~30 MB more peak RSS.
   */
  readonly foldPageSize?: number;
  /** Settle rounds without pausing before the pause fallback. Default 5. */
  readonly rounds?: number;
  readonly onProgress?: (progress: VerifyProgress) => void;
  /**
   * Rebuilt documents (or graph entries) kept in memory before they are spilled to the temporary file.
   * Default 5,000: a page of the live scan and a batch of the fold stay well under it.
   */
  readonly rebuiltCacheSize?: number;
  /** Where the rebuilt view's temporary folder goes. Default: the OS's temporary directory. */
  readonly spillDirectory?: string;
  /** Stops the verification between pages: it then rejects with VerifyCancelledError. */
  readonly signal?: AbortSignal;
  /**
   * Called after each read of the live checkpoint, once the rebuild folded up to it and before the live
   * view is read for the comparison (round 0: before the scan; then once per settle round). For tests:
   * events appended and applied here make the view move during the verification at a known moment
   * instead of depending on how fast a concurrent writer runs (issue #12).
   */
  readonly afterCheckpointRead?: (moment: {
    readonly checkpoint: bigint;
    readonly round: number;
  }) => Promise<void>;
}

export interface VerifyProgress extends FoldProgress {
  readonly phase: 'folding' | 'scanning' | 'settling';
  readonly scanned: number;
}

export type DifferenceKind = 'only-live' | 'only-rebuilt' | 'different';

export interface EntryDifference {
  readonly key: string;
  readonly kind: DifferenceKind;
  /** For `different`: the fields that differ. */
  readonly fields: readonly FieldDifference[];
  readonly live: JsonObject | null;
  readonly rebuilt: JsonObject | null;
}

export interface VerifyReport {
  readonly projection: string;
  readonly generation: number;
  readonly fingerprint: string;
  /** True when the active generation's definition differs from the loaded one and was recompiled. */
  readonly recompiled: boolean;
  /** The position both sides were compared at (decimal string). */
  readonly checkpoint: string;
  readonly eventsFolded: number;
  /** Events the rebuild holds set aside (parked as poison, or held behind one), as the live view should. */
  readonly eventsSetAside: number;
  /** Operators' replays and discards of parked events that the rebuild redid, as the live view did them. */
  readonly resolutionsRedone: number;
  readonly liveEntries: number;
  readonly rebuiltEntries: number;
  /**
   * Lookup entries compared (projections with lookups; see lookup-diff.ts): their differences are listed
   * with the view's, keyed `lookup:<name>:<key>`.
   */
  readonly lookupEntries?: number;
  readonly counts: { readonly onlyLive: number; readonly onlyRebuilt: number; readonly different: number };
  readonly total: number;
  /** The first `maxDifferences` differences, by key. */
  readonly differences: readonly EntryDifference[];
  /** Settle rounds it took; `paused` when the projection had to be paused to settle. */
  readonly rounds: number;
  /**
   * False only when the live view kept moving through every round, even paused: the differences listed
   * may then include entries that were merely in flight. Re-run it.
   */
  readonly settled: boolean;
  readonly paused: boolean;
  readonly durationMs: number;
}

export async function verifyProjection(
  deps: VerifyDependencies,
  name: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = Date.now();
  const { target, store } = deps;
  const maxDifferences = options.maxDifferences ?? 10;
  const pageSize = options.pageSize ?? 500;
  const rounds = options.rounds ?? 5;

  const record = await target.readProjection(name);
  const active = record?.activeGeneration ?? null;
  if (active === null) throw new ProjectionNotVerifiableError(name, 'it has no active generation yet');
  const generation = (await target.listGenerations(name)).find((g) => g.generation === active);
  if (generation === undefined)
    throw new ProjectionNotVerifiableError(name, `generation ${active} is not registered`);
  let plan = deps.catalogPlan?.fingerprint === generation.fingerprint ? deps.catalogPlan : undefined;
  const recompiled = plan === undefined;
  if (plan === undefined && generation.definition !== null) plan = deps.recompile(generation.definition);
  if (plan === undefined) {
    throw new ProjectionNotVerifiableError(
      name,
      `the definition of its active generation ${active} is not stored or no longer compiles`,
    );
  }
  const lookupPlan = plan.lookups;
  const view: ViewRef = { projection: name, generation: active, shape: generation.shape };
  const fingerprint = generation.fingerprint;
  const segments = segmentCount(plan);

  let phase: VerifyProgress['phase'] = 'folding';
  let scanned = 0;
  const scratch = new ScratchView({
    plan,
    view,
    store,
    validate: (document) => target.validate(view, document),
    transactional: target.capabilities.transactional,
    pageSize: options.foldPageSize ?? 5_000,
    onProgress: (progress) => options.onProgress?.({ ...progress, phase, scanned }),
    spill: {
      ...(options.rebuiltCacheSize !== undefined && { cacheSize: options.rebuiltCacheSize }),
      ...(options.spillDirectory !== undefined && { directory: options.spillDirectory }),
    },
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  try {
    return await compareAndSettle();
  } catch (error) {
    if (options.signal?.aborted === true) {
      throw new VerifyCancelledError(name, scratch.eventsFolded, scanned, phase, options.signal.reason);
    }
    throw error;
  } finally {
    scratch.close();
  }

  async function compareAndSettle(): Promise<VerifyReport> {
    // Segmented (issue #15): every event up to the lowest segment checkpoint is in the view.
    const checkpoint = async () => (await readSegmentedCheckpoint(target, view, segments)) ?? 0n;
    /**
     * The parked events and resolutions now (issue #12). Read after the checkpoint: resolutions made
     * before that read are then all known (see ScratchView.addResolutions). A replay, a discard or a
     * release changes the live view without moving the checkpoint, so a round where this changed did
     * not compare at one still moment either.
     */
    const parking = async () => {
      const [parked, resolutions] = await Promise.all([
        target.listParked(view),
        target.listResolutions(view),
      ]);
      scratch.addResolutions(resolutions);
      return `${resolutions.length}|${parked.map((p) => `${p.position}:${p.status}`).join(',')}`;
    };

    // 1. Fold to the live checkpoint, then scan.
    const start = await checkpoint();
    await parking();
    await scratch.foldTo(start);
    await options.afterCheckpointRead?.({ checkpoint: start, round: 0 });
    phase = 'scanning';
    const rebuiltSide: RebuiltEntries = scratch.spilled ?? rebuiltFromMap(scratch.entries());
    const compared = await compareEntries(
      scanPages(target, view, pageSize),
      rebuiltSide,
      (key, live, rebuilt) => diffEntries(view.shape, key, live, rebuilt).length > 0,
      {
        pageSize,
        ...(options.signal !== undefined && { signal: options.signal }),
        onPage: (count) => {
          scanned = count;
          options.onProgress?.({
            eventsFolded: scratch.eventsFolded,
            position: scratch.position,
            upTo: scratch.position,
            phase,
            scanned,
          });
        },
      },
    );
    const suspects = compared.suspects;
    const liveCount = compared.liveEntries;

    // 2. Settle the suspects at a position both sides agree on.
    phase = 'settling';
    let round = 0;
    let paused = false;
    let resume: (() => Promise<void>) | undefined;
    let live = new Map<string, JsonObject>();
    let settled = suspects.size === 0;
    let lookups: ReturnType<typeof diffLookups> | undefined;
    try {
      for (;;) {
        if (suspects.size === 0) break;
        options.signal?.throwIfAborted();
        round += 1;
        const before = await checkpoint();
        const parkingBefore = await parking();
        await scratch.foldTo(before);
        await options.afterCheckpointRead?.({ checkpoint: before, round });
        const read = await readLive(target, view, [...suspects], pageSize);
        const afterRound = await checkpoint();
        const parkingAfter = await parking();
        live = read.documents;
        for (const key of [...suspects]) {
          if (sameEntry(view, key, live.get(key), scratch.get(key))) suspects.delete(key);
        }
        settled =
          afterRound === before &&
          parkingAfter === parkingBefore &&
          (read.maxPosition === undefined || read.maxPosition <= before);
        if (settled || suspects.size === 0) break;
        if (round >= rounds && resume === undefined && deps.pause !== undefined && record?.paused !== true) {
          resume = await deps.pause();
          paused = true;
        }
        if (round >= rounds * 4) break;
      }
      // Lookups: compared by the positions their entries carry, at the rebuild's position (lookup-diff.ts).
      if (lookupPlan !== undefined && target.scanLookups !== undefined)
        lookups = diffLookups(await target.scanLookups(view), scratch.lookups, scratch.position);
    } finally {
      await resume?.();
    }

    const viewDifferences: EntryDifference[] = [...suspects].sort().map((key) => {
      const liveEntry = live.get(key) ?? null;
      const rebuilt = scratch.get(key) ?? null;
      return {
        key,
        kind: liveEntry === null ? 'only-rebuilt' : rebuilt === null ? 'only-live' : 'different',
        fields:
          liveEntry !== null && rebuilt !== null ? diffEntries(view.shape, key, liveEntry, rebuilt) : [],
        live: liveEntry,
        rebuilt,
      };
    });
    const differences = [...viewDifferences, ...(lookups?.differences ?? [])];
    const count = (kind: DifferenceKind) => differences.filter((d) => d.kind === kind).length;
    return {
      projection: name,
      generation: view.generation,
      fingerprint,
      recompiled,
      checkpoint: scratch.position.toString(),
      eventsFolded: scratch.eventsFolded,
      eventsSetAside: scratch.setAside,
      resolutionsRedone: scratch.resolutionsRedone,
      liveEntries: liveCount,
      rebuiltEntries: scratch.spilled?.count ?? scratch.entries().size,
      ...(lookups !== undefined && { lookupEntries: lookups.compared }),
      counts: {
        onlyLive: count('only-live'),
        onlyRebuilt: count('only-rebuilt'),
        different: count('different'),
      },
      total: differences.length,
      differences: differences.slice(0, maxDifferences),
      rounds: round,
      settled: settled || suspects.size === 0,
      paused,
      durationMs: Date.now() - started,
    };
  }
}

function sameEntry(
  view: ViewRef,
  key: string,
  live: JsonObject | undefined,
  rebuilt: JsonObject | undefined,
): boolean {
  if (live === undefined || rebuilt === undefined) return live === rebuilt;
  return diffEntries(view.shape, key, live, rebuilt).length === 0;
}

/**
 * The live entries for these keys. Views whose plans read state (documents): `load` (one round trip;
 * without transactions it also says the position each document was written at). The others (graphs) have
 * no `load`: their entries are read by key (`readEntries`), else the view is scanned again.
 */
async function readLive(
  target: Target,
  view: ViewRef,
  keys: readonly string[],
  pageSize: number,
): Promise<{ documents: Map<string, JsonObject>; maxPosition: bigint | undefined }> {
  const documents = new Map<string, JsonObject>();
  let maxPosition: bigint | undefined;
  if (!target.capabilities.readsState && target.readEntries !== undefined) {
    // Graphs: only the suspects are read again (issue #17: no whole-graph rescan per round).
    for (let i = 0; i < keys.length; i += pageSize) {
      for (const entry of await target.readEntries(view, keys.slice(i, i + pageSize)))
        documents.set(entry.key, entry.document);
    }
    return { documents, maxPosition };
  }
  if (!target.capabilities.readsState) {
    const wanted = new Set(keys);
    let after: string | undefined;
    for (;;) {
      const page = await target.scan(view, { after, limit: pageSize });
      for (const entry of page) if (wanted.has(entry.key)) documents.set(entry.key, entry.document);
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.key;
    }
    return { documents, maxPosition };
  }
  for (let i = 0; i < keys.length; i += pageSize) {
    const loaded = await target.load(view, keys.slice(i, i + pageSize));
    for (const [key, entry] of loaded) {
      if (entry.position !== undefined && (maxPosition === undefined || entry.position > maxPosition))
        maxPosition = entry.position;
      if (entry.document !== null) documents.set(key, entry.document);
    }
  }
  return { documents, maxPosition };
}

/** The live view, a page at a time, in the store's key order. */
async function* scanPages(
  target: Target,
  view: ViewRef,
  pageSize: number,
): AsyncGenerator<readonly ComparedEntry[]> {
  let after: string | undefined;
  for (;;) {
    const page = await target.scan(view, { after, limit: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.key;
  }
}
