/**
 * The Elasticsearch target: views as indices, without transactions (see src/stores/target.port.ts for
 * what that means for a target).
 *
 * - Each generation is its own index `<prefix><projection>-g<N>` with a strict mapping built from the
 *   declared fields; readers search the alias `<prefix><target.index>`, moved with one `_aliases` call.
 * - Every document write is `version_type: external` with version = the event's position, so Elasticsearch
 *   itself refuses to overwrite a newer position with an older one. A delete writes a tombstone
 *   (`{ _prism_deleted: true }`, same external versioning) instead of removing the document: a real delete
 *   would forget the version, and an older put re-delivered after it would resurrect the document.
 * - The checkpoint is a document in the bookkeeping index, read first (a mismatch writes nothing) and
 *   written last, after the documents and parking records, with if_seq_no/if_primary_term as the
 *   compare-and-set. A crash in between leaves documents ahead of the checkpoint: the runner re-delivers
 *   those events, `load` reports each document's position, and the runner skips what is already stored.
 */
import { elasticsearchStore } from './elasticsearch.store';
import { type Client, errors } from '@elastic/elasticsearch';
import type { JsonObject, JsonValue } from '../../core/json';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import { isElasticsearchShape } from './elasticsearch-view-shape';
import type {
  ActivateResult,
  CommitBatch,
  CommitResult,
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
import {
  META_MAPPINGS,
  metaIds,
  parkedDocument,
  parkedFromDocument,
  resolutionDocument,
  resolutionFromDocument,
  text,
} from './elasticsearch-bookkeeping';
import { bulkWrite, type BulkItem } from './elasticsearch-bulk';
import {
  DocumentRejectedError,
  PositionOutOfRangeError,
  ViewNameClaimedError,
  ViewNameTakenError,
} from './elasticsearch.errors';
import {
  documentProblem,
  elasticsearchShape,
  excludeTombstones,
  indexBody,
  IndexNaming,
  TOMBSTONE_FIELD,
} from './elasticsearch-shape';
import { classifyElasticsearchError } from './elasticsearch-error-classifier';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import { dropWholeProjection, type ProjectionDrop, type ProjectionDropOptions } from '../projection-drop';
import { createElasticsearchClient, type ElasticsearchConnection } from './elasticsearch-connection';
import { compareResolutions } from '../parking-resolution';

export interface ElasticsearchTargetOptions {
  /** Prefix of every index and alias the target creates (bookkeeping included). Default `prism-`. */
  readonly prefix?: string;
  /**
   * Refresh policy of document bulks. Default false: documents become searchable with the index's
   * refresh interval (about 1 s), which keeps bulk throughput high; `load` does not need a refresh
   * (realtime GETs). 'wait_for' gives read-your-writes through search at the cost of throughput.
   */
  readonly refresh?: boolean | 'wait_for';
  /** Attempts for bulk items Elasticsearch rejects as busy (429/5xx). Default 6. */
  readonly bulkAttempts?: number;
}

export interface ElasticsearchTargetConfig extends ElasticsearchTargetOptions, ElasticsearchConnection {}

/** Most documents one search returns; bookkeeping lists (generations, parked events) stay far below it. */
const MAX_RESULT_WINDOW = 10_000;

interface Versioned<T> {
  readonly source: T;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class ElasticsearchTarget implements Target {
  readonly kind = 'elasticsearch';
  readonly capabilities = elasticsearchStore.capabilities;
  readonly naming: IndexNaming;
  private readonly refresh: boolean | 'wait_for';
  /** The checkpoint documents this process wrote last, per generation (see `commit`). */
  private readonly written = new Map<string, { position: bigint; seqNo: number; primaryTerm: number }>();

  constructor(
    readonly client: Client,
    private readonly options: ElasticsearchTargetOptions & { readonly ownsClient?: boolean } = {},
  ) {
    this.naming = new IndexNaming(options.prefix);
    this.refresh = options.refresh ?? false;
  }

  /** Connects to the node at `url` and creates the bookkeeping index. */
  static async connect(config: ElasticsearchTargetConfig): Promise<ElasticsearchTarget> {
    const client = createElasticsearchClient(config);
    const target = new ElasticsearchTarget(client, { ...config, ownsClient: true });
    try {
      await target.initialize();
    } catch (error) {
      await client.close();
      throw error;
    }
    return target;
  }

  async initialize(): Promise<void> {
    await this.createIndex(this.naming.meta, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: META_MAPPINGS,
    });
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(name: string): Promise<ProjectionRecord | undefined> {
    const found = await this.getMeta(metaIds.projection(name));
    if (found === undefined) return undefined;
    const active = found.source.active_generation;
    return {
      name,
      activeGeneration: typeof active === 'number' ? active : null,
      paused: found.source.paused === true,
    };
  }

  async listGenerations(projection: string): Promise<GenerationRecord[]> {
    const hits = await this.searchMeta([{ term: { kind: 'generation' } }, { term: { projection } }]);
    return hits
      .map((source) => {
        const body = source.body as JsonObject;
        return {
          projection,
          generation: Number(source.generation),
          fingerprint: text(body.fingerprint),
          definition: body.definition ?? null,
          shape: body.shape as unknown as TargetShape,
          status: text(source.status) as GenerationStatus,
          createdAt: new Date(text(body.createdAt)),
        };
      })
      .sort((a, b) => a.generation - b.generation);
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.client.update({
      index: this.naming.meta,
      id: metaIds.projection(name),
      doc: { paused, updated_at: new Date().toISOString() },
      upsert: this.projectionDocument(name, null, paused),
      refresh: true,
      retry_on_conflict: 3,
    });
  }

  // Generations ------------------------------------------------------------------------------------

  async prepare(spec: GenerationSpec): Promise<void> {
    const shape = elasticsearchShape(spec.projection, spec.shape);
    const alias = this.naming.alias(shape);
    const physical = this.naming.physical(spec.projection, spec.generation);
    // Each step is create-if-absent, so calling prepare again after a crash completes what is missing.
    await this.claimView(alias, spec.projection);
    await this.createMeta(
      metaIds.projection(spec.projection),
      this.projectionDocument(spec.projection, null, false),
    );
    await this.createMeta(metaIds.generation(spec.projection, spec.generation), {
      kind: 'generation',
      projection: spec.projection,
      generation: spec.generation,
      view_name: alias,
      status: 'building',
      body: {
        fingerprint: spec.fingerprint,
        definition: spec.definition,
        shape: spec.shape as unknown as JsonValue,
        createdAt: new Date().toISOString(),
      },
    });
    await this.createMeta(metaIds.checkpoint(spec.projection, spec.generation), {
      kind: 'checkpoint',
      projection: spec.projection,
      generation: spec.generation,
      position: '0',
    });
    await this.createIndex(physical, indexBody(shape));
  }

  async readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    return (await this.readCheckpointDocument(view))?.position;
  }

  async load(view: ViewRef, keys: readonly DocumentKey[]): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    const loaded = new Map<DocumentKey, LoadedDocument>();
    if (keys.length === 0) return loaded;
    const response = await this.client.mget<JsonObject>({
      index: this.naming.physical(view.projection, view.generation),
      ids: [...new Set(keys)],
      realtime: true,
    });
    for (const doc of response.docs) {
      if (!('found' in doc) || !doc.found || doc._source === undefined || doc._version === undefined)
        continue;
      const source = doc._source;
      loaded.set(doc._id, {
        document: source[TOMBSTONE_FIELD] === true ? null : source,
        position: BigInt(doc._version),
      });
    }
    return loaded;
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(elasticsearchShape(view.projection, view.shape), document);
  }

  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    elasticsearchShape(view.projection, view.shape);
    // Check the checkpoint first, so a stale or competing runner writes nothing at all. The checkpoint
    // this process wrote last saves that round trip: if someone else moved it since, the documents
    // written below are harmless (external versions) and the compare-and-set still reports the mismatch.
    const key = checkpointKey(view);
    const cached = this.written.get(key);
    const checkpoint =
      cached?.position === batch.checkpoint.from ? cached : await this.readCheckpointDocument(view);
    if (checkpoint === undefined || checkpoint.position !== batch.checkpoint.from) {
      this.written.delete(key);
      return { kind: 'checkpoint-mismatch', actual: checkpoint?.position };
    }
    const index = this.naming.physical(view.projection, view.generation);
    const items = lastPerKey(view.projection, batch.operations).map((operation): BulkItem => ({
      key: operation.key,
      index,
      id: operation.key,
      version: externalVersion(operation.position),
      document: operation.kind === 'put' ? operation.document : { [TOMBSTONE_FIELD]: true },
    }));
    if (items.length > 0) {
      const outcome = await bulkWrite(this.client, items, {
        refresh: this.refresh,
        maxAttempts: this.options.bulkAttempts,
      });
      // The other documents are stored (harmlessly re-applicable); the checkpoint stays where it was.
      if (outcome.rejected.length > 0) throw new DocumentRejectedError(view.projection, outcome.rejected);
    }
    await this.writeParking(view, batch);
    this.written.delete(key);
    try {
      const stored = await this.client.index({
        index: this.naming.meta,
        id: metaIds.checkpoint(view.projection, view.generation),
        document: {
          kind: 'checkpoint',
          projection: view.projection,
          generation: view.generation,
          position: batch.checkpoint.to.toString(),
          updated_at: new Date().toISOString(),
        },
        if_seq_no: checkpoint.seqNo,
        if_primary_term: checkpoint.primaryTerm,
      });
      this.written.set(key, {
        position: batch.checkpoint.to,
        seqNo: stored._seq_no ?? -1,
        primaryTerm: stored._primary_term ?? -1,
      });
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      return { kind: 'checkpoint-mismatch', actual: await this.readCheckpoint(view) };
    }
    return { kind: 'committed', checkpoint: batch.checkpoint.to };
  }

  async activate(view: ViewRef, options?: { readonly minCheckpoint?: bigint }): Promise<ActivateResult> {
    const shape = elasticsearchShape(view.projection, view.shape);
    const alias = this.naming.alias(shape);
    const physical = this.naming.physical(view.projection, view.generation);
    // Checkpoints only move forward, so a value read just before the swap is a lower bound during it.
    const checkpoint = await this.readCheckpointDocument(view);
    if (checkpoint === undefined)
      throw new UnknownGenerationError(view.projection, view.generation, 'elasticsearch');
    if (options?.minCheckpoint !== undefined && checkpoint.position < options.minCheckpoint) {
      return { kind: 'behind', checkpoint: checkpoint.position };
    }
    const holders = await this.aliasHolders(alias);
    if (holders.length === 0 && (await this.client.indices.exists({ index: alias }))) {
      throw new ViewNameTakenError(alias);
    }
    const record = await this.readProjection(view.projection);
    const previous = record?.activeGeneration ?? null;
    const actions: JsonObject[] = holders
      .filter((index) => index !== physical)
      .map((index) => ({ remove: { index, alias } }));
    if (previous !== null && previous !== view.generation) {
      // A renamed target.index: readers of the old name lose it, as the relational target drops its view.
      const previousShape = (await this.listGenerations(view.projection)).find(
        (g) => g.generation === previous,
      )?.shape;
      const previousAlias =
        previousShape && isElasticsearchShape(previousShape) ? this.naming.alias(previousShape) : alias;
      if (previousAlias !== alias) {
        actions.push({
          remove: { index: this.naming.physical(view.projection, previous), alias: previousAlias },
        });
      }
    }
    actions.push({ add: { index: physical, alias } });
    // Make everything the generation holds searchable first, so readers switching over never see it half-filled.
    await this.client.indices.refresh({ index: physical });
    // One _aliases call: readers see the old index or the new one, never both or neither.
    await this.client.indices.updateAliases({ actions });

    // The registry's active generation first, statuses after: a crash between these writes must leave a
    // state a restart completes. Retiring the previous generation before the registry moved would make
    // the restart drop it while the registry still calls it active (refused: the projection never starts).
    await this.client.update({
      index: this.naming.meta,
      id: metaIds.projection(view.projection),
      doc: { active_generation: view.generation, updated_at: new Date().toISOString() },
      upsert: this.projectionDocument(view.projection, view.generation, false),
      refresh: true,
      retry_on_conflict: 3,
    });
    // Every other generation still marked active is retired too, not only the registry's previous one
    // (as the Neo4j target does): activating again after a crash that came after the registry update
    // finds previous === generation, and an old generation left 'active' would be run again by the next
    // restart, after its drop had begun.
    const retire = (await this.listGenerations(view.projection))
      .filter((g) => g.generation !== view.generation && g.status === 'active')
      .map((g) => g.generation);
    if (previous !== null && previous !== view.generation && !retire.includes(previous))
      retire.push(previous);
    for (const generation of retire) await this.setGenerationStatus(view.projection, generation, 'retired');
    await this.setGenerationStatus(view.projection, view.generation, 'active');
    return { kind: 'activated', previous: previous !== view.generation ? previous : null };
  }

  async drop(view: ViewRef): Promise<void> {
    const record = await this.readProjection(view.projection);
    if (record?.activeGeneration === view.generation) {
      throw new ActiveGenerationDropError(view.projection, view.generation);
    }
    // Checkpoint first: a runner still writing to this generation then sees a mismatch and stops.
    this.written.delete(checkpointKey(view));
    await this.deleteMeta(metaIds.checkpoint(view.projection, view.generation));
    await this.client.indices.delete({
      index: this.naming.physical(view.projection, view.generation),
      ignore_unavailable: true,
    });
    const parked = await this.listParked(view);
    const resolutions = await this.listResolutions(view);
    if (parked.length + resolutions.length > 0) {
      await this.client.bulk({
        operations: [
          ...parked.map((p) => ({
            delete: { _index: this.naming.meta, _id: metaIds.parked(p.projection, p.generation, p.position) },
          })),
          ...resolutions.map((r) => ({
            delete: {
              _index: this.naming.meta,
              _id: metaIds.resolution(view.projection, view.generation, r.position),
            },
          })),
        ],
        refresh: true,
      });
    }
    await this.deleteMeta(metaIds.generation(view.projection, view.generation));
  }

  async scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const shape = elasticsearchShape(view.projection, view.shape);
    const index = this.naming.physical(view.projection, view.generation);
    // Bulks do not refresh by default: make what is stored searchable before the first page.
    if (options.after === undefined) await this.client.indices.refresh({ index, ignore_unavailable: true });
    const idType = shape.fields[shape.id]?.type;
    if (idType === 'text') {
      throw new Error(
        `The view of "${view.projection}" cannot be listed in key order: its id field "${shape.id}" is a text field, ` +
          'which Elasticsearch cannot sort on; declare it as type: keyword.',
      );
    }
    const numericId = idType === 'integer' || idType === 'long' || idType === 'double';
    const response = await this.client.search<JsonObject>(
      {
        index,
        size: Math.min(options.limit, MAX_RESULT_WINDOW),
        query: { bool: { must_not: [excludeTombstones()] } },
        // search_after on the declared id field (its value is the document's _id): no scroll context to
        // keep open, and each page continues exactly after the previous page's last key.
        sort: [{ [shape.id]: 'asc' }],
        ...(options.after === undefined
          ? {}
          : { search_after: [numericId ? Number(options.after) : options.after] }),
      },
      { ignore: [404] },
    );
    return (response.hits?.hits ?? []).flatMap((hit) =>
      hit._source === undefined ? [] : [{ key: hit._id ?? '', document: hit._source }],
    );
  }

  // Parking ----------------------------------------------------------------------------------------

  async listParked(view: ViewRef): Promise<ParkedEvent[]> {
    const hits = await this.searchMeta([
      { term: { kind: 'parked' } },
      { term: { projection: view.projection } },
      { term: { generation: view.generation } },
    ]);
    return hits
      .map(parkedFromDocument)
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  }

  async listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    const hits = await this.searchMeta([
      { term: { kind: 'resolution' } },
      { term: { projection: view.projection } },
      { term: { generation: view.generation } },
    ]);
    return hits.map(resolutionFromDocument).sort(compareResolutions);
  }

  // Reading (for the query layer and tests) --------------------------------------------------------

  /** The alias readers search for this shape. */
  aliasOf(shape: TargetShape): string {
    return this.naming.alias(elasticsearchShape(shape.kind, shape));
  }

  /** Makes everything written so far searchable through the alias (tests and read-your-writes). */
  async refreshView(shape: TargetShape): Promise<void> {
    await this.client.indices.refresh({ index: this.aliasOf(shape), ignore_unavailable: true });
  }

  /** Every live document readers see through the alias, ordered by id (at most 10,000). */
  async readActive(shape: TargetShape): Promise<ViewDocument[]> {
    const declared = elasticsearchShape(shape.kind, shape);
    const alias = this.aliasOf(declared);
    if ((await this.aliasHolders(alias)).length === 0) return [];
    await this.refreshView(declared);
    const response = await this.client.search<JsonObject>({
      index: alias,
      size: MAX_RESULT_WINDOW,
      query: { bool: { must_not: [excludeTombstones()] } },
      sort: [{ [declared.id]: 'asc' }],
    });
    return response.hits.hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
  }

  // Retiring a projection (see ../projection-drop.ts) ----------------------------------------------

  async listProjections(): Promise<ProjectionRecord[]> {
    const hits = await this.searchMeta([{ term: { kind: 'projection' } }]);
    return hits
      .map((source) => ({
        name: text(source.projection),
        activeGeneration: typeof source.active_generation === 'number' ? source.active_generation : null,
        paused: source.paused === true,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop> {
    const alias = (g: GenerationRecord) => this.naming.alias(elasticsearchShape(projection, g.shape));
    return dropWholeProjection(this, projection, options, {
      physicalNames: (g) => [this.naming.physical(projection, g.generation)],
      readNames: (active) => (active === undefined ? [] : [alias(active)]),
      // Readers lose the alias, the registry no longer names an active generation, and none is `active`.
      deactivate: async (name, generations) => {
        const active = generations.filter((g) => g.status === 'active');
        const actions = (
          await Promise.all(
            active.map(async (g) =>
              (await this.aliasHolders(alias(g))).map((index) => ({ index, alias: alias(g) })),
            ),
          )
        )
          .flat()
          .map((remove) => ({ remove }));
        if (actions.length > 0) await this.client.indices.updateAliases({ actions });
        await this.client.update(
          {
            index: this.naming.meta,
            id: metaIds.projection(name),
            doc: { active_generation: null, updated_at: new Date().toISOString() },
            refresh: true,
            retry_on_conflict: 3,
          },
          { ignore: [404] },
        );
        for (const g of active) await this.setGenerationStatus(name, g.generation, 'retired');
      },
      // The alias claims (kept by `drop`, which removes one generation) go with the registry entry.
      forget: async (name) => {
        const claims = await this.searchMeta([{ term: { kind: 'view' } }, { term: { projection: name } }]);
        for (const claim of claims) await this.deleteMeta(metaIds.view(text(claim.view_name)));
        await this.deleteMeta(metaIds.projection(name));
      },
    });
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return classifyElasticsearchError(error);
  }

  async close(): Promise<void> {
    if (this.options.ownsClient === true) await this.client.close();
  }

  // Internals --------------------------------------------------------------------------------------

  private projectionDocument(name: string, active: number | null, paused: boolean): JsonObject {
    return {
      kind: 'projection',
      projection: name,
      active_generation: active,
      paused,
      updated_at: new Date().toISOString(),
    };
  }

  private async claimView(alias: string, projection: string): Promise<void> {
    const id = metaIds.view(alias);
    if (await this.createMeta(id, { kind: 'view', projection, view_name: alias })) return;
    const owner = (await this.getMeta(id))?.source.projection;
    if (owner !== undefined && owner !== projection)
      throw new ViewNameClaimedError(alias, projection, text(owner));
  }

  private async readCheckpointDocument(
    view: ViewRef,
  ): Promise<(Versioned<JsonObject> & { position: bigint }) | undefined> {
    const found = await this.getMeta(metaIds.checkpoint(view.projection, view.generation));
    return found === undefined ? undefined : { ...found, position: BigInt(text(found.source.position)) };
  }

  private async setGenerationStatus(
    projection: string,
    generation: number,
    status: GenerationStatus,
  ): Promise<void> {
    try {
      await this.client.update({
        index: this.naming.meta,
        id: metaIds.generation(projection, generation),
        doc: { status },
        refresh: true,
        retry_on_conflict: 3,
      });
    } catch (error) {
      // A generation dropped meanwhile has no status to keep.
      if (!isStatus(error, 404)) throw error;
    }
  }

  private async writeParking(view: ViewRef, batch: CommitBatch): Promise<void> {
    const operations: JsonObject[] = [];
    for (const parked of batch.park ?? []) {
      operations.push({
        index: {
          _index: this.naming.meta,
          _id: metaIds.parked(view.projection, view.generation, parked.position),
        },
      });
      operations.push(
        parkedDocument({ ...parked, projection: view.projection, generation: view.generation }),
      );
    }
    for (const position of batch.release ?? []) {
      operations.push({
        delete: { _index: this.naming.meta, _id: metaIds.parked(view.projection, view.generation, position) },
      });
    }
    for (const resolution of batch.resolve ?? []) {
      operations.push({
        index: {
          _index: this.naming.meta,
          _id: metaIds.resolution(view.projection, view.generation, resolution.position),
        },
      });
      operations.push(resolutionDocument(view, resolution));
    }
    if (operations.length === 0) return;
    // Parking is rare; refresh so listParked (a search) sees it at once.
    const response = await this.client.bulk({ operations, refresh: true });
    const failed = response.items
      .map((item) => item.index ?? item.delete)
      .filter((result) => result !== undefined && result.status >= 300 && result.status !== 404);
    if (failed.length > 0) {
      throw new Error(
        `Recording parked events of "${view.projection}" failed: ${failed.map((f) => f?.error?.reason ?? f?.status).join('; ')}; ` +
          'the batch will be retried from the stored checkpoint.',
      );
    }
  }

  private async aliasHolders(alias: string): Promise<string[]> {
    const response = await this.client.indices.getAlias({ name: alias }, { ignore: [404] });
    // A 404 body is { error, status } rather than index -> aliases.
    return Object.entries(response)
      .filter(([, value]) => typeof value === 'object' && value !== null && 'aliases' in value)
      .filter(([, value]) => alias in (value as { aliases: Record<string, unknown> }).aliases)
      .map(([index]) => index);
  }

  private async createIndex(
    index: string,
    body: { settings: JsonObject; mappings: JsonObject },
  ): Promise<void> {
    try {
      await this.client.indices.create({
        index,
        settings: body.settings,
        mappings: body.mappings,
        wait_for_active_shards: 1,
      });
    } catch (error) {
      const type =
        error instanceof errors.ResponseError
          ? (error.body as { error?: { type?: string } } | undefined)?.error?.type
          : undefined;
      if (type !== 'resource_already_exists_exception') throw error;
    }
  }

  /** Creates a bookkeeping document unless it exists; true when this call created it. */
  private async createMeta(id: string, document: JsonObject): Promise<boolean> {
    try {
      await this.client.index({ index: this.naming.meta, id, document, op_type: 'create', refresh: true });
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  private async getMeta(id: string): Promise<Versioned<JsonObject> | undefined> {
    const response = await this.client.get<JsonObject>({ index: this.naming.meta, id }, { ignore: [404] });
    if (!response.found || response._source === undefined) return undefined;
    return {
      source: response._source,
      seqNo: response._seq_no ?? 0,
      primaryTerm: response._primary_term ?? 0,
    };
  }

  private async deleteMeta(id: string): Promise<void> {
    await this.client.delete({ index: this.naming.meta, id, refresh: true }, { ignore: [404] });
  }

  private async searchMeta(filter: JsonObject[]): Promise<JsonObject[]> {
    const response = await this.client.search<JsonObject>({
      index: this.naming.meta,
      size: MAX_RESULT_WINDOW,
      query: { bool: { filter } },
    });
    return response.hits.hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
  }
}

/** The last document operation per key wins (documents carry the whole new document). */
function lastPerKey(
  projection: string,
  operations: readonly ViewOperation[],
): Extract<ViewOperation, { kind: 'put' | 'delete' }>[] {
  const last = new Map<string, Extract<ViewOperation, { kind: 'put' | 'delete' }>>();
  for (const operation of operations) {
    if (operation.kind !== 'put' && operation.kind !== 'delete') {
      throw new Error(
        `Projection "${projection}" produced a ${operation.kind} operation, which an Elasticsearch view cannot store; ` +
          'graph operations need a neo4j target.',
      );
    }
    last.delete(operation.key);
    last.set(operation.key, operation);
  }
  return [...last.values()];
}

function checkpointKey(view: ViewRef): string {
  return `${view.projection}|${view.generation}`;
}

function externalVersion(position: bigint): number {
  if (position < 0n || position > BigInt(Number.MAX_SAFE_INTEGER))
    throw new PositionOutOfRangeError(position);
  return Number(position);
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof errors.ResponseError && error.statusCode === status;
}
