/**
 * The physical side of Elasticsearch generations (ViewStorage, see ../bookkeeping/bookkeeping.port.ts):
 * each generation is its own index `<prefix><projection>-g<N>` with a strict mapping built from the
 * declared fields and its write alias (elasticsearch-write-aliases.ts); readers search the alias
 * `<prefix><target.index>`, moved with one `_aliases` call.
 */
import type { Client } from '@elastic/elasticsearch';
import type { JsonObject } from '../../core/json';
import type { StoredGeneration, ViewStorage } from '../bookkeeping/bookkeeping.port';
import type { GenerationSpec, ViewRef } from '../target.port';
import { ViewNameClaimedError, ViewNameTakenError } from './elasticsearch.errors';
import type { ElasticsearchLookups } from './elasticsearch-lookups';
import { createIndexIfAbsent } from './elasticsearch-meta';
import type { NoSession } from './elasticsearch-records';
import { elasticsearchShape, indexBody, type IndexNaming } from './elasticsearch-shape';
import { isElasticsearchShape } from './elasticsearch-view-shape';
import { withWriteAlias, type WriteAliases } from './elasticsearch-write-aliases';

export class ElasticsearchStorage implements ViewStorage<NoSession> {
  readonly kind = 'elasticsearch';

  constructor(
    private readonly client: Client,
    private readonly naming: IndexNaming,
    private readonly lookups: ElasticsearchLookups,
    private readonly writeAliases: WriteAliases,
  ) {}

  recorded(spec: GenerationSpec) {
    const shape = elasticsearchShape(spec.projection, spec.shape);
    return { shape: spec.shape, names: [this.naming.alias(shape)] };
  }

  claimedError(spec: GenerationSpec, owner: string, names: readonly string[]): Error {
    return new ViewNameClaimedError(names[0] ?? '', spec.projection, owner);
  }

  async createStorage(spec: GenerationSpec): Promise<void> {
    const shape = elasticsearchShape(spec.projection, spec.shape);
    const index = this.naming.physical(spec.projection, spec.generation);
    await createIndexIfAbsent(this.client, index, withWriteAlias(index, indexBody(shape)));
  }

  async swapReaders(_: NoSession, view: ViewRef, previous: StoredGeneration | undefined): Promise<void> {
    const alias = this.naming.alias(elasticsearchShape(view.projection, view.shape));
    const physical = this.naming.physical(view.projection, view.generation);
    const holders = await aliasHolders(this.client, alias);
    if (holders.length === 0 && (await this.client.indices.exists({ index: alias }))) {
      throw new ViewNameTakenError(alias);
    }
    const actions: JsonObject[] = holders
      .filter((index) => index !== physical)
      .map((index) => ({ remove: { index, alias } }));
    if (previous !== undefined && previous.generation !== view.generation) {
      // A renamed target.index: readers of the old name lose it, as the relational target drops its view.
      const previousAlias = isElasticsearchShape(previous.shape) ? this.naming.alias(previous.shape) : alias;
      if (previousAlias !== alias) {
        actions.push({
          remove: { index: this.naming.physical(view.projection, previous.generation), alias: previousAlias },
        });
      }
    }
    actions.push({ add: { index: physical, alias } });
    // Make everything the generation holds searchable first, so readers switching over never see it half-filled.
    await this.client.indices.refresh({ index: physical });
    // One _aliases call: readers see the old index or the new one, never both or neither.
    await this.client.indices.updateAliases({ actions });
  }

  physicalNames(generation: GenerationSpec): string[] {
    return [this.naming.physical(generation.projection, generation.generation)];
  }

  readNames(active: GenerationSpec | undefined): string[] {
    return active === undefined
      ? []
      : [this.naming.alias(elasticsearchShape(active.projection, active.shape))];
  }

  async removeReaders(_: NoSession, active: readonly GenerationSpec[]): Promise<void> {
    const actions: JsonObject[] = [];
    for (const alias of active.flatMap((g) => this.readNames(g))) {
      for (const index of await aliasHolders(this.client, alias)) actions.push({ remove: { index, alias } });
    }
    if (actions.length > 0) await this.client.indices.updateAliases({ actions });
  }

  readonly dropsInTransaction = false;

  /** The documents' index first, then the lookups' (ElasticsearchLookups.prepareWrites relies on that order). */
  async dropStorage(view: ViewRef): Promise<void> {
    const index = this.naming.physical(view.projection, view.generation);
    await this.client.indices.delete({ index, ignore_unavailable: true });
    this.writeAliases.forget(index);
    await this.lookups.drop(view);
  }
}

/** The indices that hold `alias` (none when nobody does). */
export async function aliasHolders(client: Client, alias: string): Promise<string[]> {
  const response = await client.indices.getAlias({ name: alias }, { ignore: [404] });
  // A 404 body is { error, status } rather than index -> aliases.
  return Object.entries(response)
    .filter(([, value]) => typeof value === 'object' && value !== null && 'aliases' in value)
    .filter(([, value]) => alias in (value as { aliases: Record<string, unknown> }).aliases)
    .map(([index]) => index);
}
