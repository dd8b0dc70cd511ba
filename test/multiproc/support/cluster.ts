/**
 * Several Prism processes on the same stores (issue #15), for test/multiproc/*.e2e.spec.ts and
 * bench/failover-campaign.ts: one `api` node (commands, queries, admin) and `worker` nodes (projections),
 * each a real child process (test/support/prism-process.ts, `src/main.ts` under tsx), with its own
 * PRISM_NODE_ID, a short PRISM_LEASE_TTL_MS and its own folder of definitions (a rolling deploy gives two
 * workers different files). They share one PostgreSQL database (event log, relational views, bookkeeping
 * and the coordination tables), the Elasticsearch and Neo4j servers (index and label names of the run's
 * own), and the admin key.
 *
 * Who owns a projection is read where the decision is made: the `prism_leases` rows in PostgreSQL
 * (holder, epoch, expiry on the database clock), not a node's own report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import type { PrismRole } from '../../../src/coordination/coordination.port';
import { parsePrometheusText, type Sample } from '../../../src/observability/prometheus-text';
import { deleteIndicesWithPrefix } from '../../../src/stores/elasticsearch/elasticsearch-cleanup';
import { createPostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store';
import { appendOrders } from '../../runtime/support/runtime-harness';
import { REPO_ROOT } from '../../stores/store-endpoints';
import { startPrismProcess, type PrismProcess } from '../../support/prism-process';
import { uniqueTestName } from '../../support/stores';
import { describeLeases, type ProjectionJson, type VerifyJson, type VerifyOutcome } from './cluster-reports';

export { describeLeases, verifiedClean, type ProjectionJson, type VerifyOutcome } from './cluster-reports';

export const CLUSTER_API_KEY = 'multiproc-admin-key-0123456789abcdef';
/** Short, so a takeover takes seconds; the default (6 s) is what the README documents. */
export const TEST_LEASE_TTL_MS = 2_000;

export interface ClusterUrls {
  /** A database of the run's own (log, relational views, coordination). */
  readonly postgres: string;
  readonly elasticsearch: string;
  readonly neo4j: string;
}

export interface ClusterNode {
  readonly id: string;
  readonly role: PrismRole;
  readonly process: PrismProcess;
  /** The folder of definitions it loaded. */
  readonly definitions: string;
}

export interface LeaseRow {
  readonly resource: string;
  readonly holder: string;
  readonly epoch: bigint;
  readonly expired: boolean;
}

/** One definition file as a node loads it: the repo's file, with replacements (names, a changed handler). */
export interface DefinitionFile {
  readonly file: string;
  readonly replacements?: Readonly<Record<string, string>>;
}

export class Cluster {
  readonly nodes = new Map<string, ClusterNode>();
  /** order_summary (PostgreSQL), the search view (Elasticsearch) and the graph view (Neo4j) of this run. */
  readonly projections: readonly string[];
  readonly runId = uniqueTestName('m').replace(/_/g, '');
  private readonly directory = mkdtempSync(path.join(tmpdir(), 'prism-multiproc-'));
  private readonly search = uniqueTestName('mp_search');
  private readonly graph = uniqueTestName('mp_graph');
  private db: Client | undefined;
  private workerCount = 0;

  constructor(
    readonly urls: ClusterUrls,
    private readonly options: { readonly leaseTtlMs?: number; readonly log?: (line: string) => void } = {},
  ) {
    this.projections = ['order_summary', this.search, this.graph];
  }

  /** The three definitions, renamed for this run; `changes` alter some (a rolling deploy's new version). */
  definitionFiles(
    changes: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
  ): DefinitionFile[] {
    return [
      { file: 'order-summary.yaml', replacements: { ...changes['order-summary.yaml'] } },
      {
        file: 'order-search.yaml',
        replacements: {
          'name: order_search': `name: ${this.search}`,
          'index: order_search': `index: ${this.search}`,
          ...changes['order-search.yaml'],
        },
      },
      {
        file: 'purchase-graph.yaml',
        replacements: { 'name: purchase_graph': `name: ${this.graph}`, ...changes['purchase-graph.yaml'] },
      },
    ];
  }

  get api(): ClusterNode {
    const api = [...this.nodes.values()].find((node) => node.role === 'api');
    if (api === undefined) throw new Error('the cluster has no api node');
    return api;
  }

  workers(): ClusterNode[] {
    return [...this.nodes.values()].filter((node) => node.role !== 'api');
  }

  /** Starts a node; resolves once it listens. */
  async start(
    role: PrismRole,
    options: { readonly id?: string; readonly definitions?: readonly DefinitionFile[] } = {},
  ): Promise<ClusterNode> {
    const id = options.id ?? (role === 'api' ? 'api-1' : `worker-${(this.workerCount += 1)}`);
    const definitions = path.join(this.directory, `definitions-${id}`);
    rmSync(definitions, { recursive: true, force: true });
    mkdirSync(definitions);
    for (const { file, replacements } of options.definitions ?? this.definitionFiles()) {
      let text = readFileSync(path.join(REPO_ROOT, 'projections', file), 'utf8');
      for (const [from, to] of Object.entries(replacements ?? {})) {
        if (!text.includes(from)) throw new Error(`${file} has no "${from}" to replace`);
        text = text.replace(from, to);
      }
      writeFileSync(path.join(definitions, file), text);
    }
    const process = await startPrismProcess({
      PRISM_PG_URL: this.urls.postgres,
      PRISM_ES_URL: this.urls.elasticsearch.replace(/\/$/, ''),
      PRISM_NEO4J_URL: this.urls.neo4j.replace(/\/$/, ''),
      PRISM_PROJECTIONS_DIR: definitions,
      PRISM_DATA_DIR: this.directory,
      PRISM_API_KEYS: `admin:${CLUSTER_API_KEY}`,
      PRISM_ROLE: role,
      PRISM_NODE_ID: id,
      PRISM_LEASE_TTL_MS: String(this.options.leaseTtlMs ?? TEST_LEASE_TTL_MS),
    });
    const node: ClusterNode = { id, role, process, definitions };
    this.nodes.set(id, node);
    this.options.log?.(`started ${role} ${id} (pid ${process.pid}) at ${process.url}`);
    return node;
  }

  /** SIGKILL: the node is gone at once, holding its leases until they lapse. */
  async kill(id: string): Promise<void> {
    const node = this.node(id);
    await node.process.signal('SIGKILL');
    this.nodes.delete(id);
  }

  node(id: string): ClusterNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Every lease row (the coordination store's table, wherever its schema is). */
  async leases(): Promise<LeaseRow[]> {
    const schema = await this.schemaOf('prism_leases');
    if (schema === undefined) return [];
    const rows = await (
      await this.database()
    ).query<{ resource: string; holder: string; epoch: string; expired: boolean }>(
      `SELECT resource, holder, epoch::text AS epoch, expires_at <= now() AS expired
       FROM "${schema}".prism_leases ORDER BY resource`,
    );
    return rows.rows.map((row) => ({ ...row, epoch: BigInt(row.epoch) }));
  }

  /** The unexpired holder of `projection`'s lease, or undefined. */
  async owner(projection: string): Promise<LeaseRow | undefined> {
    return (await this.leases()).find((lease) => lease.resource === projection && !lease.expired);
  }

  /**
   * Waits until every projection has an unexpired lease held by a live node of this cluster, other than
   * `not`; polled every 50 ms, so the time it returns is the takeover time to within that.
   */
  async waitForOwners(
    options: { readonly not?: string; readonly timeoutMs?: number } = {},
  ): Promise<Map<string, LeaseRow>> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last: LeaseRow[] = [];
    while (Date.now() < deadline) {
      last = await this.leases();
      const owners = new Map<string, LeaseRow>();
      for (const projection of this.projections) {
        const lease = last.find((row) => row.resource === projection && !row.expired);
        if (lease !== undefined && lease.holder !== options.not && this.nodes.has(lease.holder))
          owners.set(projection, lease);
      }
      if (owners.size === this.projections.length) return owners;
      await sleep(50);
    }
    throw new Error(
      `not every projection got a live owner in time: ${describeLeases(last)}\n${this.outputs(1500)}`,
    );
  }

  /** GET on the api node with the admin key (JSON). */
  async adminGet<T>(route: string): Promise<{ status: number; body: T }> {
    return this.request<T>('GET', route);
  }

  async adminPost<T>(route: string, body: unknown = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('POST', route, body);
  }

  /** The samples of a node's /metrics. */
  async metrics(id: string): Promise<Sample[]> {
    const response = await fetch(`${this.node(id).process.url}/metrics`, {
      headers: { 'X-API-Key': CLUSTER_API_KEY },
    });
    return parsePrometheusText(await response.text());
  }

  /** Waits until every projection's live checkpoint (as the api node reports it) is at `position` or beyond. */
  async waitForCatchUp(position: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const answer = await this.adminGet<{ projections: ProjectionJson[] }>('/admin/projections').catch(
        () => undefined,
      );
      last = `GET /admin/projections answered ${answer?.status ?? 'nothing'}`;
      if (answer?.status === 200) {
        const wanted = answer.body.projections.filter((p) => this.projections.includes(p.name));
        last = JSON.stringify(
          wanted.map((p) => [p.name, p.state, p.live?.checkpoint, p.rebuild?.generation]),
        );
        if (
          wanted.length === this.projections.length &&
          wanted.every((p) => p.live !== null && BigInt(p.live.checkpoint) >= position && p.rebuild === null)
        )
          return;
      }
      await sleep(100);
    }
    throw new Error(
      `the projections did not reach position ${position} in ${timeoutMs} ms: ${last}\n${this.outputs(1500)}`,
    );
  }

  /**
   * The position of the log's last ItemAdded (0 when none): every projection of the cluster reads it, so
   * each one's checkpoint reaches it (a projection's checkpoint stops at the last event it reads, which the
   * log's last event need not be).
   */
  async head(): Promise<bigint> {
    const rows = await (
      await this.database()
    ).query<{ position: string | null }>(
      `SELECT max(position)::text AS position FROM prism.events WHERE type = 'ItemAdded'`,
    );
    return BigInt(rows.rows[0]?.position ?? '0');
  }

  /** Appends `orders` reference-workload orders (about 4 events each) straight to the log, before any node starts. */
  async preload(orders: number): Promise<void> {
    const store = createPostgresEventStore({ url: this.urls.postgres, schema: 'prism', poolSize: 2 });
    try {
      await store.initialize();
      await appendOrders(store, orders, { seed: 7 });
    } finally {
      await store.close();
    }
  }

  /** The relational bookkeeping's generations of `projection` (order_summary), oldest first. */
  async generations(
    projection: string,
  ): Promise<{ generation: number; status: string; fingerprint: string }[]> {
    const schema = await this.schemaOf('prism_generations');
    if (schema === undefined) return [];
    const rows = await (
      await this.database()
    ).query<{ generation: number; status: string; fingerprint: string }>(
      `SELECT generation, status, fingerprint FROM "${schema}".prism_generations
       WHERE projection = $1 ORDER BY generation`,
      [projection],
    );
    return rows.rows;
  }

  /** The active generation of a relational projection and its stored checkpoint, as PostgreSQL holds them. */
  async storedCheckpoint(projection: string): Promise<{ generation: number; position: bigint } | undefined> {
    const schema = await this.schemaOf('prism_checkpoints');
    if (schema === undefined) return undefined;
    const rows = await (
      await this.database()
    ).query<{ generation: number; position: string }>(
      `SELECT c.generation, c.position::text AS position
       FROM "${schema}".prism_projections p
       JOIN "${schema}".prism_checkpoints c ON c.projection = p.name AND c.generation = p.active_generation
       WHERE p.name = $1`,
      [projection],
    );
    const row = rows.rows[0];
    return row === undefined ? undefined : { generation: row.generation, position: BigInt(row.position) };
  }

  private async schemaOf(table: string): Promise<string | undefined> {
    const rows = await (
      await this.database()
    ).query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = $1`,
      [table],
    );
    return rows.rows[0]?.schema;
  }

  /** Verifies every projection against a fresh build from the log (POST .../verify on the api node). */
  async verify(): Promise<VerifyOutcome[]> {
    const outcomes: VerifyOutcome[] = [];
    for (const projection of this.projections) {
      const { status, body } = await this.adminPost<VerifyJson>(`/admin/projections/${projection}/verify`);
      outcomes.push({ projection, status, ...body });
    }
    return outcomes;
  }

  /** Stops every node (SIGTERM), then removes the run's indices, graph nodes and files. */
  async close(): Promise<void> {
    for (const node of this.nodes.values()) await node.process.stop(5_000).catch(() => undefined);
    this.nodes.clear();
    await this.db?.end().catch(() => undefined);
    const elasticsearch = new ElasticsearchClient({ node: this.urls.elasticsearch });
    await deleteIndicesWithPrefix(elasticsearch, `prism-${this.search}`).catch(() => undefined);
    await elasticsearch.close();
    const driver = neo4j.driver(this.urls.neo4j);
    await driver
      .executeQuery(`MATCH (n) WHERE any(label IN labels(n) WHERE label CONTAINS $name) DETACH DELETE n`, {
        name: `__${this.graph}_g`,
      })
      .catch(() => undefined);
    await driver.close();
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** The end of every node's output, for a failure message. */
  outputs(chars = 4000): string {
    return [...this.nodes.values()]
      .map((node) => `--- ${node.id} (${node.role})\n${node.process.output().slice(-chars)}`)
      .join('\n');
  }

  private async request<T>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.api.process.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', 'X-API-Key': CLUSTER_API_KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
  }

  private async database(): Promise<Client> {
    if (this.db === undefined) {
      this.db = new Client({ connectionString: this.urls.postgres });
      // The test's database is dropped (WITH FORCE) after the file: a late error here is expected then.
      this.db.on('error', () => undefined);
      await this.db.connect();
    }
    return this.db;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
