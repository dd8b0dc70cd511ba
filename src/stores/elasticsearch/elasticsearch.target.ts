/**
 * The Elasticsearch target: views as indices, without transactions (see src/stores/target.port.ts for
 * what that means for a target).
 *
 * - Each generation is its own index `<prefix><projection>-g<N>` with a strict mapping built from the
 *   declared fields; readers search the alias `<prefix><target.index>`, moved with one `_aliases` call.
 *   Writes go through the index's write alias, so a late write never re-creates a dropped generation
 *   (elasticsearch-write-aliases.ts).
 * - Every document write is `version_type: external` with version = the event's position, so Elasticsearch
 *   itself refuses to overwrite a newer position with an older one. A delete writes a tombstone
 *   (`{ _prism_deleted: true }`, same external versioning) instead of removing the document: a real delete
 *   would forget the version, and an older put re-delivered after it would resurrect the document.
 * - The checkpoint is a document in the bookkeeping index, read first (a mismatch writes nothing) and
 *   written last, after the documents and parking records, with if_seq_no/if_primary_term as the
 *   compare-and-set. A crash in between leaves documents ahead of the checkpoint: the runner re-delivers
 *   those events, `load` reports each document's position, and the runner skips what is already stored.
 * - Generations and the alias: elasticsearch-storage.ts; Prism's own records: elasticsearch-records.ts,
 *   with the logic shared by every store in ../bookkeeping/.
 */
import { elasticsearchStore } from './elasticsearch.store';
import type { Client } from '@elastic/elasticsearch';
import type { JsonObject } from '../../core/json';
import type { LookupEntryRef, StoredLookups } from '../../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import type {
  CommitBatch,
  CommitResult,
  LoadedDocument,
  ScannedDocument,
  ScanOptions,
  ViewRef,
} from '../target.port';
import { Bookkeeping } from '../bookkeeping/bookkeeping';
import { BookkeepingTarget } from '../bookkeeping/bookkeeping-target';
import { bulkWrite, type BulkItem } from './elasticsearch-bulk';
import { DocumentRejectedError, PositionOutOfRangeError } from './elasticsearch.errors';
import {
  documentProblem,
  elasticsearchShape,
  excludeTombstones,
  IndexNaming,
  TOMBSTONE_FIELD,
} from './elasticsearch-shape';
import { classifyElasticsearchError } from './elasticsearch-error-classifier';
import { createElasticsearchClient, type ElasticsearchConnection } from './elasticsearch-connection';
import { MAX_RESULT_WINDOW, MetaIndex } from './elasticsearch-meta';
import { ElasticsearchRecords, type NoSession } from './elasticsearch-records';
import { elasticsearchMigrations, ElasticsearchSchemaVersion } from './elasticsearch-schema';
import { ElasticsearchLookups } from './elasticsearch-lookups';
import { aliasHolders, ElasticsearchStorage } from './elasticsearch-storage';
import {
  GenerationIndexGoneError,
  isMissingWriteAlias,
  writeAliasOf,
  WriteAliases,
} from './elasticsearch-write-aliases';

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

export class ElasticsearchTarget extends BookkeepingTarget<NoSession> {
  readonly kind = 'elasticsearch';
  readonly capabilities = elasticsearchStore.capabilities;
  readonly naming: IndexNaming;
  readonly bookkeeping: Bookkeeping<NoSession>;
  private readonly refresh: boolean | 'wait_for';
  private readonly lookups: ElasticsearchLookups;
  private readonly writeAliases: WriteAliases;

  constructor(
    readonly client: Client,
    private readonly options: ElasticsearchTargetOptions & { readonly ownsClient?: boolean } = {},
  ) {
    super();
    this.naming = new IndexNaming(options.prefix);
    this.refresh = options.refresh ?? false;
    const meta = new MetaIndex(client, this.naming.meta);
    this.writeAliases = new WriteAliases(client);
    this.lookups = new ElasticsearchLookups(client, this.naming, this.writeAliases);
    this.bookkeeping = new Bookkeeping(
      new ElasticsearchRecords(meta),
      new ElasticsearchStorage(client, this.naming, this.lookups, this.writeAliases),
      {
        store: new ElasticsearchSchemaVersion(meta),
        migrations: elasticsearchMigrations(client, meta),
      },
    );
  }

  /** Connects to the node at `url` and creates or upgrades the bookkeeping index. */
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

  /**
   * Fan-out updates (issue #16): the ids of the documents whose keyword `field` holds each value, by a
   * term query (no script, no update_by_query: the runner rewrites the documents it finds in its own
   * `_bulk`, with external versions like every write). Bulks do not refresh by default, so the index is
   * refreshed first: every write acknowledged before is found (only batches with a fan-out pay it).
   */
  async findKeys(
    view: ViewRef,
    field: string,
    values: readonly (string | number)[],
    limit: number,
  ): Promise<DocumentKey[][]> {
    const shape = elasticsearchShape(view.projection, view.shape);
    const index = this.naming.physical(view.projection, view.generation);
    await this.client.indices.refresh({ index, ignore_unavailable: true });
    const sortable = shape.fields[shape.id]?.type !== 'text';
    const found: DocumentKey[][] = [];
    for (const value of values) {
      const response = await this.client.search<JsonObject>(
        {
          index,
          size: Math.min(limit, MAX_RESULT_WINDOW),
          _source: false,
          query: { bool: { filter: [{ term: { [field]: value } }], must_not: [excludeTombstones()] } },
          ...(sortable && { sort: [{ [shape.id]: 'asc' as const }] }),
        },
        { ignore: [404] },
      );
      found.push((response.hits?.hits ?? []).map((hit) => hit._id ?? ''));
    }
    return found;
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    return documentProblem(elasticsearchShape(view.projection, view.shape), document);
  }

  /**
   * A generation dropped under this commit (its index and write alias gone) is answered as a checkpoint
   * that no longer exists, like a drop the claim sees: the runner stops instead of re-creating the index.
   */
  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    try {
      return await this.commitToWriteAliases(view, batch);
    } catch (error) {
      if (error instanceof GenerationIndexGoneError)
        return { kind: 'checkpoint-mismatch', actual: undefined };
      throw error;
    }
  }

  private async commitToWriteAliases(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    elasticsearchShape(view.projection, view.shape);
    const index = this.naming.physical(view.projection, view.generation);
    await this.writeAliases.ensure(index);
    const alias = writeAliasOf(index);
    const items = lastPerKey(view.projection, batch.operations).map((operation): BulkItem => ({
      key: operation.key,
      index: alias,
      id: operation.key,
      version: externalVersion(operation.position),
      document: operation.kind === 'put' ? operation.document : { [TOMBSTONE_FIELD]: true },
    }));
    // lookup entries go in the same bulk, with the same external versions (elasticsearch-lookups.ts)
    items.push(...(await this.lookups.items(view, batch.lookups ?? [], externalVersion)));
    return this.bookkeeping.commit(view, batch, async () => {
      if (items.length === 0) return;
      const outcome = await bulkWrite(this.client, items, {
        refresh: this.refresh,
        maxAttempts: this.options.bulkAttempts,
      });
      if (outcome.rejected.some(isMissingWriteAlias)) throw new GenerationIndexGoneError(index);
      // The other documents are stored (harmlessly re-applicable); the checkpoint stays where it was.
      if (outcome.rejected.length > 0) throw new DocumentRejectedError(view.projection, outcome.rejected);
    });
  }

  loadLookups(view: ViewRef, entries: readonly LookupEntryRef[]): Promise<StoredLookups> {
    return this.lookups.load(view, entries);
  }

  scanLookups(view: ViewRef): Promise<StoredLookups> {
    return this.lookups.scan(view);
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
    if ((await aliasHolders(this.client, alias)).length === 0) return [];
    await this.refreshView(declared);
    const response = await this.client.search<JsonObject>({
      index: alias,
      size: MAX_RESULT_WINDOW,
      query: { bool: { must_not: [excludeTombstones()] } },
      sort: [{ [declared.id]: 'asc' }],
    });
    return response.hits.hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return classifyElasticsearchError(error);
  }

  async close(): Promise<void> {
    if (this.options.ownsClient === true) await this.client.close();
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

function externalVersion(position: bigint): number {
  if (position < 0n || position > BigInt(Number.MAX_SAFE_INTEGER))
    throw new PositionOutOfRangeError(position);
  return Number(position);
}
