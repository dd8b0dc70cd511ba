/**
 * Write aliases: every index a generation writes (its documents, `<prefix><projection>-g<N>`, and its
 * lookups, `…-g<N>-lookups`) has an alias of its own, `<index>-write`, and document bulks go to that alias
 * with `require_alias`. Elasticsearch creates a missing index on the first write to its name; it never
 * creates an alias. So a runner that writes after its generation was dropped (a late batch of a stopped
 * runner, or of a node that has not seen the swap yet) gets a 404 for those items instead of re-creating
 * the index with a dynamic mapping, where nothing would ever delete it again.
 *
 * The names cannot meet another index or alias: physical indices end in digits, lookup indices in
 * `-lookups`, and readers' aliases in a snake_case `target.index` (no hyphen).
 *
 * Indices created before write aliases existed get theirs at a process's first commit to them (`ensure`).
 * Adding an alias to a missing index is a 404 too, so that check cannot re-create anything either.
 */
import type { Client } from '@elastic/elasticsearch';
import type { JsonObject } from '../../core/json';
import { isStatus } from './elasticsearch-meta';

export function writeAliasOf(index: string): string {
  return `${index}-write`;
}

/** An index body that creates the index with its write alias, in the same request. */
export function withWriteAlias<B extends object>(index: string, body: B): B & { aliases: JsonObject } {
  return { ...body, aliases: { [writeAliasOf(index)]: {} } };
}

/**
 * The generation's index is gone (its write alias went with it): the generation was dropped. Thrown on
 * the write path; the target answers the commit as a checkpoint that no longer exists.
 */
export class GenerationIndexGoneError extends Error {
  override readonly name = 'GenerationIndexGoneError';
  constructor(readonly index: string) {
    super(`The index "${index}" no longer exists: its generation was dropped.`);
  }
}

/** The bulk item error of a write to an alias that does not exist (`require_alias`). */
export function isMissingWriteAlias(item: { readonly status: number; readonly type: string }): boolean {
  return item.status === 404 && item.type === 'index_not_found_exception';
}

/** The write aliases this process knows exist, so each costs one request per index and process. */
export class WriteAliases {
  private readonly ready = new Set<string>();

  constructor(private readonly client: Client) {}

  /** Adds the index's write alias (idempotent); throws GenerationIndexGoneError when the index is missing. */
  async ensure(index: string): Promise<void> {
    if (this.ready.has(index)) return;
    try {
      await this.client.indices.putAlias({ index, name: writeAliasOf(index) });
    } catch (error) {
      if (isStatus(error, 404)) throw new GenerationIndexGoneError(index);
      throw error;
    }
    this.ready.add(index);
  }

  /** Whether this process ensured the index's write alias (and has not seen the index deleted since). */
  has(index: string): boolean {
    return this.ready.has(index);
  }

  /** The index was deleted: a later index of the same name is checked again. */
  forget(index: string): void {
    this.ready.delete(index);
  }
}
