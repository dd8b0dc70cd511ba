/** Where one upgrade run writes: its own namespace in each store, shared by the old and the new Prism. */
export interface UpgradeNames {
  /** Schema of the PostgreSQL event log. */
  readonly log: string;
  /** Schema of the PostgreSQL views and bookkeeping. */
  readonly pgSchema: string;
  /** Index prefix of the Elasticsearch views and bookkeeping. */
  readonly esPrefix: string;
  /** Bookkeeping label prefix of the Neo4j views. */
  readonly neo4jPrefix: string;
  /** Projection name of the graph fixture (its labels carry it). */
  readonly graph: string;
}

export function upgradeNames(namespace: string): UpgradeNames {
  return {
    log: `${namespace}_log`,
    pgSchema: namespace,
    esPrefix: `${namespace}-`,
    neo4jPrefix: `Upg${namespace.replace(/[^A-Za-z0-9]/g, '')}`,
    graph: `order_graph_${namespace}`,
  };
}
