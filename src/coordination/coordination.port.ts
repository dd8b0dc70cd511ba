/**
 * The coordination port (issue #15): what several Prism processes share to decide who runs which
 * projection. One store every node already reaches holds three kinds of records:
 *
 *  - leases: one per projection (later per segment). A lease has a holder (a node id), an epoch that
 *    grows by one on every acquisition (the fencing token: each commit carries it and a target refuses
 *    an epoch lower than the one stored with the checkpoint), and an expiry on the STORE's clock, so
 *    nodes with skewed clocks agree on when it lapsed. A frozen holder (GC pause, SIGSTOP) keeps no lease
 *    past its expiry: nothing here depends on a session staying open.
 *  - nodes: every process announces itself (id, role, start time, the fingerprints of its definitions,
 *    a status report of what it runs) and renews the announcement; one not renewed for its TTL is gone.
 *  - admin requests: an operator's pause, rebuild, replay ... sent to any node is written here and run
 *    by the node that owns the projection, which writes the outcome back (desired state, applied by the
 *    owner), so any node can answer it.
 *
 * Implementations: PostgreSQL lease rows with compare-and-set (src/coordination/postgres/), KurrentDB
 * streams guarded by expected revision (src/coordination/kurrentdb/), and an in-process store for one
 * process (the embedded defaults), which says so (`shared: false`). test/contract/coordination.contract.ts
 * is the definition of "works" for all of them.
 */

/** Which kind of Prism process this is (PRISM_ROLE). */
export type PrismRole = 'all' | 'api' | 'worker';

export const PRISM_ROLES: readonly PrismRole[] = ['all', 'api', 'worker'];

/** Whether a role runs projections (holds leases). */
export function runsProjections(role: PrismRole): boolean {
  return role !== 'api';
}

/** Whether a role serves commands, queries and the admin API. */
export function servesApi(role: PrismRole): boolean {
  return role !== 'worker';
}

/** A lease as its holder sees it right after acquiring or renewing it. */
export interface Lease {
  /** What the lease is for: a projection's name (segments: `name#segment`). */
  readonly resource: string;
  readonly holder: string;
  /** Grows by one on every acquisition, by anyone; the fencing token commits carry. */
  readonly epoch: bigint;
  /**
   * When the lease lapses unless renewed, as a LOCAL deadline (`Date.now()` milliseconds): the local time
   * the request was sent plus the TTL, so a holder stops work no later than the store expires it.
   */
  readonly localDeadline: number;
}

/** A lease as `listLeases` reports it (store time). */
export interface LeaseRecord {
  readonly resource: string;
  readonly holder: string;
  readonly epoch: bigint;
  readonly acquiredAt: Date;
  readonly renewedAt: Date;
  readonly expiresAt: Date;
  /** Whether it has lapsed (by the store's clock when the list was read). */
  readonly expired: boolean;
}

/** What a node announces about itself (renewed with every heartbeat). */
export interface NodeAnnouncement {
  readonly id: string;
  readonly role: PrismRole;
  /** Prism's package version. */
  readonly version: string;
  /** Projection name -> fingerprint of the definition this node loaded. */
  readonly definitions: Readonly<Record<string, string>>;
  /** What the node runs, as the admin API reports it (JSON); null on nodes that run nothing. */
  readonly report: unknown;
}

export interface NodeRecord extends NodeAnnouncement {
  /** When the node first announced itself (store time): rolling deploys prefer the newest node's definitions. */
  readonly startedAt: Date;
  readonly heartbeatAt: Date;
  /** Whether its last heartbeat is within its TTL (store time when the list was read). */
  readonly alive: boolean;
}

export type AdminAction = 'pause' | 'resume' | 'rebuild' | 'reset' | 'replay' | 'discard';

export interface AdminRequestDraft {
  readonly projection: string;
  readonly action: AdminAction;
  /** e.g. `{ position: "42" }` for replay and discard. */
  readonly args: Readonly<Record<string, string>>;
  /** The node that received it (for status and logs). */
  readonly from: string;
}

export type AdminRequestStatus = 'pending' | 'running' | 'done' | 'failed';

export interface AdminRequestRecord extends AdminRequestDraft {
  readonly id: string;
  readonly status: AdminRequestStatus;
  readonly requestedAt: Date;
  /** The node running or having run it. */
  readonly runBy: string | null;
  /** The outcome (JSON the admin API answers with), or the error `{ code, status, message }` when failed. */
  readonly outcome: unknown;
  readonly completedAt: Date | null;
}

export interface CoordinationStore {
  /** `postgres`, `kurrentdb`, `in-process` ... */
  readonly kind: string;
  /** False for a store only one process can use (in-process): roles other than `all` are refused. */
  readonly shared: boolean;

  /** Creates the store's records if missing. Idempotent. */
  initialize(): Promise<void>;

  // Leases -----------------------------------------------------------------------------------------

  /**
   * Takes the lease when it is free, lapsed, or already held by `holder` (the epoch grows in every case),
   * for `ttlMs`; undefined when someone else holds it unexpired.
   */
  acquire(resource: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Extends leases this holder still holds at the same epoch and unexpired (store time); returns the
   * renewed ones. A lease missing from the answer is lost: stop its work.
   */
  renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]>;
  /** Gives a lease up (only if still held at that epoch), so a standby takes it at once. */
  release(lease: Lease): Promise<void>;
  listLeases(): Promise<LeaseRecord[]>;

  // Nodes ------------------------------------------------------------------------------------------

  /** Creates or renews this node's announcement; alive for `ttlMs` from now (store time). */
  heartbeat(node: NodeAnnouncement, ttlMs: number): Promise<void>;
  /** Every announced node, alive or not (long-dead ones may be pruned). */
  listNodes(): Promise<NodeRecord[]>;
  /** Removes a node's announcement (a graceful stop). */
  removeNode(id: string): Promise<void>;

  // Admin requests ---------------------------------------------------------------------------------

  submit(request: AdminRequestDraft): Promise<AdminRequestRecord>;
  /** Pending requests for these projections, oldest first. */
  pending(projections: readonly string[]): Promise<AdminRequestRecord[]>;
  /** Marks a pending request `running` by `node`; false when another node claimed it first. */
  claim(id: string, node: string): Promise<boolean>;
  /** Records the outcome of a claimed request (`done` or `failed`). */
  complete(id: string, status: 'done' | 'failed', outcome: unknown): Promise<void>;
  readRequest(id: string): Promise<AdminRequestRecord | undefined>;

  close(): Promise<void>;
}
