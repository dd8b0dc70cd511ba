/**
 * The Neo4j target: graph views as namespaced labels and relationship types in one Neo4j database
 * (Community edition has only one). See README.md in this folder for the design and its limits.
 *
 * - A generation is a label namespace (`Customer__purchase_graph_g2`, see neo4j-names.ts), created,
 *   swapped and dropped by neo4j-storage.ts; Prism's own records are nodes (neo4j-records.ts), with the
 *   logic shared by every store in ../bookkeeping/.
 * - `commit` is ONE write transaction: checkpoint compare-and-set first (it takes the checkpoint node's
 *   write lock, so a second runner of the same generation waits and then sees the moved checkpoint),
 *   then the batch (graph-batch.ts: a lookup of the nodes it touches, then a few `UNWIND $rows`
 *   statements), then the parking records.
 * - `activate` flips the registry's active generation in one transaction; named queries resolve the
 *   active generation's labels at query time (src/stores/neo4j/query), so readers switch with the registry.
 */
import { disableNagleOnBoltSockets } from './bolt-no-delay';
import { neo4jStore } from './neo4j.store';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { LookupEntryRef, StoredLookups } from '../../core/lookups';
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type {
  CommitBatch,
  CommitResult,
  LoadedDocument,
  ScannedDocument,
  ScanOptions,
  ViewRef,
} from '../target.port';
import { Bookkeeping } from '../bookkeeping/bookkeeping';
import { BookkeepingTarget } from '../bookkeeping/bookkeeping-target';
import { GraphStatementBuilder } from './graph-statement-builder';
import { bookkeepingLabels, type BookkeepingLabels } from './neo4j-bookkeeping';
import { Neo4jLookups } from './neo4j-lookups';
import { graphShape } from './neo4j-names';
import { Neo4jRecords, Neo4jSessions } from './neo4j-records';
import { neo4jMigrations, Neo4jSchemaVersion } from './neo4j-schema';
import { Neo4jStorage } from './neo4j-storage';
import { readGraphEntries, scanGraph } from './neo4j-scan';
import { classifyNeo4jError } from './neo4j-error-classifier';
import { createNeo4jDriver, type Neo4jConnection } from './neo4j-connection';

export interface Neo4jTargetOptions {
  /** Database name; default: the server's default database (`neo4j`). */
  readonly database?: string;
  /** Label prefix of the bookkeeping records; default `Prism`. */
  readonly bookkeepingPrefix?: string;
  /** Nodes deleted per transaction by `drop`. Default 10,000. */
  readonly dropBatchSize?: number;
  /** How long the driver retries a transaction on transient errors before giving up. Default 5 s. */
  readonly maxRetryMs?: number;
  /**
   * The server-side time limit of each write transaction (a batch commit, a swap, a drop step). A process
   * frozen inside a commit (SIGSTOP, a long GC pause) would otherwise hold its locks for as long as it is
   * frozen and block the node that took its lease over; past the limit the server terminates the
   * transaction and releases them (its writes are rolled back; the lease epoch already keeps it from
   * committing later). Default 60 s: far above a batch's commit time.
   */
  readonly transactionTimeoutMs?: number;
}

export interface Neo4jTargetConfig extends Neo4jTargetOptions, Neo4jConnection {}

export class Neo4jTarget extends BookkeepingTarget<ManagedTransaction> {
  readonly kind = 'neo4j';
  readonly capabilities = neo4jStore.capabilities;
  readonly labels: BookkeepingLabels;
  readonly bookkeeping: Bookkeeping<ManagedTransaction>;
  private readonly sessions: Neo4jSessions;
  private readonly builders = new Map<string, GraphStatementBuilder>();
  private readonly lookups: Neo4jLookups;

  constructor(
    readonly driver: Driver,
    options: Neo4jTargetOptions = {},
    private readonly ownsDriver = false,
  ) {
    super();
    // before the driver's first connection: its sockets otherwise wait 40 ms per statement (bolt-no-delay.ts)
    disableNagleOnBoltSockets();
    this.labels = bookkeepingLabels(options.bookkeepingPrefix);
    this.sessions = new Neo4jSessions(driver, options.database, options.transactionTimeoutMs);
    this.lookups = new Neo4jLookups(this.sessions);
    this.bookkeeping = new Bookkeeping(
      new Neo4jRecords(this.sessions, this.labels),
      new Neo4jStorage(this.sessions, options.dropBatchSize ?? 10_000, this.lookups),
      {
        store: new Neo4jSchemaVersion(this.sessions, this.labels),
        migrations: neo4jMigrations(this.sessions, this.labels),
      },
    );
  }

  /** Opens a driver of its own and creates or upgrades the bookkeeping constraints. */
  static async connect(config: Neo4jTargetConfig): Promise<Neo4jTarget> {
    const driver = createNeo4jDriver(config, { maxTransactionRetryTime: config.maxRetryMs ?? 5_000 });
    const target = new Neo4jTarget(driver, config, true);
    try {
      await target.initialize();
    } catch (error) {
      await driver.close();
      throw error;
    }
    return target;
  }

  /** Graph plans do not read state: there are no documents to load. */
  load(): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    return Promise.resolve(new Map());
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    void document;
    return `projection "${view.projection}" has a graph view, which stores nodes and relationships, not documents`;
  }

  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    // Built (and checked against the shape) before the transaction: a bad operation never opens one.
    const graph = this.builder(view).prepare(batch.operations);
    const lookups = batch.lookups ?? [];
    if (lookups.length > 0) await this.lookups.prepare(view);
    return this.bookkeeping.commit(view, batch, async (tx) => {
      await graph.write((cypher, parameters) => tx.run(cypher, parameters));
      // in the same graph transaction as the view's writes and the checkpoint (neo4j-lookups.ts)
      await this.lookups.write(tx, view, lookups);
    });
  }

  loadLookups(view: ViewRef, entries: readonly LookupEntryRef[]): Promise<StoredLookups> {
    return this.lookups.load(view, entries);
  }

  scanLookups(view: ViewRef): Promise<StoredLookups> {
    return this.lookups.scan(view);
  }

  /** Nodes, then relationships, as entries (see neo4j-scan.ts). */
  scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const shape = graphShape(view.projection, view.shape);
    return scanGraph((work) => this.sessions.read(work), view.projection, view.generation, shape, options);
  }

  /** The nodes and relationships with these entry keys (see neo4j-scan.ts). */
  readEntries(view: ViewRef, keys: readonly string[]): Promise<ScannedDocument[]> {
    const shape = graphShape(view.projection, view.shape);
    return readGraphEntries(
      (work) => this.sessions.read(work),
      view.projection,
      view.generation,
      shape,
      keys,
    );
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return classifyNeo4jError(error);
  }

  async close(): Promise<void> {
    if (this.ownsDriver) await this.driver.close();
  }

  private builder(view: ViewRef): GraphStatementBuilder {
    const key = `${view.projection}\u0000${view.generation}\u0000${JSON.stringify(view.shape)}`;
    let builder = this.builders.get(key);
    if (builder === undefined) {
      builder = new GraphStatementBuilder(
        view.projection,
        view.generation,
        graphShape(view.projection, view.shape),
      );
      this.builders.set(key, builder);
    }
    return builder;
  }
}
