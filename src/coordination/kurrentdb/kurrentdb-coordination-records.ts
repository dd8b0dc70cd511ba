/**
 * How the KurrentDB coordination store keeps its records as streams (pure: names, event shapes, and the
 * record each stream's LAST event describes). Every event carries the whole record, so a stream truncated
 * by maxCount or maxAge still answers from its last event alone.
 *
 * All streams start with `$`: KurrentDB treats them as system streams, so Prism's projections (which skip
 * `$` streams, see ../../eventstore/kurrentdb/README.md) never see them. Writing them needs a user allowed
 * to write system streams (an admin, or an ACL on `$prism-*`).
 *
 *   $prism-lease-<resource>       LeaseAcquired / LeaseRenewed / LeaseReleased {holder, epoch, ttlMs, ...}
 *   $prism-leases                 LeaseResourceSeen {resource}: the index listLeases reads
 *   $prism-node-<id>              NodeHeartbeat {announcement, ttlMs, startedAt} / NodeRemoved
 *   $prism-nodes                  NodeSeen {id}: the index listNodes reads (re-written while a node lives)
 *   $prism-admin-<id>             AdminRequestSubmitted / Claimed / Completed {the request}
 *   $prism-admin-queue-<projection> AdminRequestQueued {id}: what `pending` reads
 *   $prism-clock                  ClockProbe {}: written to learn the server's time (see the store)
 */
import type {
  AdminAction,
  AdminRequestRecord,
  AdminRequestStatus,
  LeaseRecord,
  NodeAnnouncement,
  NodeRecord,
  PrismRole,
} from '../coordination.port';
import type { StreamRecord } from './coordination-streams';

export const streams = {
  lease: (resource: string) => `$prism-lease-${resource}`,
  leaseIndex: '$prism-leases',
  node: (id: string) => `$prism-node-${id}`,
  nodeIndex: '$prism-nodes',
  request: (id: string) => `$prism-admin-${id}`,
  queue: (projection: string) => `$prism-admin-queue-${projection}`,
  clock: '$prism-clock',
} as const;

export const LEASE_ACQUIRED = 'LeaseAcquired';
export const LEASE_RENEWED = 'LeaseRenewed';
export const LEASE_RELEASED = 'LeaseReleased';
export const LEASE_RESOURCE_SEEN = 'LeaseResourceSeen';
export const NODE_HEARTBEAT = 'NodeHeartbeat';
export const NODE_REMOVED = 'NodeRemoved';
export const NODE_SEEN = 'NodeSeen';
export const REQUEST_SUBMITTED = 'AdminRequestSubmitted';
export const REQUEST_CLAIMED = 'AdminRequestClaimed';
export const REQUEST_COMPLETED = 'AdminRequestCompleted';
export const REQUEST_QUEUED = 'AdminRequestQueued';
export const CLOCK_PROBE = 'ClockProbe';

/** A lease as its stream's last event describes it, with the event's revision (the compare-and-set). */
export interface LeaseState extends Omit<LeaseRecord, 'expired'> {
  readonly revision: bigint;
  readonly released: boolean;
  readonly ttlMs: number;
}

/** Data of every lease event. */
export interface LeaseEventData extends Record<string, unknown> {
  readonly resource: string;
  readonly holder: string;
  readonly epoch: string;
  readonly ttlMs: number;
  /** ISO time of the acquisition; absent on LeaseAcquired (its own `created`). */
  readonly acquiredAt?: string;
  /** ISO time of the last acquisition or renewal; only on LeaseReleased. */
  readonly renewedAt?: string;
}

export function leaseState(event: StreamRecord): LeaseState {
  const data = event.data as unknown as LeaseEventData;
  const created = event.created;
  const released = event.type === LEASE_RELEASED;
  return {
    resource: data.resource,
    holder: data.holder,
    epoch: BigInt(data.epoch),
    acquiredAt: data.acquiredAt === undefined ? created : new Date(data.acquiredAt),
    renewedAt: released && data.renewedAt !== undefined ? new Date(data.renewedAt) : created,
    // A released lease lapsed when it was released; the others when their TTL from the write ran out.
    expiresAt: released ? created : new Date(created.getTime() + data.ttlMs),
    revision: event.revision,
    released,
    ttlMs: data.ttlMs,
  };
}

/** Data of NodeHeartbeat: the announcement, its TTL, and its start time when it continues an earlier one. */
export interface NodeEventData extends Record<string, unknown> {
  readonly id: string;
  readonly role: PrismRole;
  readonly version: string;
  readonly definitions: Record<string, string>;
  readonly report: unknown;
  readonly ttlMs: number;
  /** ISO; null when this heartbeat starts the node (its own `created` is the start). */
  readonly startedAt: string | null;
}

export interface NodeState extends Omit<NodeRecord, 'alive'> {
  readonly expiresAt: Date;
}

export function nodeState(event: StreamRecord): NodeState | undefined {
  if (event.type !== NODE_HEARTBEAT) return undefined;
  const data = event.data as unknown as NodeEventData;
  return {
    id: data.id,
    role: data.role,
    version: data.version,
    definitions: data.definitions,
    report: data.report ?? null,
    startedAt: data.startedAt === null ? event.created : new Date(data.startedAt),
    heartbeatAt: event.created,
    expiresAt: new Date(event.created.getTime() + data.ttlMs),
  };
}

export function nodeEventData(node: NodeAnnouncement, ttlMs: number, startedAt: Date | null): NodeEventData {
  return {
    id: node.id,
    role: node.role,
    version: node.version,
    definitions: { ...node.definitions },
    report: node.report ?? null,
    ttlMs,
    startedAt: startedAt === null ? null : startedAt.toISOString(),
  };
}

/** Data of every request event: the request as it stands. */
export interface RequestEventData extends Record<string, unknown> {
  readonly id: string;
  readonly projection: string;
  readonly action: AdminAction;
  readonly args: Record<string, string>;
  readonly from: string;
  readonly status: AdminRequestStatus;
  /** ISO; absent on AdminRequestSubmitted (its own `created`). */
  readonly requestedAt?: string;
  readonly runBy: string | null;
  readonly outcome: unknown;
}

export interface RequestState {
  readonly record: AdminRequestRecord;
  readonly revision: bigint;
  /** The last event's log position: orders requests written in the same millisecond. */
  readonly position: bigint | undefined;
}

export function requestState(event: StreamRecord): RequestState {
  const data = event.data as unknown as RequestEventData;
  const finished = data.status === 'done' || data.status === 'failed';
  return {
    revision: event.revision,
    position: event.position,
    record: {
      id: data.id,
      projection: data.projection,
      action: data.action,
      args: data.args,
      from: data.from,
      status: data.status,
      requestedAt: data.requestedAt === undefined ? event.created : new Date(data.requestedAt),
      runBy: data.runBy,
      outcome: data.outcome ?? null,
      completedAt: finished ? event.created : null,
    },
  };
}

/** The data of the next event of a request: what changes, on top of what stays. */
export function nextRequestData(
  current: AdminRequestRecord,
  change: Pick<RequestEventData, 'status' | 'runBy' | 'outcome'>,
): RequestEventData {
  return {
    id: current.id,
    projection: current.projection,
    action: current.action,
    args: { ...current.args },
    from: current.from,
    requestedAt: current.requestedAt.toISOString(),
    ...change,
  };
}
