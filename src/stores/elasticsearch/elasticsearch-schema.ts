/**
 * The schema version of the Elasticsearch bookkeeping and its migrations (see ../bookkeeping/README.md).
 *
 *   schema|bookkeeping   in the bookkeeping index: { kind: 'schema', body: { version } }
 *
 * Elasticsearch has no lock to take: every migration is create-if-absent, and the version document only
 * moves up (a compare-and-set on its seq_no), so concurrent initializers end at the same version.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Migration, SchemaVersionStore } from '../bookkeeping/schema-migrations';
import { META_MAPPINGS } from './elasticsearch-bookkeeping';
import { createIndexIfAbsent, isStatus, untilUsable, type MetaIndex } from './elasticsearch-meta';

const VERSION_ID = 'schema|bookkeeping';

/** The migrations of the Elasticsearch bookkeeping, oldest first (version 1: the layout of Prism 0.1). */
export function elasticsearchMigrations(client: Client, meta: MetaIndex): Migration[] {
  return [
    {
      version: 1,
      description:
        'the bookkeeping index with its strict mapping (as Prism wrote it before versions were recorded)',
      up: () =>
        createIndexIfAbsent(client, meta.name, {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: META_MAPPINGS,
        }),
    },
    {
      version: 2,
      description:
        "the checkpoint fence (issue #15): a field of the checkpoint document's unmapped body, absent (0) on existing ones",
      // Nothing to change in place. Recording the version still matters: an older Prism would rewrite
      // checkpoint documents without the fence (back to 0) and let a writer that lost its lease commit.
      up: () => Promise.resolve(),
    },
  ];
}

export class ElasticsearchSchemaVersion implements SchemaVersionStore {
  constructor(private readonly meta: MetaIndex) {}

  get description(): string {
    return `the Elasticsearch bookkeeping index "${this.meta.name}"`;
  }

  async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    // No lock, but a bookkeeping index another initializer is creating right now must answer first.
    if (await this.meta.client.indices.exists({ index: this.meta.name }))
      await untilUsable(this.meta.client, this.meta.name);
    return work();
  }

  async readVersion(): Promise<number | undefined> {
    return versionOf((await this.meta.get(VERSION_ID))?.source.body);
  }

  async writeVersion(version: number): Promise<void> {
    const document = { kind: 'schema', updated_at: new Date().toISOString(), body: { version } };
    for (;;) {
      const found = await this.meta.get(VERSION_ID);
      if ((versionOf(found?.source.body) ?? 0) >= version) return;
      try {
        await this.meta.client.index({
          index: this.meta.name,
          id: VERSION_ID,
          document,
          refresh: true,
          ...(found === undefined
            ? { op_type: 'create' as const }
            : { if_seq_no: found.seqNo, if_primary_term: found.primaryTerm }),
        });
        return;
      } catch (error) {
        // Another initializer wrote it meanwhile: read it again.
        if (!isStatus(error, 409)) throw error;
      }
    }
  }
}

function versionOf(body: unknown): number | undefined {
  const version = (body as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' ? version : undefined;
}
