/**
 * A transactional Target in memory for the runner's unit tests: one generation's documents, its checkpoint
 * compare-and-set and its parking records, applied all or nothing per commit. `reject` plays a store that
 * refuses a batch as a whole (a constraint the fold cannot see), `gate` holds a commit in flight, and
 * `commits` records what each commit asked for and how it ended. Registry and generation calls are not
 * needed by the runner's parts and throw.
 */
import type { DocumentKey, ViewDocument } from '../../../src/core/plan';
import type { TargetKind } from '../../../src/core/view-shape';
import type { StoreCapabilities } from '../../../src/stores/store-capabilities';
import type {
  CommitBatch,
  CommitResult,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  Target,
} from '../../../src/stores/target.port';

/** What the test store throws for a batch it refuses; it classifies it as poison. */
export class RejectedByStore extends Error {
  override readonly name = 'RejectedByStore';
}

export class InMemoryTarget implements Target {
  readonly documents = new Map<DocumentKey, ViewDocument>();
  checkpoint = 0n;
  readonly parked = new Map<bigint, ParkedEvent>();
  readonly resolutions: ParkingResolution[] = [];
  readonly commits: { readonly batch: CommitBatch; outcome: 'committed' | 'rejected' | 'mismatch' }[] = [];
  /** A reason to refuse this batch (thrown as RejectedByStore), or undefined. */
  reject: (batch: CommitBatch) => string | undefined = () => undefined;
  /** Awaited before each commit is applied: a test holds commits in flight with it. */
  gate: () => Promise<void> = () => Promise.resolve();

  /** The keys of each load, in order. */
  readonly loads: (readonly DocumentKey[])[] = [];

  constructor(
    readonly kind: TargetKind,
    readonly capabilities: StoreCapabilities = { transactional: true, readsState: true },
  ) {}

  documentsByKey(): Record<string, ViewDocument> {
    return Object.fromEntries([...this.documents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  async readCheckpoint(): Promise<bigint | undefined> {
    return Promise.resolve(this.checkpoint);
  }

  async load(
    _view: unknown,
    keys: readonly DocumentKey[],
  ): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    this.loads.push([...keys]);
    const loaded = new Map<DocumentKey, LoadedDocument>();
    for (const key of keys) {
      const document = this.documents.get(key);
      if (document !== undefined) loaded.set(key, { document: structuredClone(document) });
    }
    return Promise.resolve(loaded);
  }

  validate(): string | undefined {
    return undefined;
  }

  async commit(_view: unknown, batch: CommitBatch): Promise<CommitResult> {
    const entry = { batch, outcome: 'committed' as 'committed' | 'rejected' | 'mismatch' };
    this.commits.push(entry);
    await this.gate();
    if (batch.checkpoint.from !== this.checkpoint) {
      entry.outcome = 'mismatch';
      return { kind: 'checkpoint-mismatch', actual: this.checkpoint };
    }
    const refused = this.reject(batch);
    if (refused !== undefined) {
      entry.outcome = 'rejected';
      throw new RejectedByStore(refused);
    }
    for (const operation of batch.operations) {
      if (operation.kind === 'put') this.documents.set(operation.key, structuredClone(operation.document));
      else if (operation.kind === 'delete') this.documents.delete(operation.key);
    }
    for (const record of batch.park ?? []) this.parked.set(record.position, record);
    for (const position of batch.release ?? []) this.parked.delete(position);
    this.resolutions.push(...(batch.resolve ?? []));
    this.checkpoint = batch.checkpoint.to;
    return { kind: 'committed', checkpoint: this.checkpoint };
  }

  async listParked(): Promise<ParkedEvent[]> {
    return Promise.resolve([...this.parked.values()].sort((a, b) => (a.position < b.position ? -1 : 1)));
  }

  async listResolutions(): Promise<ParkingResolution[]> {
    return Promise.resolve([...this.resolutions]);
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return error instanceof RejectedByStore ? 'poison' : undefined;
  }

  initialize(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  readProjection(): never {
    return unsupported('readProjection');
  }
  listGenerations(): never {
    return unsupported('listGenerations');
  }
  setPaused(): never {
    return unsupported('setPaused');
  }
  prepare(): never {
    return unsupported('prepare');
  }
  activate(): never {
    return unsupported('activate');
  }
  drop(): never {
    return unsupported('drop');
  }
  scan(): never {
    return unsupported('scan');
  }
}

function unsupported(member: string): never {
  throw new Error(`InMemoryTarget (runner unit tests) does not implement ${member}`);
}
