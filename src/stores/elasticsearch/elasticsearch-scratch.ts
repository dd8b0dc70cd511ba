/**
 * `prism test --stores` on Elasticsearch (../store-scratch.ts): a target whose every index and alias starts
 * with `prism-test-<namespace>-`, so a test view never meets a running app's aliases; documents are
 * searchable as soon as they are committed (`refresh: wait_for`); named queries run through the search
 * API's own service; `drop` removes a view, closing deletes every index of the namespace, the bookkeeping index included.
 */
import type { Client } from '@elastic/elasticsearch';
import type { ScratchStore, StoreScratch } from '../store-scratch';
import { createElasticsearchClient, type ElasticsearchConnection } from './elasticsearch-connection';
import type { ElasticsearchSettings } from './elasticsearch.connection';
import { elasticsearchShape } from './elasticsearch-shape';
import { ElasticsearchTarget } from './elasticsearch.target';
import { SearchService } from './query/search.service';

export const elasticsearchScratch: StoreScratch<ElasticsearchSettings> = {
  async open(settings, namespace) {
    const given = 'client' in settings ? settings.client : undefined;
    const client: Client = given ?? createElasticsearchClient(settings as ElasticsearchConnection);
    const prefix = `prism-test-${namespace}-`;
    const target = new ElasticsearchTarget(client, { prefix, refresh: 'wait_for' });
    try {
      await target.initialize();
    } catch (error) {
      if (given === undefined) await client.close();
      throw error;
    }
    const scratch: ScratchStore = {
      target,
      async query(projection, view, query, parameters) {
        const shape = elasticsearchShape(projection.name, projection.target);
        const service = new SearchService(client, {
          get: (name) =>
            name === view
              ? { alias: target.naming.alias(shape), shape, queries: projection.queries }
              : undefined,
        });
        const result = await service.template(view, query, parameters);
        return {
          ids: result.hits.map((hit) => hit.id),
          total: result.total,
          ...(result.facets !== undefined && { facets: result.facets }),
        };
      },
      async drop() {
        // Every index of the namespace by its exact name: wildcard deletes are refused by default
        // (action.destructive_requires_name).
        const indices = Object.keys(
          await client.indices.get({ index: `${prefix}*`, expand_wildcards: 'all' }),
        );
        if (indices.length > 0) await client.indices.delete({ index: indices });
      },
      close: () => (given === undefined ? client.close() : Promise.resolve()),
    };
    return scratch;
  },
};
