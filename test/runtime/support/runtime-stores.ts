/**
 * The stores the runtime's behaviour tests run on (runner, parking, rebuild), each with the fixture that
 * fits its view family: document stores run `order_summary` (as a table, or as an index), graph stores
 * `order_graph`. A suite is written once against `RuntimeStore` and reads views back with `readView`
 * (the registry's active generation, through Target.scan), so no case names a store.
 *
 * Each test gets a namespace of its own (a schema, an index prefix, a label prefix and projection name, a
 * fresh memory target), so tests never see each other's views; the event log is PostgreSQL's, in the
 * test database (openTestLog).
 */
import neo4j from 'neo4j-driver';
import { Client } from '@elastic/elasticsearch';
import type { JsonObject, JsonValue } from '../../../src/core/json';
import type { CompiledProjection } from '../../../src/core/plan';
import type { TargetShape } from '../../../src/core/view-shape';
import type {
  ElasticsearchField,
  ElasticsearchTargetShape,
} from '../../../src/stores/elasticsearch/elasticsearch-view-shape';
import type { StoredEvent } from '../../../src/eventstore/event-store.port';
import { deleteIndicesWithPrefix } from '../../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../../src/stores/elasticsearch/elasticsearch.target';
import { MemoryTarget } from '../../../src/stores/memory/memory.target';
import { bookkeepingDropStatements, bookkeepingLabels } from '../../../src/stores/neo4j/neo4j-bookkeeping';
import { Neo4jTarget } from '../../../src/stores/neo4j/neo4j.target';
import { RelationalTarget } from '../../../src/stores/relational/relational.target';
import type { Target } from '../../../src/stores/target.port';
import type { StoreName } from '../../stores/store-endpoints';
import type { StoreUrls } from '../../support/stores';
import {
  expectedOrderGraphEntries,
  orderGraphDefinition,
  orderGraphPlan,
  recompileOrderGraph,
} from '../fixtures/order-graph.fixture';
import {
  expectedOrderSummary,
  orderSummaryDefinition,
  orderSummaryPlan,
  recompileOrderSummary,
  type OrderSummaryOptions,
} from '../fixtures/order-summary.fixture';

export interface FixtureOptions {
  readonly version?: 1 | 2;
  readonly onPoison?: 'sequenced' | 'skip';
  readonly poison?: (event: StoredEvent) => string | undefined;
  /** Document stores with unique indexes: a second order of a customer fails in the store. */
  readonly uniqueCustomer?: boolean;
}

/** One projection of the reference workload, as a store of one family holds it. */
export interface RuntimeFixture {
  readonly name: string;
  plan(options?: FixtureOptions): CompiledProjection;
  definition(version: 1 | 2): JsonValue;
  recompile(definition: JsonValue): CompiledProjection | undefined;
  /** The view a correct run over these events leaves, as `readView` lists it. */
  expected(events: readonly StoredEvent[], version?: 1 | 2): Record<string, JsonObject>;
  /** The reason a target gives when an ItemAdded with a non-numeric price makes a value it cannot hold. */
  readonly misfit: RegExp;
  /** The reason the store gives when a second order of a customer breaks a unique index; absent: no such index. */
  readonly duplicate?: RegExp;
}

export interface RuntimeStore {
  readonly name: string;
  /** Servers it needs besides PostgreSQL (which holds the event log). */
  readonly needs: readonly StoreName[];
  /** A fresh target of its own in `namespace`, and the fixture that fits it. */
  open(urls: StoreUrls & { database: string }, namespace: string): Promise<Target>;
  fixture(namespace: string): RuntimeFixture;
  /**
   * Each test costs seconds of server-side schema work here (indices, constraints): suites run only their
   * core cases on it (RuntimeCase.itCore), and the cases that test the runtime's own logic elsewhere.
   */
  readonly heavy?: boolean;
  /** Removes what a namespace left in a shared server (after its target is closed). */
  cleanUp?(urls: StoreUrls, namespace: string): Promise<void>;
}

/** The view readers see: the registry's active generation, every entry by key; empty before activation. */
export async function readView(target: Target, projection: string): Promise<Record<string, JsonObject>> {
  const active = (await target.readProjection(projection))?.activeGeneration;
  if (active === null || active === undefined) return {};
  const generation = (await target.listGenerations(projection)).find((g) => g.generation === active);
  const view = { projection, generation: active, shape: generation!.shape };
  const entries: Record<string, JsonObject> = {};
  let after: string | undefined;
  for (;;) {
    const page = await target.scan(view, { limit: 500, ...(after !== undefined && { after }) });
    for (const entry of page) entries[entry.key] = entry.document;
    if (page.length < 500) return entries;
    after = page.at(-1)!.key;
  }
}

/**
 * `order_summary` as a table, or with its shape replaced by `shapeOf` (a plan does not depend on where
 * its documents go).
 */
function orderSummaryFixture(
  shapeOf: ((version: 1 | 2) => TargetShape) | undefined,
  duplicate: RegExp | undefined,
): RuntimeFixture {
  const stored = (plan: CompiledProjection): CompiledProjection =>
    shapeOf === undefined ? plan : { ...plan, target: shapeOf(plan.version === 2 ? 2 : 1) };
  return {
    name: 'order_summary',
    plan: (options: OrderSummaryOptions = {}) => stored(orderSummaryPlan(options)),
    definition: (version) => orderSummaryDefinition({ version }),
    recompile: (definition) => {
      const plan = recompileOrderSummary(definition);
      return plan === undefined ? undefined : stored(plan);
    },
    expected: (events, version = 1) =>
      Object.fromEntries(expectedOrderSummary(events, version).map((row) => [row.order_id as string, row])),
    misfit: /"total" \(integer\) expects a 32-bit integer/,
    ...(duplicate !== undefined && { duplicate }),
  };
}

const tableFixture = (duplicate: RegExp) => orderSummaryFixture(undefined, duplicate);

const field = (type: ElasticsearchField['type']): ElasticsearchField => ({
  type,
  facet: false,
  filter: true,
});
const indexFixture = orderSummaryFixture(
  (version): ElasticsearchTargetShape => ({
    kind: 'elasticsearch',
    index: 'order_summary',
    id: 'order_id',
    fields: {
      order_id: field('keyword'),
      customer_id: field('keyword'),
      status: field('keyword'),
      item_count: field('integer'),
      total: field('integer'),
      ...(version === 2 ? { event_count: field('integer') } : {}),
    },
  }),
  undefined,
);

function graphFixture(name: string): RuntimeFixture {
  return {
    name,
    plan: (options = {}) => orderGraphPlan(name, options.version ?? 1, options),
    definition: (version) => orderGraphDefinition(name, version),
    recompile: recompileOrderGraph,
    expected: (events, version = 1) => expectedOrderGraphEntries(events, version),
    misfit: /property "price" is declared integer/,
  };
}

/** Labels must start with a letter and hold no `-`. */
const graphName = (namespace: string) => `order_graph_${namespace.replace(/[^A-Za-z0-9_]/g, '_')}`;
const neo4jPrefix = (namespace: string) => `PrismRt${namespace.replace(/[^A-Za-z0-9]/g, '')}`;

export const RUNTIME_STORES: readonly RuntimeStore[] = [
  {
    name: 'PostgreSQL',
    needs: [],
    open: (urls, namespace) =>
      RelationalTarget.connect({ kind: 'postgres', url: urls.database, schema: namespace, poolSize: 4 }),
    fixture: () => tableFixture(/duplicate key value violates unique constraint/),
  },
  {
    name: 'SQLite',
    needs: [],
    open: () => RelationalTarget.connect({ kind: 'sqlite', file: ':memory:' }),
    fixture: () => tableFixture(/UNIQUE constraint failed/),
  },
  {
    name: 'Elasticsearch',
    needs: ['elasticsearch'],
    heavy: true,
    open: (urls, namespace) =>
      ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix: `${namespace}-` }),
    fixture: () => indexFixture,
    cleanUp: async (urls, namespace) => {
      const client = new Client({ node: urls.elasticsearch });
      try {
        await deleteIndicesWithPrefix(client, `${namespace}-`);
      } finally {
        await client.close();
      }
    },
  },
  {
    name: 'Neo4j',
    needs: ['neo4j'],
    heavy: true,
    open: (urls, namespace) =>
      Neo4jTarget.connect({ url: urls.neo4j, bookkeepingPrefix: neo4jPrefix(namespace) }),
    fixture: (namespace) => graphFixture(graphName(namespace)),
    cleanUp: async (urls, namespace) => {
      const driver = neo4j.driver(urls.neo4j);
      try {
        const name = graphName(namespace);
        await driver.executeQuery(
          'MATCH (n) WHERE any(l IN labels(n) WHERE l ENDS WITH $g1 OR l ENDS WITH $g2) DETACH DELETE n',
          {
            g1: `__${name}_g1`,
            g2: `__${name}_g2`,
          },
        );
        const constraints = await driver.executeQuery(
          'SHOW CONSTRAINTS YIELD name WHERE name CONTAINS $name RETURN name',
          {
            name,
          },
        );
        for (const record of constraints.records)
          await driver.executeQuery(`DROP CONSTRAINT \`${String(record.get('name'))}\` IF EXISTS`);
        for (const statement of bookkeepingDropStatements(bookkeepingLabels(neo4jPrefix(namespace))))
          await driver.executeQuery(statement);
      } finally {
        await driver.close();
      }
    },
  },
  {
    name: 'memory (documents)',
    needs: [],
    open: () => Promise.resolve(new MemoryTarget()),
    fixture: () => tableFixture(/duplicate key value violates unique index/),
  },
  {
    name: 'memory (graph)',
    needs: [],
    open: () => Promise.resolve(new MemoryTarget('neo4j')),
    fixture: (namespace) => graphFixture(graphName(namespace)),
  },
];
