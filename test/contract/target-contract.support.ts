/**
 * What the target contract's cases share: the two view families (documents by key, graphs of nodes and
 * relationships), their contract shapes, and the per-test context (a fresh projection name and view
 * names for every test, so tests never see each other's generations).
 */
import type { JsonValue } from '../../src/core/json';
import type { ViewDocument, ViewOperation } from '../../src/core/plan';
import type { TargetShape } from '../../src/core/view-shape';
import type { ElasticsearchTargetShape } from '../../src/stores/elasticsearch/elasticsearch-view-shape';
import type { Neo4jTargetShape } from '../../src/stores/neo4j/neo4j-view-shape';
import { findStoreModule } from '../../src/stores/registry';
import type { RelationalTargetShape as PostgresTargetShape } from '../../src/stores/relational/relational-view-shape';
import type { StoredEvent } from '../../src/eventstore/event-store.port';
import type { ElasticsearchFieldDeclaration } from '../../src/stores/elasticsearch/elasticsearch-shape';
import { graphNodeEntryKey, parseGraphEntryKey } from '../../src/stores/graph-entity-keys';
import type { StoreModule } from '../../src/stores/store-module';
import type {
  GenerationSpec,
  ParkedEvent,
  ScannedDocument,
  Target,
  ViewRef,
} from '../../src/stores/target.port';

export interface TargetContractHarness {
  /** Suite title, e.g. 'relational (PostgreSQL)'. */
  readonly name: string;
  /** The store module the target belongs to: the suite checks the target states its capabilities. */
  readonly store: StoreModule;
  /** A fresh, initialized target; called once per suite (the suite closes it). */
  create(): Promise<Target>;
  /**
   * The view shape the suite declares (its table, index or graph; each test renames the table or index).
   * A graph shape runs the graph cases, a document shape the document cases; default: CONTRACT_SHAPE.
   */
  readonly shape?: TargetShape;
  /** Document views: what readers see under the projection's stable name (SQL view, alias), by key. */
  readActive?(target: Target, shape: TargetShape): Promise<ViewDocument[]>;
  /** Start of every projection name the suite uses (default `contract`), e.g. to clean up after it. */
  readonly projectionPrefix?: string;
}

/** The relational shape used by default; other document targets pass their own equivalent. */
export const CONTRACT_SHAPE: PostgresTargetShape = {
  kind: 'postgres',
  table: 'contract_orders',
  key: 'order_id',
  columns: {
    order_id: { type: 'text', nullable: false },
    status: { type: 'text', nullable: false },
    total: { type: 'integer', nullable: false },
    note: { type: 'text', nullable: true },
  },
  indexes: [{ columns: ['status'], unique: false }],
};

/** CONTRACT_SHAPE as a search index; `status` and `total` are required. */
const indexFields: Record<string, ElasticsearchFieldDeclaration> = {
  order_id: { type: 'keyword', facet: false, filter: true },
  status: { type: 'keyword', facet: true, filter: true, nullable: false },
  total: { type: 'integer', facet: false, filter: true, nullable: false },
  note: { type: 'text', facet: false, filter: false },
};
export const CONTRACT_INDEX_SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'contract_orders',
  id: 'order_id',
  fields: indexFields,
};

/** The graph shape of the graph cases: customers who placed orders. */
export const CONTRACT_GRAPH_SHAPE: Neo4jTargetShape = {
  kind: 'neo4j',
  nodes: {
    Customer: { key: 'customer_id', properties: { customer_id: 'string', name: 'string', tier: 'integer' } },
    Order: { key: 'order_id', properties: { order_id: 'string', status: 'string', total: 'integer' } },
  },
  relationships: { PLACED: { from: 'Customer', to: 'Order', properties: { channel: 'string' } } },
};

/** Graph shapes declare nodes; document shapes declare a key per document. */
export function isGraphShape(shape: TargetShape): shape is Neo4jTargetShape {
  return 'nodes' in shape;
}

/** How the shared cases write an entry and find it again, in either family. */
export interface ViewFamily {
  readonly name: 'document' | 'graph';
  /** One operation that creates (or replaces) the entry `id`. */
  write(id: string, position: bigint, value?: number): ViewOperation;
  /** The entry `id` as `scan` keys it. */
  entryKey(id: string): string;
  /** What `write(id, …, value)` stores, as `scan` lists it. */
  entry(id: string, value?: number): ViewDocument;
}

export const DOCUMENT_FAMILY: ViewFamily = {
  name: 'document',
  write: (id, position, value = 1) => put(order(id, 'placed', value), position),
  entryKey: (id) => id,
  entry: (id, value = 1) => order(id, 'placed', value),
};

export const GRAPH_FAMILY: ViewFamily = {
  name: 'graph',
  write: (id, position, value = 1) => ({
    kind: 'mergeNode',
    node: { label: 'Order', key: id },
    set: { status: 'placed', total: value },
    position,
  }),
  entryKey: (id) => graphNodeEntryKey('Order', id),
  entry: (id, value = 1) => ({ order_id: id, status: 'placed', total: value }),
};

/** The test's target, projection and shape, fresh for every test. */
export interface ContractContext {
  readonly harness: TargetContractHarness;
  readonly family: ViewFamily;
  target(): Target;
  shape(): TargetShape;
  spec(generation?: number): GenerationSpec;
  ref(generation?: number): ViewRef;
  /** The ids of the entries readers see (the active generation), in scan order. */
  readers(): Promise<string[]>;
}

/** Every entry of a generation, page by page. */
export async function scanAll(target: Target, view: ViewRef, limit = 100): Promise<ScannedDocument[]> {
  const all: ScannedDocument[] = [];
  for (;;) {
    const page = await target.scan(view, { limit, ...(all.length > 0 && { after: all.at(-1)!.key }) });
    all.push(...page);
    if (page.length < limit) return all;
  }
}

/** The id of an entry key (`a`, or the key of `node:Order:"a"`). */
export function idOf(entryKey: string): string {
  const parsed = parseGraphEntryKey(entryKey);
  if (parsed?.kind !== 'node') return entryKey;
  return typeof parsed.key === 'string' ? parsed.key : JSON.stringify(parsed.key);
}

export function order(id: string, status: string, total: number): ViewDocument {
  return { order_id: id, status, total, note: null };
}

export function put(document: ViewDocument, position: bigint): ViewOperation {
  return { kind: 'put', key: document.order_id as string, document, position };
}

/**
 * The shape with the view name readers use (its store's `dsl.viewName` field: a table, an index, a
 * collection) renamed; graphs, kept apart by projection name already, have none.
 */
export function renamed(shape: TargetShape, suffix: string): TargetShape {
  const field = findStoreModule(shape.kind)?.dsl?.viewName;
  const name = field === undefined ? undefined : (shape as unknown as Record<string, unknown>)[field];
  return typeof name === 'string' ? { ...shape, [field!]: `${name}${suffix}` } : shape;
}

export function parked(view: ViewRef, position: bigint, status: 'parked' | 'held'): ParkedEvent {
  const stored = event(position, `o${position}`);
  return {
    projection: view.projection,
    generation: view.generation,
    position,
    streamId: stored.streamId,
    eventType: stored.type,
    event: stored,
    keys: [`o${position}`],
    reason:
      status === 'held' ? 'held behind an earlier parked event for the same key' : 'total must be a number',
    status,
    parkedAt: new Date('2024-05-01T10:00:00.000Z'),
  };
}

function event(position: bigint, orderId: string): StoredEvent {
  const data: Record<string, JsonValue> = { orderId, nested: { list: [1, 'two', null] } };
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    streamId: `order-${orderId}`,
    revision: 0,
    position,
    type: 'OrderPlaced',
    data,
    metadata: { timestamp: '2024-05-01T10:00:00.000Z', schemaVersion: 1 },
  };
}
