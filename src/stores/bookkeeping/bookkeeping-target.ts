/**
 * The part of every Target that is bookkeeping, written once: a store's target extends this class, hands
 * it a `Bookkeeping` over its records and storage, and writes only what is its own (load, validate,
 * commit's view writes, scan, error classification, close).
 *
 * The registry, generation and parking members stay on the Target port (the runtime calls them there);
 * here they are one-line forwards to `bookkeeping`, which code that is not the runtime may use directly.
 */
import type { TargetKind } from '../../core/view-shape';
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type { StoreCapabilities } from '../store-capabilities';
import type {
  ActivateOptions,
  ActivateResult,
  CommitBatch,
  CommitResult,
  GenerationRecord,
  GenerationSpec,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ScannedDocument,
  ScanOptions,
  Target,
  ViewRef,
} from '../target.port';
import type { ProjectionDrop, ProjectionDropOptions } from '../projection-drop';
import type { Bookkeeping } from './bookkeeping';

export abstract class BookkeepingTarget<S> implements Target {
  abstract readonly kind: TargetKind;
  abstract readonly capabilities: StoreCapabilities;
  abstract readonly bookkeeping: Bookkeeping<S>;

  abstract load(
    view: ViewRef,
    keys: readonly DocumentKey[],
  ): Promise<ReadonlyMap<DocumentKey, LoadedDocument>>;
  abstract validate(view: ViewRef, document: ViewDocument): string | undefined;
  abstract commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult>;
  abstract scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]>;
  abstract classifyError(error: unknown): 'transient' | 'poison' | undefined;
  abstract close(): Promise<void>;

  /** Creates or upgrades the store's bookkeeping (schema version and migrations, see ./README.md). */
  initialize(): Promise<void> {
    return this.bookkeeping.initialize();
  }

  readProjection(name: string): Promise<ProjectionRecord | undefined> {
    return this.bookkeeping.readProjection(name);
  }
  listGenerations(projection: string): Promise<GenerationRecord[]> {
    return this.bookkeeping.listGenerations(projection);
  }
  setPaused(name: string, paused: boolean): Promise<void> {
    return this.bookkeeping.setPaused(name, paused);
  }
  prepare(spec: GenerationSpec): Promise<void> {
    return this.bookkeeping.prepare(spec);
  }
  readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return this.bookkeeping.readCheckpoint(view);
  }
  activate(view: ViewRef, options?: ActivateOptions): Promise<ActivateResult> {
    return this.bookkeeping.activate(view, options);
  }
  drop(view: ViewRef): Promise<void> {
    return this.bookkeeping.drop(view);
  }
  listParked(view: ViewRef): Promise<ParkedEvent[]> {
    return this.bookkeeping.listParked(view);
  }
  listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    return this.bookkeeping.listResolutions(view);
  }
  listProjections(): Promise<ProjectionRecord[]> {
    return this.bookkeeping.listProjections();
  }
  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop> {
    return this.bookkeeping.dropProjection(projection, options);
  }
}
