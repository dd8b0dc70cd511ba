/**
 * The `viewStores` option of the Nest module (src/nest): one entry per kind of view store, typed for the
 * stores Prism ships. A store module registered at run time (registry.ts) reads its own entry, under its
 * kind. Like the registry, this is the one file outside the store folders that lists the built-in stores.
 */
import type { ElasticsearchOptions } from './elasticsearch/elasticsearch.connection';
import type { Neo4jOptions } from './neo4j/neo4j.connection';
import type { RelationalOptions } from './relational/relational.connection';

export type { ElasticsearchOptions, Neo4jOptions, RelationalOptions };

export interface ViewStoreOptions {
  /** PostgreSQL (the app's pg Pool, or a URL) or an SQLite file: `{ pool }`, `{ url }` or `{ file }`. */
  readonly relational?: RelationalOptions;
  /** The app's Elasticsearch Client, or a URL: `{ client }` or `{ url }`. */
  readonly elasticsearch?: ElasticsearchOptions;
  /** The app's Neo4j Driver, or a URL: `{ driver }` or `{ url }`. */
  readonly neo4j?: Neo4jOptions;
  /** A store module registered with `registerStoreModule`: the entry its `connection.fromOptions` reads. */
  readonly [kind: string]: unknown;
}
