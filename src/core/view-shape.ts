/**
 * The declared shape of a projection's target view: what the DSL validates and every target builds from.
 * These interfaces are the contract between src/dsl (which produces them from YAML or the TS builder)
 * and src/stores (which create tables, indices and constraints from them).
 */

export type PostgresColumnType =
  'text' | 'integer' | 'bigint' | 'double' | 'numeric' | 'boolean' | 'timestamptz' | 'jsonb' | 'uuid';

export interface PostgresColumn {
  readonly type: PostgresColumnType;
  /** Columns are NOT NULL unless declared nullable; the key column never is. */
  readonly nullable: boolean;
}

export interface PostgresIndex {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export interface PostgresTargetShape {
  readonly kind: 'postgres';
  /** Logical table name; the physical table is versioned per generation (see the runtime's rebuilds). */
  readonly table: string;
  /** Name of the primary-key column (one of `columns`). */
  readonly key: string;
  readonly columns: Readonly<Record<string, PostgresColumn>>;
  readonly indexes: readonly PostgresIndex[];
}

export type ElasticsearchFieldType = 'keyword' | 'text' | 'integer' | 'long' | 'double' | 'boolean' | 'date';

export interface ElasticsearchField {
  readonly type: ElasticsearchFieldType;
  /** Offered as a facet (terms aggregation) by the search API. */
  readonly facet: boolean;
  /** Accepted as a structured filter by the search API. */
  readonly filter: boolean;
  /** Index and search analyzers of a text field (Elasticsearch's built-in names). */
  readonly analyzer?: string;
  readonly searchAnalyzer?: string;
}

/** Index settings of each generation; `replicas: 'auto'` expands 0-1 with the cluster's nodes. */
export interface ElasticsearchIndexSettings {
  readonly shards: number;
  readonly replicas: number | 'auto';
  readonly refreshInterval?: string;
}

export interface ElasticsearchTargetShape {
  readonly kind: 'elasticsearch';
  /** Logical index name: the alias readers use; physical indices are versioned behind it. */
  readonly index: string;
  /** Document field whose value is the document `_id`. */
  readonly id: string;
  readonly fields: Readonly<Record<string, ElasticsearchField>>;
  /** Absent in shapes recorded before index settings existed: read as the defaults. */
  readonly settings?: ElasticsearchIndexSettings;
}

export type GraphPropertyType = 'string' | 'integer' | 'float' | 'boolean' | 'datetime';

export interface GraphNodeShape {
  /** Property that identifies a node of this label (a uniqueness constraint is created on it). */
  readonly key: string;
  readonly properties: Readonly<Record<string, GraphPropertyType>>;
}

export interface GraphRelationshipShape {
  readonly from: string;
  readonly to: string;
  readonly properties: Readonly<Record<string, GraphPropertyType>>;
}

export interface Neo4jTargetShape {
  readonly kind: 'neo4j';
  /** Node labels as declared; the target namespaces them per generation. */
  readonly nodes: Readonly<Record<string, GraphNodeShape>>;
  /** Relationship types as declared. */
  readonly relationships: Readonly<Record<string, GraphRelationshipShape>>;
}

export type TargetShape = PostgresTargetShape | ElasticsearchTargetShape | Neo4jTargetShape;
export type TargetKind = TargetShape['kind'];
