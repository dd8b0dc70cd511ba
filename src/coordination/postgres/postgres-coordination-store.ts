/**
 * The coordination store on PostgreSQL: lease rows with compare-and-set, node rows and admin-request rows
 * (tables: postgres-coordination-schema.ts), over a pg Pool that is either given (the relational view
 * store's; left open on close) or made from a URL (ended on close).
 *
 * The clock rule: every time that decides anything (is a lease lapsed, is a node alive) is the database's
 * `now()`, compared in the same statement that acts on it; each node's clock only measures how long it
 * has waited (Lease.localDeadline). Nodes with skewed clocks therefore agree on expiry, and a holder stops
 * work no later than the database expires its lease: its deadline counts from before the request was sent,
 * while the database counts from when the statement started.
 *
 * Why no advisory lock decides ownership: a session-level lock lives as long as its connection, and a
 * frozen process (SIGSTOP, GC pause) keeps its socket open, so it would keep the lock for ever. A lease row
 * lapses by the database clock whatever its holder does, and its epoch fences a holder that wakes up late.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { ConnectionWatch, type ConnectionLogger } from '../../core/connection-watch';
import { guardedClientClass } from '../../eventstore/postgres/guarded-pg-client';
import { describeServer, isUnavailable } from '../../eventstore/postgres/postgres-errors';
import { PRUNE_AFTER_MS } from '../coordination-rules';
import { AdminRequestNotClaimedError, CoordinationStoreUnavailableError } from '../coordination.errors';
import type {
  AdminRequestDraft,
  AdminRequestRecord,
  CoordinationStore,
  Lease,
  LeaseRecord,
  NodeAnnouncement,
  NodeRecord,
} from '../coordination.port';
import {
  coordinationTables,
  createTablesSql,
  isCreationRace,
  tablesExistSql,
  type CoordinationTables,
} from './postgres-coordination-schema';
import {
  REQUEST_COLUMNS,
  json,
  toLeaseRecord,
  toNodeRecord,
  toRequest,
  type LeaseRow,
  type NodeRow,
  type RequestRow,
} from './postgres-coordination-rows';

export interface PostgresCoordinationOptions {
  /** A pool to share; the store never ends it. Either this or `url`. */
  readonly pool?: Pool;
  /** postgres://user:password@host:port/database: the store makes its own pool and ends it on close. */
  readonly url?: string;
  /** Schema of the coordination tables; created if missing. */
  readonly schema: string;
  /** Connections of a pool made from `url`. Default 4 (one heartbeat, one renewal, polls). */
  readonly poolSize?: number;
  /** How long to wait for a connection before the store counts as unavailable. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** Where a lost and a regained connection are logged (once per outage). Default: the console. */
  readonly logger?: ConnectionLogger;
}

/** How often (at most) a heartbeat also prunes long-dead nodes and long-finished requests. */
const PRUNE_EVERY_MS = 60_000;

/** A TTL in milliseconds as an interval, from a numeric parameter. */
const ttl = (param: string): string => `(${param}::double precision * interval '1 millisecond')`;

export class PostgresCoordinationStore implements CoordinationStore {
  readonly kind = 'postgres';
  readonly shared = true;
  readonly tables: CoordinationTables;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly server: string;
  private readonly watch: ConnectionWatch;
  private initialized: Promise<void> | undefined;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(options: PostgresCoordinationOptions) {
    this.tables = coordinationTables(options.schema);
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
      const given = (options.pool as { options?: { connectionString?: unknown } }).options;
      this.server =
        typeof given?.connectionString === 'string'
          ? describeServer(given.connectionString)
          : 'the server of the given pool';
      this.watch = new ConnectionWatch(`PostgreSQL coordination store at ${this.server}`, options.logger);
    } else if (options.url !== undefined) {
      this.ownsPool = true;
      this.server = describeServer(options.url);
      this.watch = new ConnectionWatch(`PostgreSQL coordination store at ${this.server}`, options.logger);
      this.pool = new Pool({
        connectionString: options.url,
        max: options.poolSize ?? 4,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
        // Checked-out clients have no listener of pg-pool's: see guarded-pg-client.ts.
        Client: guardedClientClass(this.watch),
      });
      // An idle pooled connection that dies must not crash the process; the next query reconnects.
      this.pool.on('error', (error) => this.watch.lost(error));
    } else {
      throw new Error('The PostgreSQL coordination store needs a pool or a url.');
    }
  }

  /** Creates the tables if needed; runs at most once (again only after a failure). Called by every operation. */
  async initialize(): Promise<void> {
    this.initialized ??= this.createTables().catch((error: unknown) => {
      this.initialized = undefined;
      throw this.translate(error);
    });
    return this.initialized;
  }

  // Leases -----------------------------------------------------------------------------------------

  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const sent = Date.now();
    // One statement: the row is created (epoch 1) or taken over when lapsed or already ours (epoch + 1).
    // Concurrent acquirers queue on the row lock and each re-checks the WHERE on the winner's row, which
    // is unexpired: exactly one wins.
    const rows = await this.query<{ epoch: string }>(
      `INSERT INTO ${this.tables.leases} AS l (resource, holder, epoch, acquired_at, renewed_at, expires_at)
       VALUES ($1, $2, 1, now(), now(), now() + ${ttl('$3')})
       ON CONFLICT (resource) DO UPDATE SET
         holder = EXCLUDED.holder, epoch = l.epoch + 1, acquired_at = EXCLUDED.acquired_at,
         renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
       RETURNING epoch::text AS epoch`,
      [resource, holder, ttlMs],
    );
    const row = rows[0];
    return row && { resource, holder, epoch: BigInt(row.epoch), localDeadline: sent + ttlMs };
  }

  async renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]> {
    if (leases.length === 0) return [];
    const sent = Date.now();
    const rows = await this.query<{ resource: string; holder: string; epoch: string }>(
      `UPDATE ${this.tables.leases} AS l SET renewed_at = now(), expires_at = now() + ${ttl('$4')}
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS r(resource, holder, epoch)
       WHERE l.resource = r.resource AND l.holder = r.holder AND l.epoch = r.epoch AND l.expires_at > now()
       RETURNING l.resource, l.holder, l.epoch::text AS epoch`,
      [
        leases.map((lease) => lease.resource),
        leases.map((lease) => lease.holder),
        leases.map((lease) => lease.epoch.toString()),
        ttlMs,
      ],
    );
    const kept = new Set(rows.map((row) => `${row.resource}\u0000${row.holder}\u0000${row.epoch}`));
    return leases
      .filter((lease) => kept.has(`${lease.resource}\u0000${lease.holder}\u0000${lease.epoch}`))
      .map((lease) => ({ ...lease, localDeadline: sent + ttlMs }));
  }

  async release(lease: Lease): Promise<void> {
    // The row stays (with its epoch); it only lapses now.
    await this.query(
      `UPDATE ${this.tables.leases} SET expires_at = now()
       WHERE resource = $1 AND holder = $2 AND epoch = $3::bigint AND expires_at > now()`,
      [lease.resource, lease.holder, lease.epoch.toString()],
    );
  }

  async listLeases(): Promise<LeaseRecord[]> {
    const rows = await this.query<LeaseRow>(
      `SELECT resource, holder, epoch::text AS epoch, acquired_at, renewed_at, expires_at,
         expires_at <= now() AS expired
       FROM ${this.tables.leases} ORDER BY resource`,
      [],
    );
    return rows.map(toLeaseRecord);
  }

  // Nodes ------------------------------------------------------------------------------------------

  async heartbeat(node: NodeAnnouncement, ttlMs: number): Promise<void> {
    await this.pruneNowAndThen();
    // started_at is kept while the announcement continues (same role, version and definitions; jsonb
    // equality ignores key order) and set anew otherwise: the rule of coordination-rules.ts sameAnnouncement.
    await this.query(
      `INSERT INTO ${this.tables.nodes} AS n
         (id, role, version, definitions, report, started_at, heartbeat_at, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, now(), now(), now() + ${ttl('$6')})
       ON CONFLICT (id) DO UPDATE SET
         started_at = CASE
           WHEN n.role = EXCLUDED.role AND n.version = EXCLUDED.version AND n.definitions = EXCLUDED.definitions
           THEN n.started_at ELSE EXCLUDED.started_at END,
         role = EXCLUDED.role, version = EXCLUDED.version, definitions = EXCLUDED.definitions,
         report = EXCLUDED.report, heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at`,
      [node.id, node.role, node.version, json(node.definitions), json(node.report), ttlMs],
    );
  }

  async listNodes(): Promise<NodeRecord[]> {
    const rows = await this.query<NodeRow>(
      `SELECT id, role, version, definitions, report, started_at, heartbeat_at, expires_at > now() AS alive
       FROM ${this.tables.nodes} ORDER BY id`,
      [],
    );
    return rows.map(toNodeRecord);
  }

  async removeNode(id: string): Promise<void> {
    await this.query(`DELETE FROM ${this.tables.nodes} WHERE id = $1`, [id]);
  }

  // Admin requests ---------------------------------------------------------------------------------

  async submit(request: AdminRequestDraft): Promise<AdminRequestRecord> {
    // clock_timestamp(), not now(): the time of this row, so requests order by when they were written.
    const rows = await this.query<RequestRow>(
      `INSERT INTO ${this.tables.requests} (id, projection, action, args, from_node, status, requested_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', clock_timestamp())
       RETURNING ${REQUEST_COLUMNS}`,
      [randomUUID(), request.projection, request.action, json(request.args), request.from],
    );
    return toRequest(rows[0]!);
  }

  async pending(projections: readonly string[]): Promise<AdminRequestRecord[]> {
    if (projections.length === 0) return [];
    const rows = await this.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM ${this.tables.requests}
       WHERE status = 'pending' AND projection = ANY($1::text[]) ORDER BY requested_at, id`,
      [projections],
    );
    return rows.map(toRequest);
  }

  async claim(id: string, node: string): Promise<boolean> {
    // A second claimer waits for the first one's row lock, then finds the status changed: one wins.
    const rows = await this.query<{ id: string }>(
      `UPDATE ${this.tables.requests} SET status = 'running', run_by = $2
       WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id, node],
    );
    return rows.length === 1;
  }

  async complete(id: string, status: 'done' | 'failed', outcome: unknown): Promise<void> {
    const rows = await this.query<{ id: string }>(
      `UPDATE ${this.tables.requests} SET status = $2, outcome = $3::jsonb, completed_at = now()
       WHERE id = $1 AND status = 'running' RETURNING id`,
      [id, status, json(outcome)],
    );
    if (rows.length === 1) return;
    const current = await this.readRequest(id);
    throw new AdminRequestNotClaimedError(id, current?.status);
  }

  async readRequest(id: string): Promise<AdminRequestRecord | undefined> {
    const rows = await this.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM ${this.tables.requests} WHERE id = $1`,
      [id],
    );
    return rows[0] && toRequest(rows[0]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  // ------------------------------------------------------------------------------------------------

  /** Forgets nodes dead and requests finished for more than PRUNE_AFTER_MS (database clock). */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.query(
      `WITH dead AS (DELETE FROM ${this.tables.nodes} WHERE expires_at < now() - ${ttl('$1')})
       DELETE FROM ${this.tables.requests} WHERE completed_at < now() - ${ttl('$1')}`,
      [PRUNE_AFTER_MS],
    );
  }

  private async query<Row extends object>(sql: string, params: unknown[]): Promise<Row[]> {
    if (this.closed) {
      throw new CoordinationStoreUnavailableError(
        'postgres',
        'this store instance was closed; create a new one',
      );
    }
    await this.initialize();
    try {
      const rows = (await this.pool.query<Row>(sql, params)).rows;
      this.watch.reached();
      return rows;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async createTables(): Promise<void> {
    const exists = await this.pool.query<{ ready: boolean }>(tablesExistSql(this.tables));
    if (exists.rows[0]?.ready === true) return;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(createTablesSql(this.tables));
        return;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Lost a race to someone creating the schema without our lock: once more finds it there.
        if (attempt >= 3 || !isCreationRace(error)) throw error;
      } finally {
        client.release();
      }
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof CoordinationStoreUnavailableError || !isUnavailable(error)) return error;
    this.watch.lost(error);
    const { code, message } = error as { code?: unknown; message?: unknown };
    const detail = typeof message === 'string' && message !== '' ? message : String(code ?? error);
    return new CoordinationStoreUnavailableError(
      'postgres',
      `cannot reach PostgreSQL at ${this.server} (${typeof code === 'string' ? `${code}: ` : ''}${detail})`,
      { cause: error },
    );
  }
}

export function createPostgresCoordinationStore(
  options: PostgresCoordinationOptions,
): PostgresCoordinationStore {
  return new PostgresCoordinationStore(options);
}
