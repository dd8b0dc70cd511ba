/**
 * The coordination store on KurrentDB alone (no PostgreSQL configured): every record is a stream (see
 * kurrentdb-coordination-records.ts) and every change that must not race is an append with an expected
 * revision, the same compare-and-set idempotent appends rely on.
 *
 * Leases: read the lease stream's last event; the lease may be taken when there is none, when it was
 * released, when it is the caller's own, or when it lapsed (`created` + ttlMs on the SERVER's clock,
 * judged by server-clock.ts's lower bound). Then `LeaseAcquired {holder, epoch + 1, ttlMs}` is appended
 * expecting exactly that last revision: of concurrent acquirers one append succeeds and the others find
 * the revision moved (undefined). Renew appends `LeaseRenewed` the same way, one lease stream at a time
 * (KurrentDB has no multi-stream transaction; the appends run side by side), and release `LeaseReleased`.
 * A holder's local deadline counts from before its read, so it stops before the server's expiry.
 *
 * Nodes and admin requests are streams too; claiming a request is `AdminRequestClaimed` expecting the
 * submitted revision, so two claimers cannot both win.
 */
import { randomUUID } from 'node:crypto';
import { PRUNE_AFTER_MS, sameAnnouncement } from '../coordination-rules';
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
import { KurrentDbCoordinationStreams, type CoordinationStreams } from './coordination-streams';
import {
  LEASE_ACQUIRED,
  LEASE_RELEASED,
  LEASE_RENEWED,
  LEASE_RESOURCE_SEEN,
  NODE_HEARTBEAT,
  NODE_REMOVED,
  NODE_SEEN,
  REQUEST_CLAIMED,
  REQUEST_COMPLETED,
  REQUEST_QUEUED,
  REQUEST_SUBMITTED,
  leaseState,
  nextRequestData,
  nodeEventData,
  nodeState,
  requestState,
  streams as names,
  type LeaseEventData,
  type LeaseState,
  type NodeState,
  type RequestState,
} from './kurrentdb-coordination-records';
import { ServerClock } from './server-clock';

export interface KurrentDbCoordinationOptions {
  /** e.g. kurrentdb://admin:changeit@127.0.0.1:2113?tls=false (a user allowed to write `$` streams). */
  readonly connectionString: string;
}

/** Lease streams keep a few events (the last one is the lease); never an age limit: epochs must survive. */
const LEASE_MAX_COUNT = 4;
/** Node and request streams are forgotten by age (the readers also hide what is older than PRUNE_AFTER_MS). */
const RECORD_MAX_AGE_S = (2 * PRUNE_AFTER_MS) / 1000;
/** A live node writes its entry in the node index again this often, so the index's age limit keeps it. */
const NODE_INDEX_EVERY_MS = 10 * 60 * 1000;

export class KurrentDbCoordinationStore implements CoordinationStore {
  readonly kind = 'kurrentdb';
  readonly shared = true;
  private readonly clock: ServerClock;
  /** Indexes whose settings this process has written. */
  private readonly settled = new Set<string>();
  /** Node id -> local time this process last wrote it to the node index. */
  private readonly indexedNodes = new Map<string, number>();
  /** Requests seen past `pending`: they never become pending again, so `pending` stops reading them. */
  private readonly notPending = new Set<string>();
  private closed = false;

  constructor(
    private readonly streams: CoordinationStreams,
    options: { readonly clockRefreshMs?: number } = {},
  ) {
    this.clock = new ServerClock(streams, options.clockRefreshMs);
  }

  /** Nothing to create; reads the server's clock once, which shows an unreachable server or a missing permission now. */
  async initialize(): Promise<void> {
    this.assertOpen();
    await this.clock.now();
  }

  // Leases -----------------------------------------------------------------------------------------

  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    this.assertOpen();
    const sent = Date.now();
    const stream = names.lease(resource);
    const last = await this.streams.last(stream);
    const current = last && leaseState(last);
    if (current === undefined) {
      // Indexed before the lease exists, so a crash in between cannot hide the lease from listLeases.
      await this.streams.append(names.leaseIndex, LEASE_RESOURCE_SEEN, { resource }, 'any');
    } else if (current.holder !== holder && !current.released && !(await this.lapsed(current.expiresAt))) {
      return undefined;
    }
    const epoch = (current?.epoch ?? 0n) + 1n;
    const data: LeaseEventData = { resource, holder, epoch: epoch.toString(), ttlMs };
    const revision = await this.streams.append(
      stream,
      LEASE_ACQUIRED,
      data,
      current === undefined ? 'no_stream' : current.revision,
    );
    if (revision === undefined) return undefined;
    if (current === undefined) await this.streams.setSettings(stream, { maxCount: LEASE_MAX_COUNT });
    return { resource, holder, epoch, localDeadline: sent + ttlMs };
  }

  async renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]> {
    this.assertOpen();
    const sent = Date.now();
    const renewed = await Promise.all(
      leases.map(async (lease) => {
        const current = await this.held(lease);
        if (current === undefined || (await this.lapsed(current.expiresAt))) return undefined;
        const revision = await this.streams.append(
          names.lease(lease.resource),
          LEASE_RENEWED,
          leaseData(current, ttlMs),
          current.revision,
        );
        return revision === undefined ? undefined : { ...lease, localDeadline: sent + ttlMs };
      }),
    );
    return renewed.filter((lease): lease is Lease => lease !== undefined);
  }

  async release(lease: Lease): Promise<void> {
    this.assertOpen();
    const current = await this.held(lease);
    if (current === undefined) return;
    // A conflict means someone else moved the lease meanwhile: nothing of ours is left to release.
    await this.streams.append(
      names.lease(lease.resource),
      LEASE_RELEASED,
      { ...leaseData(current, current.ttlMs), renewedAt: current.renewedAt.toISOString() },
      current.revision,
    );
  }

  async listLeases(): Promise<LeaseRecord[]> {
    this.assertOpen();
    const resources = unique(
      (await this.streams.read(names.leaseIndex)).map((event) => String(event.data['resource'])),
    );
    const states = await Promise.all(
      resources.map(async (resource) => {
        const last = await this.streams.last(names.lease(resource));
        return last && leaseState(last);
      }),
    );
    const now = await this.clock.now();
    return (
      states
        .filter((state): state is LeaseState => state !== undefined)
        // A released lease is lapsed at once, whatever the clock estimate says (it trails the server's).
        .map(({ revision: _revision, released, ttlMs: _ttl, ...record }) => ({
          ...record,
          expired: released || now >= record.expiresAt.getTime(),
        }))
        .sort((a, b) => compare(a.resource, b.resource))
    );
  }

  // Nodes ------------------------------------------------------------------------------------------

  async heartbeat(node: NodeAnnouncement, ttlMs: number): Promise<void> {
    this.assertOpen();
    const stream = names.node(node.id);
    const last = await this.streams.last(stream);
    const previous = last && nodeState(last);
    const startedAt = previous !== undefined && sameAnnouncement(previous, node) ? previous.startedAt : null;
    await this.streams.append(stream, NODE_HEARTBEAT, nodeEventData(node, ttlMs, startedAt), 'any');
    if (last === undefined) {
      await this.streams.setSettings(stream, { maxCount: 2, maxAge: RECORD_MAX_AGE_S });
    }
    if (Date.now() - (this.indexedNodes.get(node.id) ?? Number.NEGATIVE_INFINITY) > NODE_INDEX_EVERY_MS) {
      await this.settle(names.nodeIndex, { maxAge: RECORD_MAX_AGE_S });
      await this.streams.append(names.nodeIndex, NODE_SEEN, { id: node.id }, 'any');
      this.indexedNodes.set(node.id, Date.now());
    }
  }

  async listNodes(): Promise<NodeRecord[]> {
    this.assertOpen();
    const ids = unique((await this.streams.read(names.nodeIndex)).map((event) => String(event.data['id'])));
    const states = await Promise.all(
      ids.map(async (id) => {
        const last = await this.streams.last(names.node(id));
        return last && nodeState(last);
      }),
    );
    const now = await this.clock.now();
    return states
      .filter(
        (state): state is NodeState =>
          state !== undefined && now - state.expiresAt.getTime() <= PRUNE_AFTER_MS,
      )
      .map(({ expiresAt, ...record }) => ({ ...record, alive: now < expiresAt.getTime() }))
      .sort((a, b) => compare(a.id, b.id));
  }

  async removeNode(id: string): Promise<void> {
    this.assertOpen();
    const stream = names.node(id);
    if ((await this.streams.last(stream))?.type !== NODE_HEARTBEAT) return;
    await this.streams.append(stream, NODE_REMOVED, { id }, 'any');
    this.indexedNodes.delete(id);
  }

  // Admin requests ---------------------------------------------------------------------------------

  async submit(request: AdminRequestDraft): Promise<AdminRequestRecord> {
    this.assertOpen();
    const id = randomUUID();
    const stream = names.request(id);
    await this.streams.append(
      stream,
      REQUEST_SUBMITTED,
      { id, ...request, args: { ...request.args }, status: 'pending', runBy: null, outcome: null },
      'no_stream',
    );
    await this.streams.setSettings(stream, { maxAge: RECORD_MAX_AGE_S });
    await this.settle(names.queue(request.projection), { maxAge: PRUNE_AFTER_MS / 1000 });
    await this.streams.append(names.queue(request.projection), REQUEST_QUEUED, { id }, 'any');
    const record = await this.readRequest(id);
    if (record === undefined)
      throw new Error(`KurrentDB acknowledged admin request ${id} but cannot read it back`);
    return record;
  }

  async pending(projections: readonly string[]): Promise<AdminRequestRecord[]> {
    this.assertOpen();
    const queued = await Promise.all(
      unique(projections).map(async (projection) =>
        (await this.streams.read(names.queue(projection))).map((event) => String(event.data['id'])),
      ),
    );
    const ids = unique(queued.flat()).filter((id) => !this.notPending.has(id));
    const states = await Promise.all(ids.map((id) => this.readState(id)));
    const pending: RequestState[] = [];
    states.forEach((state, i) => {
      if (state?.record.status === 'pending') pending.push(state);
      else if (state !== undefined) this.notPending.add(ids[i]!);
    });
    // A pending request's last event is its submission: its log position breaks ties of the same millisecond.
    return pending
      .sort(
        (a, b) =>
          a.record.requestedAt.getTime() - b.record.requestedAt.getTime() ||
          comparePositions(a.position, b.position) ||
          compare(a.record.id, b.record.id),
      )
      .map((state) => state.record);
  }

  async claim(id: string, node: string): Promise<boolean> {
    this.assertOpen();
    const last = await this.streams.last(names.request(id));
    if (last === undefined) return false;
    const { record, revision } = requestState(last);
    if (record.status !== 'pending') return false;
    const data = nextRequestData(record, { status: 'running', runBy: node, outcome: null });
    const claimed = await this.streams.append(names.request(id), REQUEST_CLAIMED, data, revision);
    return claimed !== undefined;
  }

  async complete(id: string, status: 'done' | 'failed', outcome: unknown): Promise<void> {
    this.assertOpen();
    const last = await this.streams.last(names.request(id));
    const current = last && requestState(last);
    if (current?.record.status === 'running') {
      const data = nextRequestData(current.record, {
        status,
        runBy: current.record.runBy,
        outcome: outcome === undefined ? null : outcome,
      });
      const written = await this.streams.append(names.request(id), REQUEST_COMPLETED, data, current.revision);
      if (written !== undefined) return;
    }
    throw new AdminRequestNotClaimedError(id, (await this.readRequest(id))?.status);
  }

  async readRequest(id: string): Promise<AdminRequestRecord | undefined> {
    this.assertOpen();
    return (await this.readState(id))?.record;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.streams.close();
  }

  // ------------------------------------------------------------------------------------------------

  /** The lease's state when `lease` (holder and epoch) is still what its stream ends with, unreleased. */
  private async held(lease: Lease): Promise<LeaseState | undefined> {
    const last = await this.streams.last(names.lease(lease.resource));
    const current = last && leaseState(last);
    const ours = current?.holder === lease.holder && current.epoch === lease.epoch && !current.released;
    return ours ? current : undefined;
  }

  private async readState(id: string): Promise<RequestState | undefined> {
    const last = await this.streams.last(names.request(id));
    if (last === undefined) return undefined;
    const state = requestState(last);
    const completedAt = state.record.completedAt;
    // Finished for longer than PRUNE_AFTER_MS: forgotten, as the other stores forget it.
    if (completedAt !== null && (await this.clock.now()) - completedAt.getTime() > PRUNE_AFTER_MS) {
      return undefined;
    }
    return state;
  }

  private async lapsed(expiresAt: Date): Promise<boolean> {
    return (await this.clock.now()) >= expiresAt.getTime();
  }

  /** Writes an index stream's settings once per process. */
  private async settle(stream: string, settings: { maxAge: number }): Promise<void> {
    if (this.settled.has(stream)) return;
    await this.streams.setSettings(stream, settings);
    this.settled.add(stream);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new CoordinationStoreUnavailableError(
        'kurrentdb',
        'this store instance was closed; create a new one',
      );
    }
  }
}

export function createKurrentDbCoordinationStore(
  options: KurrentDbCoordinationOptions,
): KurrentDbCoordinationStore {
  return new KurrentDbCoordinationStore(new KurrentDbCoordinationStreams(options.connectionString));
}

function leaseData(current: LeaseState, ttlMs: number): LeaseEventData {
  return {
    resource: current.resource,
    holder: current.holder,
    epoch: current.epoch.toString(),
    ttlMs,
    acquiredAt: current.acquiredAt.toISOString(),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function comparePositions(a: bigint | undefined, b: bigint | undefined): number {
  return a === undefined || b === undefined || a === b ? 0 : a < b ? -1 : 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
