/**
 * Lookups (correlation state, src/core/lookups.ts) of Elasticsearch generations, as safe as the view
 * itself: one index per generation, `<prefix><projection>-g<N>-lookups`, one document per entry, written
 * in the same `_bulk` as the batch's documents with the same external versions (version = the position of
 * the event that wrote it). A re-delivered write of an entry is refused as a version conflict (harmless,
 * see elasticsearch-bulk.ts), so an entry never moves backwards, and `load` reads them realtime. The index
 * is created, with its write alias (elasticsearch-write-aliases.ts), before the first bulk with entries,
 * and deleted with the generation.
 */
import type { Client } from '@elastic/elasticsearch';
import type { JsonObject, JsonValue } from '../../core/json';
import type { LookupEntryRef, LookupWrite, StoredLookupEntry, StoredLookups } from '../../core/lookups';
import type { ViewRef } from '../target.port';
import type { BulkItem } from './elasticsearch-bulk';
import { createIndexIfAbsent } from './elasticsearch-meta';
import type { IndexNaming } from './elasticsearch-shape';
import {
  GenerationIndexGoneError,
  withWriteAlias,
  writeAliasOf,
  type WriteAliases,
} from './elasticsearch-write-aliases';

const PAGE = 1_000;

/** Only `lookup` and `key` are indexed; the value is kept, as JSON text, in _source. */
const LOOKUP_INDEX = {
  settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
  mappings: {
    dynamic: 'strict',
    properties: {
      lookup: { type: 'keyword' },
      key: { type: 'keyword' },
      value: { type: 'keyword', index: false, doc_values: false },
    },
  },
} as const;

export class ElasticsearchLookups {
  /** Lookup indices this process created or saw. */
  private readonly known = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly naming: IndexNaming,
    private readonly writeAliases: WriteAliases,
  ) {}

  index(view: Pick<ViewRef, 'projection' | 'generation'>): string {
    return `${this.naming.physical(view.projection, view.generation)}-lookups`;
  }

  /** The bulk items of these writes (the index is created first if missing). */
  async items(
    view: ViewRef,
    writes: readonly LookupWrite[],
    version: (position: bigint) => number,
  ): Promise<BulkItem[]> {
    if (writes.length === 0) return [];
    const index = this.index(view);
    // Ready once its write alias is known: prepareWrites ensures the alias last.
    if (!this.writeAliases.has(index)) await this.prepareWrites(view, index);
    const alias = writeAliasOf(index);
    return writes.map((write) => ({
      key: `lookup ${write.lookup}[${JSON.stringify(write.key)}]`,
      index: alias,
      id: entryId(write.lookup, write.key),
      version: version(write.position),
      document: { lookup: write.lookup, key: write.key, value: JSON.stringify(write.value) },
    }));
  }

  async load(view: ViewRef, refs: readonly LookupEntryRef[]): Promise<StoredLookups> {
    const loaded = new Map<string, Map<string, StoredLookupEntry>>();
    if (refs.length === 0 || !(await this.exists(view))) return loaded;
    const ids = [...new Set(refs.map(({ lookup, key }) => entryId(lookup, key)))];
    const response = await this.client.mget<JsonObject>({ index: this.index(view), ids, realtime: true });
    for (const doc of response.docs) {
      if (!('found' in doc) || !doc.found || doc._source === undefined || doc._version === undefined)
        continue;
      add(loaded, doc._source, BigInt(doc._version));
    }
    return loaded;
  }

  async scan(view: ViewRef): Promise<StoredLookups> {
    const loaded = new Map<string, Map<string, StoredLookupEntry>>();
    if (!(await this.exists(view))) return loaded;
    const index = this.index(view);
    await this.client.indices.refresh({ index });
    let after: (string | number)[] | undefined;
    for (;;) {
      const response = await this.client.search<JsonObject>({
        index,
        size: PAGE,
        version: true,
        sort: [{ lookup: 'asc' }, { key: 'asc' }],
        ...(after === undefined ? {} : { search_after: after }),
      });
      const hits = response.hits.hits;
      for (const hit of hits)
        if (hit._source !== undefined && hit._version !== undefined)
          add(loaded, hit._source, BigInt(hit._version));
      if (hits.length < PAGE) return loaded;
      after = hits[hits.length - 1]!.sort as (string | number)[];
    }
  }

  async drop(view: ViewRef): Promise<void> {
    const index = this.index(view);
    await this.client.indices.delete({ index, ignore_unavailable: true });
    this.forget(index);
  }

  /**
   * Creates the lookups index with its write alias unless it exists, then checks that the generation's
   * own index still exists. A drop deletes the documents' index before this one
   * (ElasticsearchStorage.dropStorage): a drop seen here has begun, so the index just created is removed
   * again; a drop that comes after this check deletes it itself. Last, the write alias is ensured (an
   * index made before write aliases gets it), which marks the index ready for this process.
   */
  private async prepareWrites(view: ViewRef, index: string): Promise<void> {
    await createIndexIfAbsent(this.client, index, withWriteAlias(index, LOOKUP_INDEX));
    const documents = this.naming.physical(view.projection, view.generation);
    if (!(await this.client.indices.exists({ index: documents }))) {
      await this.client.indices.delete({ index, ignore_unavailable: true });
      this.forget(index);
      throw new GenerationIndexGoneError(documents);
    }
    await this.writeAliases.ensure(index);
    this.known.add(index);
  }

  private forget(index: string): void {
    this.known.delete(index);
    this.writeAliases.forget(index);
  }

  private async exists(view: ViewRef): Promise<boolean> {
    const index = this.index(view);
    if (this.known.has(index)) return true;
    const exists = await this.client.indices.exists({ index });
    if (exists) this.known.add(index);
    return exists;
  }
}

/** The document id of an entry (ids are at most 512 bytes: keys longer than about 500 are refused). */
function entryId(lookup: string, key: string): string {
  return JSON.stringify([lookup, key]);
}

function add(
  loaded: Map<string, Map<string, StoredLookupEntry>>,
  source: JsonObject,
  position: bigint,
): void {
  const { lookup, key, value } = source as { lookup: string; key: string; value: string };
  if (!loaded.has(lookup)) loaded.set(lookup, new Map());
  loaded.get(lookup)!.set(key, {
    value: JSON.parse(value) as JsonValue,
    position,
  });
}
