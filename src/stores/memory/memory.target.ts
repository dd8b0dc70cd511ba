/**
 * The memory target: a Target whose registry, generations, checkpoints, parking records and views live in
 * this process (memory.view.ts holds each generation's documents or graph). It runs the target contract
 * like every store, so tests can run the runtime without a server, and it is what `verify` rebuilds into.
 *
 * It holds views of any declared shape and checks them the way the declaring store would (memory-shapes.ts):
 * a relational view keeps its unique indexes (unique-indexes.ts) and refuses a batch that breaks one, a
 * graph view refuses operations outside its shape. `commit` is atomic: it runs to its end without
 * yielding, and undoes its writes when an operation is refused, so a batch is stored whole or not at all.
 * Fences (issue #15) are decided as in every store, by ../bookkeeping/bookkeeping.ts.
 * Nothing survives the process; `readActive` is what readers of a document view would see.
 */
import {
  supersedes,
  type LookupEntryRef,
  type StoredLookupEntry,
  type StoredLookups,
} from '../../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetKind, TargetShape } from '../../core/view-shape';
import { admitCommit, fenceAfter, isFenced } from '../bookkeeping/bookkeeping';
import type { CheckpointClaim } from '../bookkeeping/bookkeeping.port';
import { compareResolutions } from '../parking-resolution';
import type { StoreCapabilities } from '../store-capabilities';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import type {
  ActivateOptions,
  ActivateResult,
  CommitBatch,
  CommitResult,
  Generation,
  GenerationRecord,
  GenerationSpec,
  GenerationStatus,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ScannedDocument,
  ScanOptions,
  Target,
  ViewRef,
} from '../target.port';
import { MemoryUniqueViolationError, MemoryViewClaimedError } from './memory.errors';
import { checkOperations, claimedViewName, documentProblem, isGraphShape } from './memory-shapes';
import { scanDocuments, scanGraph } from './memory-scan';
import { MemoryDocumentView, MemoryGraphView } from './memory.view';
import { UniqueIndexedDocuments } from './unique-indexes';

interface StoredGeneration {
  readonly spec: GenerationSpec;
  readonly createdAt: Date;
  status: GenerationStatus;
  checkpoint: bigint;
  /** The lease epoch of the last writer that carried one (0 until then). */
  fence: bigint;
  readonly view: DocumentGeneration | MemoryGraphView;
  /** Parked and held events by position. */
  readonly parked: Map<bigint, ParkedEvent>;
  readonly resolutions: ParkingResolution[];
  /** Lookup entries (correlation state), by lookup then key: dropped with the generation. */
  readonly lookups: Map<string, Map<string, StoredLookupEntry>>;
}

interface DocumentGeneration {
  readonly kind: 'document';
  readonly view: MemoryDocumentView;
  /** The view's table, with its unique indexes (the same map the view holds). */
  readonly table: UniqueIndexedDocuments;
}

/**
 * Atomic commits; plans read state (a graph view loads nothing, as graph plans need nothing). The memory
 * store module (memory.store.ts) states these.
 */
export const MEMORY_CAPABILITIES = {
  transactional: true,
  readsState: true,
  keepsLookups: true,
  findsKeys: true,
} as const satisfies StoreCapabilities;

export class MemoryTarget implements Target {
  readonly capabilities = MEMORY_CAPABILITIES;
  private readonly projections = new Map<string, { activeGeneration: Generation | null; paused: boolean }>();
  /** Generations per projection, by number. */
  private readonly generations = new Map<string, Map<Generation, StoredGeneration>>();
  /** Document view names (table, index) -> the projection that uses it. */
  private readonly claims = new Map<string, string>();

  /**
   * `kind`: Target.kind is still the closed TargetKind the runtime reports (src/core/view-shape.ts); until
   * it names store modules, a memory target reports the kind of the store whose views it stands in for.
   */
  constructor(readonly kind: TargetKind = 'postgres') {}

  initialize(): Promise<void> {
    return Promise.resolve();
  }

  // Registry ---------------------------------------------------------------------------------------

  readProjection(name: string): Promise<ProjectionRecord | undefined> {
    const entry = this.projections.get(name);
    return Promise.resolve(entry === undefined ? undefined : { name, ...entry });
  }

  listGenerations(projection: string): Promise<GenerationRecord[]> {
    const generations = [...(this.generations.get(projection)?.values() ?? [])];
    return Promise.resolve(
      generations
        .sort((a, b) => a.spec.generation - b.spec.generation)
        .map((g) => ({ ...g.spec, status: g.status, createdAt: g.createdAt })),
    );
  }

  listProjections(): Promise<ProjectionRecord[]> {
    return Promise.resolve([...this.projections].map(([name, entry]) => ({ name, ...entry })));
  }

  setPaused(name: string, paused: boolean): Promise<void> {
    this.projection(name).paused = paused;
    return Promise.resolve();
  }

  // Generations ------------------------------------------------------------------------------------

  prepare(spec: GenerationSpec): Promise<void> {
    const name = claimedViewName(spec.shape);
    const owner = name === undefined ? undefined : this.claims.get(name);
    if (name !== undefined && owner !== undefined && owner !== spec.projection)
      return Promise.reject(new MemoryViewClaimedError(spec.projection, owner, name));
    if (name !== undefined) this.claims.set(name, spec.projection);
    this.projection(spec.projection);
    let generations = this.generations.get(spec.projection);
    if (generations === undefined) {
      generations = new Map<Generation, StoredGeneration>();
      this.generations.set(spec.projection, generations);
    }
    if (!generations.has(spec.generation)) {
      generations.set(spec.generation, {
        spec,
        createdAt: new Date(),
        status: 'building',
        checkpoint: 0n,
        fence: 0n,
        view: newView(spec.shape, spec.projection),
        parked: new Map(),
        resolutions: [],
        lookups: new Map(),
      });
    }
    return Promise.resolve();
  }

  readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return Promise.resolve(this.generation(view)?.checkpoint);
  }

  /** Documents of a document view; a graph view has none (graph plans read no state). */
  load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    const stored = this.generation(view)?.view;
    const loaded = new Map<DocumentKey, LoadedDocument>();
    if (stored?.kind === 'document') {
      for (const [key, document] of stored.view.state(keys)) loaded.set(key, { document });
    }
    return Promise.resolve(loaded);
  }

  findKeys(
    view: ViewRef,
    field: string,
    values: readonly (string | number)[],
    limit: number,
  ): Promise<DocumentKey[][]> {
    const stored = this.generation(view)?.view;
    return Promise.resolve(
      stored?.kind === 'document' ? stored.view.findKeys(field, values, limit) : values.map(() => []),
    );
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(view.projection, view.shape, document);
  }

  /** Runs to its end without yielding, so no other call sees half of it. */
  commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    try {
      return Promise.resolve(this.commitNow(view, batch));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private commitNow(view: ViewRef, batch: CommitBatch): CommitResult {
    // Checked before anything is written, whatever the checkpoint: a bad operation is poison.
    checkOperations(view.projection, view.shape, batch.operations);
    const stored = this.generation(view);
    if (stored === undefined) return { kind: 'checkpoint-mismatch', actual: undefined };
    const claim: CheckpointClaim =
      stored.checkpoint === batch.checkpoint.from
        ? { kind: 'claimed', fence: stored.fence }
        : { kind: 'moved', actual: stored.checkpoint, fence: stored.fence };
    const admitted = admitCommit(claim, batch);
    if (admitted.kind !== 'claimed') return admitted;
    apply(view.projection, stored, batch.operations);
    for (const parked of batch.park ?? []) stored.parked.set(parked.position, parked);
    for (const position of batch.release ?? []) stored.parked.delete(position);
    stored.resolutions.push(...(batch.resolve ?? []));
    for (const write of batch.lookups ?? []) {
      let entries = stored.lookups.get(write.lookup);
      if (entries === undefined)
        stored.lookups.set(write.lookup, (entries = new Map<string, StoredLookupEntry>()));
      if (supersedes(write, entries.get(write.key)))
        entries.set(write.key, { value: write.value, position: write.position });
    }
    stored.checkpoint = batch.checkpoint.to;
    stored.fence = fenceAfter(stored.fence, batch);
    return { kind: 'committed', checkpoint: batch.checkpoint.to };
  }

  loadLookups(view: ViewRef, entries: readonly LookupEntryRef[]): Promise<StoredLookups> {
    const stored = this.generation(view)?.lookups;
    const loaded = new Map<string, Map<string, StoredLookupEntry>>();
    for (const { lookup, key } of entries) {
      const entry = stored?.get(lookup)?.get(key);
      if (entry === undefined) continue;
      if (!loaded.has(lookup)) loaded.set(lookup, new Map());
      loaded.get(lookup)!.set(key, entry);
    }
    return Promise.resolve(loaded);
  }

  scanLookups(view: ViewRef): Promise<StoredLookups> {
    const stored = this.generation(view)?.lookups ?? new Map<string, Map<string, StoredLookupEntry>>();
    return Promise.resolve(new Map([...stored].map(([lookup, entries]) => [lookup, new Map(entries)])));
  }

  activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult> {
    const stored = this.generation(view);
    if (stored === undefined)
      return Promise.reject(new UnknownGenerationError(view.projection, view.generation, this.kind));
    if (isFenced(stored.fence, options?.fence))
      return Promise.resolve({ kind: 'fenced', fence: stored.fence });
    if (options?.minCheckpoint !== undefined && stored.checkpoint < options.minCheckpoint)
      return Promise.resolve({ kind: 'behind', checkpoint: stored.checkpoint });
    const entry = this.projection(view.projection);
    const previous = entry.activeGeneration === view.generation ? null : entry.activeGeneration;
    entry.activeGeneration = view.generation;
    for (const generation of this.generations.get(view.projection)!.values()) {
      if (generation === stored) generation.status = 'active';
      else if (generation.status === 'active') generation.status = 'retired';
    }
    return Promise.resolve({ kind: 'activated', previous });
  }

  drop(view: ViewRef): Promise<void> {
    const stored = this.generation(view);
    const active = this.projections.get(view.projection)?.activeGeneration;
    if (stored?.status === 'active' || active === view.generation)
      return Promise.reject(new ActiveGenerationDropError(view.projection, view.generation));
    this.generations.get(view.projection)?.delete(view.generation);
    return Promise.resolve();
  }

  scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const stored = this.generation(view)?.view;
    if (stored === undefined) return Promise.resolve([]);
    return Promise.resolve(
      stored.kind === 'document' ? scanDocuments(stored.view, options) : scanGraph(stored, options),
    );
  }

  // Parking ----------------------------------------------------------------------------------------

  listParked(view: ViewRef): Promise<ParkedEvent[]> {
    const parked = [...(this.generation(view)?.parked.values() ?? [])];
    return Promise.resolve(parked.sort((a, b) => (a.position < b.position ? -1 : 1)));
  }

  listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    return Promise.resolve([...(this.generation(view)?.resolutions ?? [])].sort(compareResolutions));
  }

  /** Its own refusals fail again for the same data; it has no connection to lose. */
  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return error instanceof MemoryUniqueViolationError ? 'poison' : undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  // Reading back (tests) ---------------------------------------------------------------------------

  /** What readers of a document view see: the active generation's documents, by key. */
  readActive(shape: TargetShape): Promise<ViewDocument[]> {
    const name = claimedViewName(shape);
    const projection = name === undefined ? undefined : this.claims.get(name);
    const active = projection === undefined ? null : this.projections.get(projection)?.activeGeneration;
    const stored = active == null ? undefined : this.generations.get(projection!)?.get(active)?.view;
    const documents =
      stored?.kind === 'document' ? stored.view.entries().map(([, document]) => document) : [];
    return Promise.resolve(documents);
  }

  // Internals --------------------------------------------------------------------------------------

  private projection(name: string): { activeGeneration: Generation | null; paused: boolean } {
    let entry = this.projections.get(name);
    if (entry === undefined) this.projections.set(name, (entry = { activeGeneration: null, paused: false }));
    return entry;
  }

  private generation(view: ViewRef): StoredGeneration | undefined {
    return this.generations.get(view.projection)?.get(view.generation);
  }
}

function newView(shape: TargetShape, projection: string): DocumentGeneration | MemoryGraphView {
  if (isGraphShape(shape)) return new MemoryGraphView(shape, projection);
  const table = UniqueIndexedDocuments.forShape(shape);
  return { kind: 'document', view: new MemoryDocumentView(table), table };
}

/**
 * Applies the operations in order; a put that breaks a unique index undoes the ones before it and throws.
 * Graph operations fail only as a whole: an updateNodes over its cap (FanOutCapError, poison) applies none.
 */
function apply(projection: string, stored: StoredGeneration, operations: readonly ViewOperation[]): void {
  if (stored.view.kind === 'graph') {
    stored.view.apply(operations);
    return;
  }
  const { view, table } = stored.view;
  const undo: [DocumentKey, ViewDocument | undefined][] = [];
  for (const operation of operations) {
    if (operation.kind !== 'put' && operation.kind !== 'delete') continue;
    const violation = operation.kind === 'put' ? table.violation(operation.document) : undefined;
    if (violation !== undefined) {
      for (const [key, previous] of undo.reverse()) {
        if (previous === undefined) table.delete(key);
        else table.set(key, previous);
      }
      throw new MemoryUniqueViolationError(projection, violation);
    }
    undo.push([operation.key, table.get(operation.key)]);
    view.apply([operation]);
  }
}
