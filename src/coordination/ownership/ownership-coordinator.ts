/**
 * The lease keeper of one node (issue #15): it announces the node, holds the leases of the projections the
 * node runs, and tells the work (the ProjectionRuntime) when to start and stop each one.
 *
 *   const ownership = new OwnershipCoordinator({
 *     store, // a CoordinationStore every node shares (src/coordination/)
 *     node: { id: 'worker-1', role: 'worker', version: '1.4.0' },
 *     settings: { leaseTtlMs: 6000 },
 *     report: () => statusJson(runtime.status()), // published with every heartbeat
 *   });
 *   await ownership.start(); // heartbeats (every role, `api` too)
 *   const runtime = new ProjectionRuntime({ ..., ownership }); // runtime.start attaches its work
 *   ...
 *   await runtime.stop(); // stops the supervisors, gives the leases up
 *   await ownership.stop(); // removes the node's announcement
 *
 * Every `renewEveryMs` it heartbeats and renews ALL held leases in one call; a lease missing from the
 * answer is lost and its work stops. A renewal that does not come back at all (store unreachable, this
 * process stalled) stops the work at the lease's local deadline (the local time the renewal was sent
 * plus the TTL), which comes no later than the store expires the lease. Every `pollEveryMs` it lists the
 * nodes and leases and follows planShare (share-plan.ts): take free or lapsed leases of projections it
 * may run, give up those it may no longer run, give one up per poll while above its fair share (stop the
 * work first, then release, so a standby takes it at once). Whatever a stalled holder still writes after
 * that is refused by the fence (the lease epoch each commit carries).
 */
import { runsProjections, type CoordinationStore, type Lease, type PrismRole } from '../coordination.port';
import { consoleLogger, type RuntimeLogger } from '../../runtime/runtime.logger';
import type { HeldLease, LeaseOwner, LeaseWork, OwnershipSnapshot } from './lease-work';
import {
  ownershipSettings,
  type OwnershipCoordinatorOptions,
  type OwnershipSettings,
} from './ownership.settings';

export type { OwnershipCoordinatorOptions, OwnershipNode } from './ownership.settings';
import { planShare } from './share-plan';

interface Holding {
  lease: Lease;
  readonly since: number;
  /** Being given up: its work is stopping, then the lease is released. Still renewed meanwhile. */
  releasing: boolean;
}

type KeeperState = 'idle' | 'running' | 'frozen' | 'stopped';

export class OwnershipCoordinator {
  readonly nodeId: string;
  readonly role: PrismRole;
  readonly settings: OwnershipSettings;
  private readonly store: CoordinationStore;
  private readonly logger: RuntimeLogger;
  private readonly held = new Map<string, Holding>();
  private work: LeaseWork | undefined;
  private owners = new Map<string, LeaseOwner>();
  private share = 0;
  private state: KeeperState = 'idle';
  private renewTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private polling: Promise<Promise<void>[]> | undefined;
  /** Work stops and releases under way, awaited by stop(). */
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: OwnershipCoordinatorOptions) {
    this.nodeId = options.node.id;
    this.role = options.node.role;
    this.settings = ownershipSettings(options.settings);
    this.store = options.store;
    this.logger = options.logger ?? consoleLogger;
  }

  /** Announces the node and starts heartbeating (and, once work is attached, taking leases). */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    await this.store.initialize();
    await this.heartbeatNow();
    this.state = 'running';
    this.startTimers();
  }

  /**
   * Hands the keeper the work to run on acquired leases (ProjectionRuntime.start does this). Resolves once
   * the leases taken at a first poll have started their work.
   */
  async attach(work: LeaseWork): Promise<void> {
    if (this.work !== undefined) throw new Error(`Node ${this.nodeId} already runs a projection runtime.`);
    if (this.state === 'idle') await this.start();
    this.work = work;
    await this.heartbeatNow().catch((error: unknown) => this.warn('heartbeat', error));
    await Promise.all(await this.poll());
  }

  /** Stops all work and gives every lease up (ProjectionRuntime.stop does this); the node stays announced. */
  async detach(): Promise<void> {
    const work = this.work;
    this.work = undefined;
    await this.pollSettled();
    if (work !== undefined)
      await Promise.all(
        [...this.held.keys()].map((resource) => this.giveUp(resource, work, 'shutting down')),
      );
    await this.settled();
  }

  /**
   * Stops the keeper. By default gracefully: work stopped, leases released, announcement removed (when
   * this keeper announces the node).
   * With `release: false` it behaves as if the process died (failover tests): timers stop at once, the
   * work stops, and the leases and the announcement stay until they expire.
   */
  async stop(options: { readonly release?: boolean } = {}): Promise<void> {
    if (options.release === false) {
      this.state = 'stopped';
      this.clearTimers();
      const work = this.work;
      this.work = undefined;
      await this.pollSettled();
      const resources = [...this.held.keys()];
      this.held.clear();
      if (work !== undefined)
        await Promise.all(resources.map((resource) => work.stop(resource, 'lease keeper stopped')));
      await this.settled();
      return;
    }
    await this.detach();
    this.state = 'stopped';
    this.clearTimers();
    if (this.options.announce !== false)
      await this.store.removeNode(this.nodeId).catch((error: unknown) => this.warn('remove the node', error));
  }

  /**
   * Stops heartbeats, renewals, polls and the deadline watchdog while the work keeps running: what a
   * frozen process (GC pause, SIGSTOP) looks like from outside, for failover tests. `thaw` undoes it.
   */
  freeze(): void {
    this.state = 'frozen';
    this.clearTimers();
  }

  thaw(): void {
    if (this.state !== 'frozen') return;
    this.state = 'running';
    this.startTimers();
    void this.renew();
  }

  /** The work found the lease lost (a commit or swap was fenced at this epoch): forget it, stop the work. */
  lost(resource: string, epoch: bigint, reason: string): void {
    if (this.held.get(resource)?.lease.epoch !== epoch) return;
    this.loseLease(resource, reason);
  }

  owns(resource: string): boolean {
    return this.held.has(resource);
  }

  /** This node's lease on `resource`, if it holds it. */
  leaseOf(resource: string): HeldLease | undefined {
    const holding = this.held.get(resource);
    return holding === undefined ? undefined : heldLease(holding);
  }

  /** Who holds `resource`: this node, or another one as last listed. */
  ownerOf(resource: string): LeaseOwner | undefined {
    const holding = this.held.get(resource);
    if (holding !== undefined)
      return { node: this.nodeId, epoch: holding.lease.epoch, since: new Date(holding.since) };
    const owner = this.owners.get(resource);
    return owner?.node === this.nodeId ? undefined : owner;
  }

  snapshot(): OwnershipSnapshot {
    const owners: Record<string, LeaseOwner> = {};
    for (const [resource, owner] of this.owners) if (owner.node !== this.nodeId) owners[resource] = owner;
    for (const resource of this.held.keys()) owners[resource] = this.ownerOf(resource)!;
    return {
      node: this.nodeId,
      role: this.role,
      held: [...this.held.values()].map(heldLease),
      owners,
      share: this.share,
    };
  }

  // Internals --------------------------------------------------------------------------------------

  private startTimers(): void {
    this.clearTimers();
    this.renewTimer = setInterval(() => void this.renew(), this.settings.renewEveryMs);
    this.renewTimer.unref();
    this.pollTimer = setInterval(() => void this.poll(), this.settings.pollEveryMs);
    this.pollTimer.unref();
    this.armWatchdog();
  }

  private clearTimers(): void {
    clearInterval(this.renewTimer);
    clearInterval(this.pollTimer);
    clearTimeout(this.watchdog);
    this.renewTimer = this.pollTimer = this.watchdog = undefined;
  }

  /** Announces the node now (also after something changed that others should see at once). */
  heartbeatNow(): Promise<void> {
    if (this.options.announce === false) return Promise.resolve();
    let report: unknown = null;
    try {
      report = this.options.report?.() ?? null;
    } catch (error) {
      this.warn('build the node report', error);
    }
    return this.store.heartbeat(
      {
        id: this.nodeId,
        role: this.role,
        version: this.options.node.version,
        definitions: this.options.node.definitions ?? this.work?.definitions ?? {},
        report,
      },
      this.settings.heartbeatTtlMs,
    );
  }

  /** Heartbeats and renews every held lease in one call; one pass at a time. */
  private renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    const sent = [...this.held.values()].map((holding) => holding.lease);
    const [, renewed] = await Promise.all([
      this.heartbeatNow().catch((error: unknown) => this.warn('heartbeat', error)),
      sent.length === 0
        ? Promise.resolve([])
        : this.store.renew(sent, this.settings.leaseTtlMs).catch((error: unknown) => {
            this.warn(
              'renew its leases (their work stops at their deadline unless a renewal succeeds)',
              error,
            );
            return undefined;
          }),
    ]);
    if (renewed === undefined || this.state !== 'running') return;
    for (const lease of sent) {
      const holding = this.held.get(lease.resource);
      // Given up or lost meanwhile.
      if (holding === undefined || holding.lease.epoch !== lease.epoch) continue;
      const fresh = renewed.find((r) => r.resource === lease.resource && r.epoch === lease.epoch);
      if (fresh !== undefined) holding.lease = fresh;
      else this.loseLease(lease.resource, 'its renewal was refused (it lapsed, or another node took it)');
    }
    this.armWatchdog();
  }

  /** One poll at a time; answers the starts of the work on the leases it took. */
  private poll(): Promise<Promise<void>[]> {
    this.polling ??= this.pollOnce()
      .catch((error: unknown) => {
        this.warn('look for leases to take', error);
        return [];
      })
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<Promise<void>[]> {
    const work = this.work;
    if (work === undefined || this.state !== 'running' || !runsProjections(this.role)) return [];
    const [nodes, leases] = await Promise.all([this.store.listNodes(), this.store.listLeases()]);
    this.owners = new Map(
      leases
        .filter((lease) => !lease.expired)
        .map((lease) => [
          lease.resource,
          { node: lease.holder, epoch: lease.epoch, since: lease.acquiredAt },
        ]),
    );
    const keeping = new Set([...this.held].filter(([, h]) => !h.releasing).map(([resource]) => resource));
    const plan = planShare({
      self: this.nodeId,
      nodes,
      leases,
      held: keeping,
      definitions: work.definitions,
    });
    this.share = plan.share;
    for (const resource of plan.release) {
      const why = plan.runnable.has(resource)
        ? `above this node's fair share (${plan.share})`
        : 'another node runs a newer definition (the preferred one)';
      this.logger.info(`${resource}: giving the lease up: ${why}`);
      this.track(this.giveUp(resource, work, why));
    }
    const starts: Promise<void>[] = [];
    for (const resource of plan.acquire) {
      if (this.work !== work || this.state !== 'running') break;
      const lease = await this.store
        .acquire(resource, this.nodeId, this.settings.leaseTtlMs)
        .catch((error: unknown) => this.warn(`acquire the lease of ${resource}`, error));
      if (lease === undefined) continue;
      if (this.work !== work || this.state !== 'running') {
        await this.store.release(lease).catch(() => undefined);
        break;
      }
      const previous = leases.find((record) => record.resource === resource)?.holder;
      const takeover = previous !== undefined && previous !== this.nodeId;
      this.held.set(resource, { lease, since: Date.now(), releasing: false });
      this.logger.info(
        `${resource}: lease acquired (epoch ${lease.epoch})` +
          (takeover ? `, taking over from ${previous}` : ''),
      );
      starts.push(
        work.start(lease, { takeover, ...(previous !== undefined && { previousHolder: previous }) }),
      );
    }
    this.armWatchdog();
    return starts;
  }

  /** Graceful: the work stops first (its last commit lands), then the lease is released for a standby. */
  private async giveUp(resource: string, work: LeaseWork, reason: string): Promise<void> {
    const holding = this.held.get(resource);
    if (holding === undefined || holding.releasing) return;
    holding.releasing = true;
    await work.stop(resource, reason).catch((error: unknown) => this.warn(`stop ${resource}`, error));
    if (this.held.get(resource) !== holding) return;
    this.held.delete(resource);
    await this.store
      .release(holding.lease)
      .catch((error: unknown) => this.warn(`release ${resource}`, error));
  }

  private loseLease(resource: string, reason: string): void {
    const holding = this.held.get(resource);
    if (holding === undefined) return;
    this.held.delete(resource);
    this.logger.warn(`${resource}: lease lost (epoch ${holding.lease.epoch}): ${reason}; stopping its work`);
    const work = this.work;
    if (work !== undefined && !holding.releasing) this.track(work.stop(resource, `lease lost: ${reason}`));
  }

  /** Stops the work of every lease whose local deadline passed without a renewal. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    if (this.state !== 'running' || this.held.size === 0) return;
    const first = Math.min(...[...this.held.values()].map((holding) => holding.lease.localDeadline));
    this.watchdog = setTimeout(
      () => {
        const now = Date.now();
        for (const [resource, holding] of this.held) {
          if (holding.lease.localDeadline <= now)
            this.loseLease(resource, 'no renewal came back before its deadline');
        }
        this.armWatchdog();
      },
      Math.max(0, first - Date.now()),
    );
    this.watchdog.unref();
  }

  /** Waits for a poll in flight and the starts of the work it took leases for. */
  private async pollSettled(): Promise<void> {
    const starts = await this.polling;
    if (starts !== undefined) await Promise.all(starts);
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.warn('stop work', error));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  private warn(what: string, error: unknown): undefined {
    this.logger.warn(
      `node ${this.nodeId}: could not ${what}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

function heldLease(holding: Holding): HeldLease {
  return {
    resource: holding.lease.resource,
    epoch: holding.lease.epoch,
    since: new Date(holding.since),
    localDeadline: new Date(holding.lease.localDeadline),
  };
}
