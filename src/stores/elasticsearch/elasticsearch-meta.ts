/**
 * The bookkeeping index (`<prefix>meta`, see elasticsearch-bookkeeping.ts) as the records, the schema
 * version and the target use it: realtime GETs by id, create-if-absent writes (`op_type: create`), and
 * searches for the lists. Writes refresh, so a search right after sees them.
 */
import { type Client, errors } from '@elastic/elasticsearch';
import type { GetResponse } from '@elastic/elasticsearch/lib/api/types';
import type { JsonObject } from '../../core/json';

/** Most documents one search returns; bookkeeping lists (generations, parked events) stay far below it. */
export const MAX_RESULT_WINDOW = 10_000;

export interface Versioned<T> {
  readonly source: T;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class MetaIndex {
  constructor(
    readonly client: Client,
    readonly name: string,
  ) {}

  /** Creates a bookkeeping document unless it exists; true when this call created it. */
  async create(id: string, document: JsonObject): Promise<boolean> {
    try {
      await this.client.index({ index: this.name, id, document, op_type: 'create', refresh: true });
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<Versioned<JsonObject> | undefined> {
    const response = await this.getting(id);
    if (!response.found || response._source === undefined) return undefined;
    return {
      source: response._source,
      seqNo: response._seq_no ?? 0,
      primaryTerm: response._primary_term ?? 0,
    };
  }

  /**
   * A realtime GET; on a bookkeeping index another initializer created a moment ago, waits until its shard
   * answers (a few attempts: a shard can report started just before it serves reads).
   */
  private async getting(id: string, attempt = 1): Promise<GetResponse<JsonObject>> {
    try {
      return await this.client.get<JsonObject>({ index: this.name, id }, { ignore: [404] });
    } catch (error) {
      if (!isUnavailableShard(error) || attempt >= 5) throw error;
      await untilUsable(this.client, this.name);
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      return this.getting(id, attempt + 1);
    }
  }

  /** Updates the given fields; with `upsert`, creates the document when missing. */
  async update(id: string, doc: JsonObject, upsert?: JsonObject): Promise<void> {
    await this.client.update({
      index: this.name,
      id,
      doc,
      ...(upsert === undefined ? {} : { upsert }),
      refresh: true,
      retry_on_conflict: 3,
    });
  }

  async delete(id: string): Promise<void> {
    await this.client.delete({ index: this.name, id, refresh: true }, { ignore: [404] });
  }

  async search(filter: JsonObject[]): Promise<JsonObject[]> {
    const response = await this.client.search<JsonObject>({
      index: this.name,
      size: MAX_RESULT_WINDOW,
      query: { bool: { filter } },
    });
    return response.hits.hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
  }
}

/** Creates an index unless it exists (racing creators are fine). */
export async function createIndexIfAbsent(
  client: Client,
  index: string,
  body: { settings: JsonObject; mappings: JsonObject; aliases?: JsonObject },
): Promise<void> {
  try {
    await client.indices.create({
      index,
      settings: body.settings,
      mappings: body.mappings,
      ...(body.aliases !== undefined && { aliases: body.aliases }),
      wait_for_active_shards: 1,
    });
  } catch (error) {
    const type =
      error instanceof errors.ResponseError
        ? (error.body as { error?: { type?: string } } | undefined)?.error?.type
        : undefined;
    if (type !== 'resource_already_exists_exception') throw error;
    // Another process created it a moment ago: its shard may still be starting.
    await untilUsable(client, index);
  }
}

/** Waits until an index's primary shard answers (a freshly created index's may still be recovering). */
export async function untilUsable(client: Client, index: string): Promise<void> {
  await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '30s' });
}

/** An index that exists but cannot answer yet (its shard is still starting). */
export function isUnavailableShard(error: unknown): boolean {
  return (
    error instanceof errors.ResponseError &&
    /no_shard_available_action_exception|unavailable_shards_exception/.test(JSON.stringify(error.body ?? ''))
  );
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof errors.ResponseError && error.statusCode === status;
}
