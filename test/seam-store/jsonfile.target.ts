/**
 * The jsonfile Target (src/stores/target.port.ts): each generation is one JSON file holding its documents,
 * its checkpoint, its parked events and its resolutions, so a commit replaces one file and applies all of
 * a batch or none of it (`transactional`). The registry (projections, generations, collection claims) is
 * one more file; the active generation is what readers see, so `activate` is one registry write.
 */
import { fenceAfter, isFenced } from '../../src/stores/bookkeeping/bookkeeping';
import { compareResolutions } from '../../src/stores/parking-resolution';
import type { DocumentKey, ViewDocument } from '../../src/core/plan';
import type { StoreCapabilities } from '../../src/stores/store-capabilities';
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
  ScanOptions,
  ScannedDocument,
  Target,
  ViewRef,
} from '../../src/stores/target.port';
import type { JsonFileClient } from './jsonfile-client';
import {
  documentProblem,
  isJsonFileShape,
  JSONFILE_KIND,
  type JsonFileTargetShape,
} from './jsonfile-view-shape';

const REGISTRY = 'registry.json';

interface Registry {
  readonly projections: Record<string, { activeGeneration: number | null; paused: boolean }>;
  readonly generations: Record<string, GenerationRecord[]>;
  /** Which projection owns each collection name. */
  readonly collections: Record<string, string>;
}

export interface GenerationFile {
  readonly checkpoint: bigint;
  /** The lease epoch of the last fenced writer (issue #15); absent in files written before: 0. */
  readonly fence?: bigint;
  readonly documents: Record<DocumentKey, ViewDocument>;
  readonly parked: ParkedEvent[];
  readonly resolutions: ParkingResolution[];
}

export const generationFile = (projection: string, generation: number) => `${projection}/g${generation}.json`;

export class JsonFileTarget implements Target {
  readonly kind = JSONFILE_KIND;
  readonly capabilities: StoreCapabilities = { transactional: true, readsState: true };

  constructor(private readonly client: JsonFileClient) {}

  async initialize(): Promise<void> {
    await this.client.ensureDirectory();
    await this.client.exclusive(async () => {
      if ((await this.client.read(REGISTRY)) === undefined)
        await this.client.write(REGISTRY, { projections: {}, generations: {}, collections: {} });
    });
  }

  async readProjection(name: string): Promise<ProjectionRecord | undefined> {
    const entry = (await this.registry()).projections[name];
    return entry && { name, ...entry };
  }

  async listProjections(): Promise<ProjectionRecord[]> {
    return Object.entries((await this.registry()).projections).map(([name, entry]) => ({ name, ...entry }));
  }

  async listGenerations(projection: string): Promise<GenerationRecord[]> {
    return [...((await this.registry()).generations[projection] ?? [])].sort(
      (a, b) => a.generation - b.generation,
    );
  }

  setPaused(name: string, paused: boolean): Promise<void> {
    return this.updateRegistry((registry) => {
      const entry = (registry.projections[name] ??= { activeGeneration: null, paused: false });
      entry.paused = paused;
    });
  }

  async prepare(spec: GenerationSpec): Promise<void> {
    const shape = shapeOf(spec);
    await this.updateRegistry((registry) => {
      const owner = registry.collections[shape.collection];
      if (owner !== undefined && owner !== spec.projection)
        throw new Error(
          `Collection "${shape.collection}" belongs to projection "${owner}", not "${spec.projection}".`,
        );
      registry.collections[shape.collection] = spec.projection;
      registry.projections[spec.projection] ??= { activeGeneration: null, paused: false };
      const generations = (registry.generations[spec.projection] ??= []);
      if (!generations.some((g) => g.generation === spec.generation))
        generations.push({ ...spec, status: 'building', createdAt: new Date() });
    });
    await this.client.exclusive(async () => {
      const file = generationFile(spec.projection, spec.generation);
      if ((await this.client.read(file)) === undefined)
        await this.client.write(file, { checkpoint: 0n, documents: {}, parked: [], resolutions: [] });
    });
  }

  async readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return (await this.generation(view))?.checkpoint;
  }

  async load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    const documents = (await this.generation(view))?.documents ?? {};
    const loaded = new Map<DocumentKey, LoadedDocument>();
    for (const key of keys) if (key in documents) loaded.set(key, { document: documents[key]! });
    return loaded;
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(shapeOf(view), document);
  }

  commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    return this.client.exclusive(async () => {
      const file = generationFile(view.projection, view.generation);
      const current = await this.client.read<GenerationFile>(file);
      // The fence first: a writer that lost its lease must learn that, whatever its checkpoint.
      const fence = current?.fence ?? 0n;
      if (current !== undefined && isFenced(fence, batch.fence)) return { kind: 'fenced', fence };
      if (current?.checkpoint !== batch.checkpoint.from)
        return { kind: 'checkpoint-mismatch', actual: current?.checkpoint };
      const documents = { ...current.documents };
      for (const operation of batch.operations) {
        if (operation.kind === 'put') documents[operation.key] = operation.document;
        else if (operation.kind === 'delete') delete documents[operation.key];
        else throw new Error(`A jsonfile view cannot apply "${operation.kind}" operations.`);
      }
      const released = new Set([...(batch.release ?? []), ...(batch.park ?? []).map((p) => p.position)]);
      const parked = [...current.parked.filter((p) => !released.has(p.position)), ...(batch.park ?? [])];
      parked.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
      const resolutions = [...current.resolutions, ...(batch.resolve ?? [])].sort(compareResolutions);
      await this.client.write(file, {
        checkpoint: batch.checkpoint.to,
        fence: fenceAfter(fence, batch),
        documents,
        parked,
        resolutions,
      });
      return { kind: 'committed', checkpoint: batch.checkpoint.to };
    });
  }

  async activate(view: ViewRef, options: ActivateOptions = {}): Promise<ActivateResult> {
    let result: ActivateResult = { kind: 'activated', previous: null };
    await this.updateRegistry(async (registry) => {
      const stored = await this.client.read<GenerationFile>(generationFile(view.projection, view.generation));
      const checkpoint = stored?.checkpoint;
      if (checkpoint === undefined)
        throw new Error(`Generation ${view.generation} of ${view.projection} was never prepared.`);
      const fence = stored?.fence ?? 0n;
      if (isFenced(fence, options.fence)) {
        result = { kind: 'fenced', fence };
        return false;
      }
      if (options.minCheckpoint !== undefined && checkpoint < options.minCheckpoint) {
        result = { kind: 'behind', checkpoint };
        return false;
      }
      const entry = (registry.projections[view.projection] ??= { activeGeneration: null, paused: false });
      const previous = entry.activeGeneration;
      entry.activeGeneration = view.generation;
      registry.generations[view.projection] = (registry.generations[view.projection] ?? []).map((g) =>
        g.generation === view.generation
          ? { ...g, status: 'active' }
          : g.generation === previous
            ? { ...g, status: 'retired' }
            : g,
      );
      result = { kind: 'activated', previous: previous === view.generation ? null : previous };
      return true;
    });
    return result;
  }

  async drop(view: ViewRef): Promise<void> {
    await this.updateRegistry((registry) => {
      if (registry.projections[view.projection]?.activeGeneration === view.generation)
        throw new Error(
          `Generation ${view.generation} of ${view.projection} is active; activate another first.`,
        );
      const generations = registry.generations[view.projection];
      if (generations)
        registry.generations[view.projection] = generations.filter((g) => g.generation !== view.generation);
    });
    await this.client.exclusive(() => this.client.remove(generationFile(view.projection, view.generation)));
  }

  async scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const documents = (await this.generation(view))?.documents ?? {};
    return Object.keys(documents)
      .sort(compareKeys)
      .filter((key) => options.after === undefined || compareKeys(key, options.after) > 0)
      .slice(0, options.limit)
      .map((key) => ({ key, document: documents[key]! }));
  }

  async listParked(view: ViewRef): Promise<ParkedEvent[]> {
    return (await this.generation(view))?.parked ?? [];
  }

  async listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    return (await this.generation(view))?.resolutions ?? [];
  }

  /** File system errors of a busy or full disk are worth retrying; nothing this store refuses is poison. */
  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return code === 'EBUSY' || code === 'EAGAIN' || code === 'ENOSPC' || code === 'EMFILE'
      ? 'transient'
      : undefined;
  }

  /** The borrowed client is closed by its store connection, not here. */
  async close(): Promise<void> {}

  /** The documents readers see under a collection name (the active generation's), or undefined if none is active. */
  async readActive(collection: string): Promise<Record<DocumentKey, ViewDocument> | undefined> {
    const registry = await this.registry();
    const projection = registry.collections[collection];
    const active =
      projection === undefined ? null : (registry.projections[projection]?.activeGeneration ?? null);
    if (projection === undefined || active === null) return undefined;
    return (await this.client.read<GenerationFile>(generationFile(projection, active)))?.documents;
  }

  private generation(view: ViewRef): Promise<GenerationFile | undefined> {
    return this.client.read<GenerationFile>(generationFile(view.projection, view.generation));
  }

  private async registry(): Promise<Registry> {
    return (
      (await this.client.read<Registry>(REGISTRY)) ?? { projections: {}, generations: {}, collections: {} }
    );
  }

  /** Changes the registry under the client's lock; `change` returning false writes nothing. */
  private updateRegistry(change: (registry: Registry) => unknown): Promise<void> {
    return this.client.exclusive(async () => {
      const registry = await this.registry();
      if ((await change(registry)) !== false) await this.client.write(REGISTRY, registry);
    });
  }
}

function shapeOf(view: ViewRef): JsonFileTargetShape {
  if (!isJsonFileShape(view.shape)) throw new Error(`A jsonfile target got a "${view.shape.kind}" view.`);
  return view.shape;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
