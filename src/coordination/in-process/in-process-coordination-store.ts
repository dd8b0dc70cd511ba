/**
 * The coordination store of one process (the embedded defaults): Maps and the local clock. Leases, node
 * announcements and admin requests behave exactly as the shared stores' do (the same contract runs on it),
 * so a single Prism uses the same ownership code path as a cluster, but nothing here is visible to another
 * process: it says so (`shared: false`), and roles other than `all` refuse it.
 */
import { randomUUID } from 'node:crypto';
import type {
  AdminRequestDraft,
  AdminRequestRecord,
  AdminRequestStatus,
  CoordinationStore,
  Lease,
  LeaseRecord,
  NodeAnnouncement,
  NodeRecord,
} from '../coordination.port';
import { PRUNE_AFTER_MS, sameAnnouncement } from '../coordination-rules';
import { AdminRequestNotClaimedError } from '../coordination.errors';

export interface InProcessCoordinationOptions {
  /** The clock (milliseconds); Date.now by default. Tests may pass their own. */
  readonly now?: () => number;
}

interface StoredLease {
  holder: string;
  epoch: bigint;
  acquiredAt: number;
  renewedAt: number;
  expiresAt: number;
}

interface StoredNode {
  announcement: NodeAnnouncement;
  startedAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

interface StoredRequest extends AdminRequestDraft {
  readonly id: string;
  readonly seq: number;
  status: AdminRequestStatus;
  readonly requestedAt: number;
  runBy: string | null;
  outcome: unknown;
  completedAt: number | null;
}

export class InProcessCoordinationStore implements CoordinationStore {
  readonly kind = 'in-process';
  readonly shared = false;
  private readonly now: () => number;
  private readonly leases = new Map<string, StoredLease>();
  private readonly nodes = new Map<string, StoredNode>();
  private readonly requests = new Map<string, StoredRequest>();
  private seq = 0;

  constructor(options: InProcessCoordinationOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async initialize(): Promise<void> {}

  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const now = this.now();
    const current = this.leases.get(resource);
    if (current !== undefined && current.holder !== holder && current.expiresAt > now) return undefined;
    // The epoch survives release and expiry: it only ever grows, whoever acquires next.
    const epoch = (current?.epoch ?? 0n) + 1n;
    this.leases.set(resource, { holder, epoch, acquiredAt: now, renewedAt: now, expiresAt: now + ttlMs });
    return { resource, holder, epoch, localDeadline: now + ttlMs };
  }

  async renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]> {
    const now = this.now();
    const renewed: Lease[] = [];
    for (const lease of leases) {
      const current = this.leases.get(lease.resource);
      if (!holds(current, lease) || current.expiresAt <= now) continue;
      current.renewedAt = now;
      current.expiresAt = now + ttlMs;
      renewed.push({ ...lease, localDeadline: now + ttlMs });
    }
    return renewed;
  }

  async release(lease: Lease): Promise<void> {
    const current = this.leases.get(lease.resource);
    // Kept (not deleted), lapsed: the next holder's epoch must still be higher.
    if (holds(current, lease)) current.expiresAt = Math.min(current.expiresAt, this.now());
  }

  async listLeases(): Promise<LeaseRecord[]> {
    const now = this.now();
    return [...this.leases.entries()]
      .map(([resource, lease]) => ({
        resource,
        holder: lease.holder,
        epoch: lease.epoch,
        acquiredAt: new Date(lease.acquiredAt),
        renewedAt: new Date(lease.renewedAt),
        expiresAt: new Date(lease.expiresAt),
        expired: lease.expiresAt <= now,
      }))
      .sort((a, b) => compare(a.resource, b.resource));
  }

  async heartbeat(node: NodeAnnouncement, ttlMs: number): Promise<void> {
    const now = this.now();
    this.prune(now);
    const current = this.nodes.get(node.id);
    const startedAt =
      current !== undefined && sameAnnouncement(current.announcement, node) ? current.startedAt : now;
    this.nodes.set(node.id, {
      announcement: copy(node),
      startedAt,
      heartbeatAt: now,
      expiresAt: now + ttlMs,
    });
  }

  async listNodes(): Promise<NodeRecord[]> {
    const now = this.now();
    return [...this.nodes.values()]
      .map((node) => ({
        ...copy(node.announcement),
        startedAt: new Date(node.startedAt),
        heartbeatAt: new Date(node.heartbeatAt),
        alive: node.expiresAt > now,
      }))
      .sort((a, b) => compare(a.id, b.id));
  }

  async removeNode(id: string): Promise<void> {
    this.nodes.delete(id);
  }

  async submit(request: AdminRequestDraft): Promise<AdminRequestRecord> {
    const stored: StoredRequest = {
      ...copy(request),
      id: randomUUID(),
      seq: ++this.seq,
      status: 'pending',
      requestedAt: this.now(),
      runBy: null,
      outcome: null,
      completedAt: null,
    };
    this.requests.set(stored.id, stored);
    return toRecord(stored);
  }

  async pending(projections: readonly string[]): Promise<AdminRequestRecord[]> {
    const wanted = new Set(projections);
    return [...this.requests.values()]
      .filter((request) => request.status === 'pending' && wanted.has(request.projection))
      .sort((a, b) => a.seq - b.seq)
      .map(toRecord);
  }

  async claim(id: string, node: string): Promise<boolean> {
    const request = this.requests.get(id);
    if (request?.status !== 'pending') return false;
    request.status = 'running';
    request.runBy = node;
    return true;
  }

  async complete(id: string, status: 'done' | 'failed', outcome: unknown): Promise<void> {
    const request = this.requests.get(id);
    if (request?.status !== 'running') throw new AdminRequestNotClaimedError(id, request?.status);
    request.status = status;
    request.outcome = outcome === undefined ? null : copy(outcome);
    request.completedAt = this.now();
  }

  async readRequest(id: string): Promise<AdminRequestRecord | undefined> {
    const request = this.requests.get(id);
    return request && toRecord(request);
  }

  async close(): Promise<void> {}

  /** Forgets nodes dead and requests finished for more than PRUNE_AFTER_MS, as the shared stores do. */
  private prune(now: number): void {
    for (const [id, node] of this.nodes) if (node.expiresAt < now - PRUNE_AFTER_MS) this.nodes.delete(id);
    for (const [id, request] of this.requests) {
      if (request.completedAt !== null && request.completedAt < now - PRUNE_AFTER_MS)
        this.requests.delete(id);
    }
  }
}

function holds(current: StoredLease | undefined, lease: Lease): current is StoredLease {
  return current !== undefined && current.holder === lease.holder && current.epoch === lease.epoch;
}

function toRecord(request: StoredRequest): AdminRequestRecord {
  return {
    id: request.id,
    projection: request.projection,
    action: request.action,
    args: { ...request.args },
    from: request.from,
    status: request.status,
    requestedAt: new Date(request.requestedAt),
    runBy: request.runBy,
    outcome: request.outcome === null ? null : copy(request.outcome),
    completedAt: request.completedAt === null ? null : new Date(request.completedAt),
  };
}

/** What the shared stores do by writing JSON: callers never share a mutable object with the store. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
