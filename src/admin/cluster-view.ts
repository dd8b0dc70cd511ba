/**
 * The nodes and leases in the coordination store, read for the admin API (issue #15): who owns each
 * projection (an unexpired lease whose holder is alive), what each owner reported about the projections it
 * runs, and every node for `GET /admin/nodes`. Ages are measured against this node's clock from the store's
 * times, so clock skew between the store and this node shows in them (leases themselves expire on the
 * store's clock only).
 */
import type { CoordinationStore, LeaseRecord, NodeRecord } from '../coordination/coordination.port';
import type { ProjectionOwnerJson, ProjectionStatusJson } from './admin.dto';

export interface NodeLeaseJson {
  readonly projection: string;
  readonly epoch: string;
  readonly since: string;
  readonly ageMs: number;
  /** Until the lease lapses unless renewed (negative: lapsed). */
  readonly expiresInMs: number;
}

export interface NodeJson {
  readonly id: string;
  readonly role: string;
  readonly version: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly heartbeatAgeMs: number;
  readonly alive: boolean;
  /** This node answered the request. */
  readonly self: boolean;
  /** Projection name -> fingerprint of the definition the node loaded. */
  readonly definitions: Readonly<Record<string, string>>;
  /** The leases it holds (unexpired). */
  readonly leases: readonly NodeLeaseJson[];
}

export interface NodesJson {
  /** The coordination store's kind (postgres, kurrentdb, in-process). */
  readonly coordination: string;
  readonly nodes: readonly NodeJson[];
}

/** One read of the store: every node and lease, at one local time. */
export class ClusterSnapshot {
  private readonly owners = new Map<string, { readonly lease: LeaseRecord; readonly node: NodeRecord }>();

  constructor(
    readonly nodes: readonly NodeRecord[],
    readonly leases: readonly LeaseRecord[],
    readonly now: number = Date.now(),
    /** Why the store could not be read (then the snapshot is empty). */
    readonly unavailable?: string,
  ) {
    const alive = new Map(nodes.filter((node) => node.alive).map((node) => [node.id, node]));
    for (const lease of leases) {
      const node = alive.get(lease.holder);
      if (!lease.expired && node !== undefined) this.owners.set(lease.resource, { lease, node });
    }
  }

  static async read(store: CoordinationStore): Promise<ClusterSnapshot> {
    const [nodes, leases] = await Promise.all([store.listNodes(), store.listLeases()]);
    return new ClusterSnapshot(nodes, leases);
  }

  /** An empty snapshot of a store that could not be read, saying why. */
  static unreadable(error: unknown): ClusterSnapshot {
    return new ClusterSnapshot([], [], Date.now(), error instanceof Error ? error.message : String(error));
  }

  /** The live node holding the projection's lease, if any. */
  owner(projection: string): ProjectionOwnerJson | undefined {
    const found = this.owners.get(projection);
    if (found === undefined) return undefined;
    return {
      node: found.node.id,
      epoch: found.lease.epoch.toString(),
      since: found.lease.acquiredAt.toISOString(),
      leaseAgeMs: Math.max(0, this.now - found.lease.acquiredAt.getTime()),
    };
  }

  /** What the projection's owner last reported about it (its status JSON), if it did. */
  reported(projection: string): (ProjectionStatusJson & { readonly reportedAt?: string }) | undefined {
    const found = this.owners.get(projection);
    const report = found?.node.report as { at?: unknown; projections?: unknown } | null | undefined;
    if (report === null || report === undefined || !Array.isArray(report.projections)) return undefined;
    const status = (report.projections as ProjectionStatusJson[]).find((entry) => entry?.name === projection);
    if (status === undefined) return undefined;
    return { ...status, ...(typeof report.at === 'string' && { reportedAt: report.at }) };
  }

  nodesJson(self: string, coordination: string): NodesJson {
    const nodes = [...this.nodes].sort(
      (a, b) => Number(b.alive) - Number(a.alive) || a.id.localeCompare(b.id),
    );
    return {
      coordination,
      nodes: nodes.map((node) => ({
        id: node.id,
        role: node.role,
        version: node.version,
        startedAt: node.startedAt.toISOString(),
        heartbeatAt: node.heartbeatAt.toISOString(),
        heartbeatAgeMs: Math.max(0, this.now - node.heartbeatAt.getTime()),
        alive: node.alive,
        self: node.id === self,
        definitions: node.definitions,
        leases: this.leases
          .filter((lease) => lease.holder === node.id && !lease.expired)
          .sort((a, b) => a.resource.localeCompare(b.resource))
          .map((lease) => ({
            projection: lease.resource,
            epoch: lease.epoch.toString(),
            since: lease.acquiredAt.toISOString(),
            ageMs: Math.max(0, this.now - lease.acquiredAt.getTime()),
            expiresInMs: lease.expiresAt.getTime() - this.now,
          })),
      })),
    };
  }
}
