/**
 * What the crash tests run per target kind: the fixture plan, how a run's namespace isolates it, and how
 * the target is opened. Shared by the runner process (kill-runner.ts), the harness that reads and cleans
 * up views (kill-harness.ts) and the tests, so all three agree on every name.
 *
 * A run's `namespace` (lowercase, [a-z0-9_]) is, per target:
 *   postgres       the target schema (postgres-lookups too: customer_stats, a projection with lookups)
 *   elasticsearch  the index prefix `<namespace>-` (bookkeeping index, generations, alias)
 *   neo4j          the bookkeeping label prefix and the projection name, whose generations' labels and
 *                  relationship types are namespaced by it (`Order__<projection>_g2`)
 *
 * Targets are imported lazily: the runner is restarted many times and should load only one driver.
 */
import type { JsonValue } from '../../../src/core/json';
import type { CompiledProjection } from '../../../src/core/plan';
import type { Target } from '../../../src/stores/target.port';
import {
  customerStatsDefinition,
  customerStatsPlan,
  recompileCustomerStats,
} from '../fixtures/customer-stats.fixture';
import { orderGraphDefinition, orderGraphPlan, recompileOrderGraph } from '../fixtures/order-graph.fixture';
import {
  orderSearchDefinition,
  orderSearchPlan,
  recompileOrderSearch,
} from '../fixtures/order-search.fixture';
import {
  orderSummaryDefinition,
  orderSummaryPlan,
  recompileOrderSummary,
} from '../fixtures/order-summary.fixture';

export const KILL_TARGETS = ['postgres', 'postgres-lookups', 'elasticsearch', 'neo4j'] as const;
export type KillTargetKind = (typeof KILL_TARGETS)[number];

export interface KillProjection {
  readonly plan: CompiledProjection;
  readonly definition: JsonValue;
  readonly recompile: (definition: JsonValue) => CompiledProjection | undefined;
}

/** Index prefix of an Elasticsearch run. */
export const esPrefix = (namespace: string): string => `${namespace}-`;
/** Bookkeeping label prefix of a Neo4j run (labels must start with a letter). */
export const neo4jBookkeepingPrefix = (namespace: string): string =>
  `Kill${namespace.replace(/[^A-Za-z0-9]/g, '')}`;
/** Projection name of a Neo4j run: its labels and relationship types carry it. */
export const neo4jProjection = (namespace: string): string => `order_graph_${namespace}`;

/** The plan a run of `kind` executes: version 2 changes the shape, so it rebuilds a live version 1. */
export function killProjection(kind: KillTargetKind, namespace: string, version: 1 | 2): KillProjection {
  switch (kind) {
    case 'postgres':
      return {
        plan: orderSummaryPlan({ version }),
        definition: orderSummaryDefinition({ version }),
        recompile: recompileOrderSummary,
      };
    case 'postgres-lookups':
      return {
        plan: customerStatsPlan(version),
        definition: customerStatsDefinition(version),
        recompile: recompileCustomerStats,
      };
    case 'elasticsearch':
      return {
        plan: orderSearchPlan(version),
        definition: orderSearchDefinition(version),
        recompile: recompileOrderSearch,
      };
    case 'neo4j':
      return {
        // with graph fan-out (updateNodes on CustomerRenamed, issue #16)
        plan: orderGraphPlan(neo4jProjection(namespace), version, { fanOut: true }),
        definition: orderGraphDefinition(neo4jProjection(namespace), version, true),
        recompile: recompileOrderGraph,
      };
  }
}

/**
 * Opens the target of a run. `pgUrl` is the database of the event log (and of the PostgreSQL target);
 * `targetUrl` the Elasticsearch or Neo4j server.
 */
export async function openKillTarget(
  kind: KillTargetKind,
  options: { pgUrl: string; targetUrl?: string; namespace: string },
): Promise<Target> {
  switch (kind) {
    case 'postgres':
    case 'postgres-lookups': {
      const { RelationalTarget } = await import('../../../src/stores/relational/relational.target');
      return RelationalTarget.connect({
        kind: 'postgres',
        url: options.pgUrl,
        schema: options.namespace,
        poolSize: 3,
      });
    }
    case 'elasticsearch': {
      const { ElasticsearchTarget } = await import('../../../src/stores/elasticsearch/elasticsearch.target');
      return ElasticsearchTarget.connect({
        url: required(options.targetUrl, 'the Elasticsearch URL'),
        prefix: esPrefix(options.namespace),
      });
    }
    case 'neo4j': {
      const { Neo4jTarget } = await import('../../../src/stores/neo4j/neo4j.target');
      return Neo4jTarget.connect({
        url: required(options.targetUrl, 'the Neo4j URL'),
        bookkeepingPrefix: neo4jBookkeepingPrefix(options.namespace),
      });
    }
  }
}

export function killTargetKind(value: string | undefined): KillTargetKind {
  const kind = value ?? 'postgres';
  if (!(KILL_TARGETS as readonly string[]).includes(kind))
    throw new Error(`Unknown kill target "${kind}": use ${KILL_TARGETS.join(', ')}`);
  return kind as KillTargetKind;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new Error(`${what} is not set`);
  return value;
}
