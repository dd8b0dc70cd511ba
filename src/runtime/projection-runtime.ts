/**
 * The projection runtime: runs many projections side by side, one supervisor each, so that a failure
 * in one never stops the others. It is also the one service the admin API and CLI call: status, pause,
 * resume, rebuild, and the parked-event operations.
 *
 *   const runtime = new ProjectionRuntime({
 *     store,
 *     targets: { [target.kind]: target }, // one target per kind of view store
 *     recompile: recompileDefinition, // from src/dsl
 *     definitionOf: definitionModelOf, // from src/dsl
 *   });
 *   await runtime.start(loadProjections(['projections']));
 *   await runtime.waitForCheckpoint('order_summary', appendResult.position);
 */
import { CatchUpBudget } from './runner/batch-sizes';
import type { JsonValue } from '../core/json';
import type { CompiledProjection } from '../core/plan';
import type { TargetKind } from '../core/view-shape';
import type { EventLog } from '../eventstore/event-store.port';
import type { ParkedEvent, Target } from '../stores/target.port';
import type { Lease } from '../coordination/coordination.port';
import type { Acquisition, OwnershipSnapshot } from '../coordination/ownership/lease-work';
import type { OwnershipCoordinator } from '../coordination/ownership/ownership-coordinator';
import type { ParkedResolution } from './projection-runner';
import type { ProjectionStatus } from './projection-status';
import { InProcessOperationLock, type ProjectionOperationLock } from './operation-lock';
import { ProjectionSlot, type SlotWork } from './projection-slot';
import { SegmentFollower } from './segment-follower';
import { projectionStatusOf } from './slot-status';
import { waitForSegments } from './segment-wait';
import {
  type SharedLogReader,
  type SharedLogReaderOptions,
  type SharedReaderStats,
} from './shared-log/shared-log-reader';
import { sharedReaderFor } from './shared-log/shared-reader-for';
import { logFilterOf } from './source-filter';
import {
  parseSegmentResource,
  segmentCount,
  segmentOfEvent,
  segmentResource,
  segmentsToRun,
  type SegmentOf,
} from './segments';
import {
  ProjectionSupervisor,
  type RunnableProjection,
  type SupervisorDependencies,
  type RebuildOutcome,
  type Recompile,
} from './projection-supervisor';
import {
  DuplicateProjectionError,
  ProjectionNotOwnedError,
  RunnerNotRunningError,
  UnknownProjectionError,
} from './runtime.errors';
import { consoleLogger, type RuntimeLogger } from './runtime.logger';
import type { RuntimeObserver } from './runtime.observer';
import { runnerOptions, type RunnerOptions } from './runtime.options';

/**
 * How long the shared reader still holds its window once every slot started: a started runner subscribes
 * after reading its checkpoint, a slot that failed to start never does.
 */
const START_HOLD_AFTER_RUN_MS = 2_000;

export interface ProjectionRuntimeOptions {
  readonly store: EventLog;
  /** One target per kind of view; a projection runs on the target of its declared kind. */
  readonly targets: Partial<Record<TargetKind, Target>>;
  /** Recompiles a stored definition model (lets a live generation keep running its old plan during a rebuild). */
  readonly recompile?: Recompile;
  /**
   * The definition model of a plan, stored with each generation for `recompile` (the DSL's
   * `definitionModelOf`); used when `start` is given bare plans.
   */
  readonly definitionOf?: (plan: CompiledProjection) => JsonValue | null;
  readonly runner?: Partial<RunnerOptions>;
  readonly logger?: RuntimeLogger;
  /** Told about every committed batch and store error (metrics). */
  readonly observer?: RuntimeObserver;
  /**
   * How to provide a target of this kind (e.g. which setting to set), added to the one warning the
   * runtime logs for the projections that cannot run without it.
   */
  readonly missingTargetHint?: (kind: TargetKind) => string;
  /** Source of randomness for backoff jitter (seeded in tests). */
  readonly random?: () => number;
  /**
   * Serializes the admin operations on one projection (start, rebuild, pause, resume, swap). Defaults to
   * a lock within this process; give one that also holds across processes when several run projections.
   */
  readonly operationLock?: ProjectionOperationLock;
  /**
   * This node's lease keeper when several Prism processes share the stores (issue #15). With it, `start`
   * registers every projection but runs one only while this node holds its lease (the others are
   * `standby`), fenced with the lease epoch; without it, every projection runs here, as always.
   */
  readonly ownership?: OwnershipCoordinator;
  /**
   * Issue #17: one reader of the log for every runner of this node (src/runtime/shared-log/), instead of a
   * subscription per runner; `true` or its options. Default off.
   */
  readonly sharedReader?: boolean | SharedLogReaderOptions;
}

export class ProjectionRuntime {
  private readonly slots = new Map<string, ProjectionSlot>();
  /** Segments 1.. of segmented projections (issue #15), by lease resource `name#k`; segment 0 is in `slots`. */
  private readonly segmentSlots = new Map<string, ProjectionSlot<SegmentFollower>>();
  private readonly options: RunnerOptions;
  /** Shared by every runner of this process (runner/batch-sizes.ts). */
  private readonly catchUpBudget: CatchUpBudget;
  private readonly logger: RuntimeLogger;
  private readonly lock: ProjectionOperationLock;
  private readonly observer: RuntimeObserver | undefined;
  /** The log as the runners read it: the shared reader (issue #17) or the store itself. */
  private readonly log: EventLog;
  private readonly sharedReader: SharedLogReader | undefined;

  constructor(private readonly config: ProjectionRuntimeOptions) {
    this.options = runnerOptions(config.runner);
    this.catchUpBudget = new CatchUpBudget(this.options.catchUpBatchEvents);
    this.logger = config.logger ?? consoleLogger;
    this.sharedReader = sharedReaderFor(config.store, config.sharedReader, this.options, this.logger);
    this.log = this.sharedReader ?? config.store;
    this.lock = config.operationLock ?? new InProcessOperationLock();
    this.observer = withNode(config.observer, config.ownership?.nodeId);
  }

  /**
   * Starts every projection (with `ownership`: those whose lease this node takes at its first poll; the
   * others stand by). Resolves once each one has either started or recorded why it could not (then it
   * retries in the background with backoff); never rejects because of one projection.
   */
  async start(definitions: readonly (RunnableProjection | CompiledProjection)[]): Promise<void> {
    const normalized = definitions.map((d) =>
      'plan' in d ? d : { plan: d, definition: this.config.definitionOf?.(d) ?? null },
    );
    const names = new Set<string>();
    for (const { plan } of normalized) {
      if (names.has(plan.name) || this.slots.has(plan.name)) throw new DuplicateProjectionError(plan.name);
      names.add(plan.name);
    }
    const segments = await Promise.all(
      normalized.map(({ plan }) =>
        segmentsToRun(this.config.targets[plan.target.kind], plan, this.config.recompile),
      ),
    );
    // Every projection's event types are read from the first page on, so no runner waits to be covered.
    for (const { plan } of normalized) this.sharedReader?.declare(logFilterOf(plan));
    const added = normalized.map((definition, i) => this.addSlot(definition, segments[i]!));
    const ownership = this.config.ownership;
    const followers = added.flatMap((slot) => this.followersOf(slot.name));
    if (ownership === undefined) {
      const slots = [...added, ...followers];
      // Each runnable slot's live runner subscribes once its store is prepared (shared-log-reader.ts).
      this.sharedReader?.holdStart(slots.filter((slot) => slot.runnable).length);
      await Promise.all(slots.map((slot) => slot.run()));
      this.sharedReader?.releaseStart(START_HOLD_AFTER_RUN_MS);
    } else {
      for (const slot of [...added, ...followers]) this.leaseChange(slot.name, false);
      await ownership.attach({
        // One lease per projection, and per segment of a segmented one: the fair share spreads them all.
        definitions: Object.fromEntries(
          [...this.slots.values(), ...this.segmentSlots.values()]
            .filter((slot) => slot.runnable)
            .map((slot) => [slot.name, slot.plan.fingerprint]),
        ),
        start: (lease, acquisition) => this.leaseAcquired(lease, acquisition),
        stop: (name, reason) => this.leaseGone(name, reason),
      });
    }
    this.warnAboutMissingTargets(normalized.map(({ plan }) => plan));
  }

  /** Stops every projection (with `ownership`: and gives this node's leases up, for a standby to take). */
  async stop(): Promise<void> {
    await this.config.ownership?.detach();
    await Promise.all(
      [...this.slots.values(), ...this.segmentSlots.values()].map((slot) => (slot as ProjectionSlot).halt()),
    );
    this.slots.clear();
    this.segmentSlots.clear();
    await this.sharedReader?.close();
  }

  /** What the shared reader did (issue #17); undefined when each runner reads on its own. */
  get sharedReaderStats(): SharedReaderStats | undefined {
    return this.sharedReader?.stats;
  }

  names(): string[] {
    return [...this.slots.keys()];
  }

  /** Whether this node runs `name` now: always without `ownership`; while it holds the lease with it. */
  owns(name: string): boolean {
    this.slot(name);
    return this.config.ownership === undefined || this.config.ownership.owns(name);
  }

  /** This node's leases and who holds the others (undefined without `ownership`). */
  get ownership(): OwnershipSnapshot | undefined {
    return this.config.ownership?.snapshot();
  }

  status(): ProjectionStatus[];
  status(name: string): ProjectionStatus;
  status(name?: string): ProjectionStatus | ProjectionStatus[] {
    if (name !== undefined) return this.statusOf(this.slot(name));
    return [...this.slots.values()].map((slot) => this.statusOf(slot));
  }

  pause(name: string): Promise<void> {
    return this.supervisor(name).pause();
  }

  resume(name: string): Promise<void> {
    return this.supervisor(name).resume();
  }

  /**
   * Builds a new generation beside the live one and swaps it in at the head. While one is building, a
   * second request starts nothing and answers that generation (`started: false`).
   */
  rebuild(name: string): Promise<RebuildOutcome> {
    return this.supervisor(name).rebuild();
  }

  listParked(name: string): Promise<ParkedEvent[]> {
    return this.supervisor(name).listParked();
  }

  /**
   * Re-applies a parked event. Segmented: by the segment the event belongs to, which must run on this
   * node (each segment parks its own events; ProjectionNotOwnedError names the segment's owner).
   */
  async replay(name: string, position: bigint): Promise<ParkedResolution> {
    const follower = await this.followerOfParked(name, position);
    return follower !== undefined ? follower.replay(position) : this.supervisor(name).replay(position);
  }

  /** Drops a parked event for good (segmented: by its segment, as `replay`). */
  async discard(name: string, position: bigint): Promise<ParkedResolution> {
    const follower = await this.followerOfParked(name, position);
    return follower !== undefined ? follower.discard(position) : this.supervisor(name).discard(position);
  }

  /**
   * Resolves once the view readers see for `name` has applied the event at `position`. Segmented: once
   * every segment has (the segments this node runs are waited on here, the others by their stored
   * checkpoints).
   */
  waitForCheckpoint(name: string, position: bigint, timeoutMs = 30_000): Promise<void> {
    const followers = this.followersOf(name);
    if (followers.length === 0) return this.supervisor(name).waitForCheckpoint(position, timeoutMs);
    const plan = this.slot(name).plan;
    const leader = this.owns(name) ? this.supervisor(name) : undefined;
    return waitForSegments(
      [leader, ...followers.map((slot) => this.localFollower(slot))],
      this.config.targets[plan.target.kind]!,
      name,
      plan.target,
      position,
      timeoutMs,
    );
  }

  // Internals --------------------------------------------------------------------------------------

  /** `segments`: how many segments it runs as here (segmentsToRun: its plan's, or its live view's). */
  private addSlot(definition: RunnableProjection, segments: number): ProjectionSlot {
    const name = definition.plan.name;
    const target = this.config.targets[definition.plan.target.kind];
    // Segment k > 0: its own slot, lease (`name#k`) and follower; segment 0 is the projection's supervisor.
    for (let index = 1; index < segments; index += 1) {
      const segment: SegmentOf = { index, count: segments };
      const resource = segmentResource(name, index);
      this.segmentSlots.set(
        resource,
        this.slotFor(resource, definition, target, (base) => new SegmentFollower({ ...base, segment })),
      );
    }
    const slot = this.slotFor(
      name,
      definition,
      target,
      (base) => new ProjectionSupervisor({ ...base, lock: this.lock }),
    );
    this.slots.set(name, slot);
    return slot;
  }

  /**
   * A slot running `work` under the lease `resource`; `work` gets what every runner of the projection
   * here shares (the log, its target, the runtime's settings, and the lease's fence when there is one).
   */
  private slotFor<W extends SlotWork>(
    resource: string,
    definition: RunnableProjection,
    target: Target | undefined,
    work: (base: FollowerBase) => W,
  ): ProjectionSlot<W> {
    const random = this.config.random;
    return new ProjectionSlot<W>({
      name: resource,
      definition,
      target,
      supervisor: (lease) =>
        work({
          store: this.log,
          target: target!,
          definition,
          ...(this.config.recompile !== undefined ? { recompile: this.config.recompile } : {}),
          options: this.options,
          catchUpBudget: this.catchUpBudget,
          logger: this.logger,
          ...(this.observer !== undefined ? { observer: this.observer } : {}),
          ...(random !== undefined ? { random } : {}),
          ...(lease !== undefined && {
            fence: lease.epoch,
            onFenced: (fence: bigint) => lease.onFenced(fence),
          }),
        }),
      onLeaseLost: (epoch, reason) => this.config.ownership?.lost(resource, epoch, reason),
      options: this.options,
      logger: this.logger,
      ...(random !== undefined ? { random } : {}),
    });
  }

  /** The slots of segments 1.. of `name` (none when it is not segmented). */
  private followersOf(name: string): ProjectionSlot<SegmentFollower>[] {
    const followers: ProjectionSlot<SegmentFollower>[] = [];
    for (let index = 1; ; index += 1) {
      const slot = this.segmentSlots.get(segmentResource(name, index));
      if (slot === undefined) return followers;
      followers.push(slot);
    }
  }

  private async followerOfParked(name: string, position: bigint): Promise<SegmentFollower | undefined> {
    const followers = this.followersOf(name);
    if (followers.length === 0) return undefined;
    const plan = this.slot(name).plan;
    const target = this.config.targets[plan.target.kind]!;
    const active = (await target.readProjection(name))?.activeGeneration ?? null;
    const parked =
      active === null
        ? undefined
        : (await target.listParked({ projection: name, generation: active, shape: plan.target })).find(
            (event) => event.position === position,
          );
    const segment = parked === undefined ? 0 : segmentOfEvent(plan, parked.event, segmentCount(plan));
    if (segment === 0) return undefined;
    const slot = followers[segment - 1]!;
    const local = this.localFollower(slot);
    if (local === undefined)
      throw new ProjectionNotOwnedError(slot.name, this.config.ownership?.ownerOf(slot.name)?.node);
    return local;
  }

  /** A follower this node runs now, or undefined (another node runs that segment). */
  private localFollower(slot: ProjectionSlot<SegmentFollower>): SegmentFollower | undefined {
    const owned = this.config.ownership === undefined || this.config.ownership.owns(slot.name);
    return owned && slot.startError === undefined ? slot.supervisor : undefined;
  }

  /** Tells the metrics a lease of a projection (or of one of its segments) was taken or lost. */
  private leaseChange(resource: string, held: boolean, lease?: Lease, takeover?: boolean): void {
    const { projection, segment } = parseSegmentResource(resource);
    this.observer?.leaseChanged?.({
      projection,
      segment,
      held,
      ...(lease !== undefined && { epoch: lease.epoch }),
      ...(takeover !== undefined && { takeover }),
    });
  }

  /** The lease keeper took `lease`: run the projection (or the segment) under it. */
  private leaseAcquired(lease: Lease, acquisition: Acquisition): Promise<void> {
    const slot = this.slots.get(lease.resource) ?? this.segmentSlots.get(lease.resource);
    if (slot === undefined) return Promise.resolve();
    this.leaseChange(lease.resource, true, lease, acquisition.takeover);
    return slot.run(lease);
  }

  /** The lease is lost or given up: stop the projection (or the segment) here (it stands by). */
  private async leaseGone(name: string, reason: string): Promise<void> {
    const slot = this.slots.get(name) ?? this.segmentSlots.get(name);
    if (slot === undefined) return;
    this.leaseChange(name, false);
    this.logger.info(`${name}: stopping here (${reason}); standing by`);
    await slot.halt();
  }

  /** One line per kind of target that is not configured, naming the projections that therefore wait. */
  private warnAboutMissingTargets(plans: readonly CompiledProjection[]): void {
    const missing = new Map<TargetKind, string[]>();
    for (const plan of plans) {
      if (this.config.targets[plan.target.kind] !== undefined) continue;
      missing.set(plan.target.kind, [...(missing.get(plan.target.kind) ?? []), plan.name]);
    }
    for (const [kind, names] of missing) {
      const hint = this.config.missingTargetHint?.(kind);
      this.logger.warn(
        `No ${kind} target is configured, so ${names.length} projection(s) are not running: ${names.join(', ')}` +
          (hint ? `; ${hint}` : ''),
      );
    }
  }

  private supervisor(name: string): ProjectionSupervisor {
    const slot = this.slot(name);
    if (slot.runnable && !this.owns(name))
      throw new ProjectionNotOwnedError(name, this.config.ownership?.ownerOf(name)?.node);
    if (slot.supervisor === undefined || slot.startError !== undefined) {
      throw new RunnerNotRunningError(name, slot.startError?.permanent === true ? 'failed' : 'starting');
    }
    return slot.supervisor;
  }

  private slot(name: string): ProjectionSlot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new UnknownProjectionError(name, this.names());
    return slot;
  }

  private statusOf(slot: ProjectionSlot, now = Date.now()): ProjectionStatus {
    return projectionStatusOf(slot, this.followersOf(slot.name), this.config.ownership, now);
  }
}

/** What a supervisor and a segment follower are both made with. */
type FollowerBase = Omit<SupervisorDependencies, 'lock'>;

/** With leases, every committed batch names the node that committed it (per-node work metrics). */
function withNode(
  observer: RuntimeObserver | undefined,
  node: string | undefined,
): RuntimeObserver | undefined {
  if (observer === undefined || node === undefined) return observer;
  return {
    batchCommitted: (batch) => observer.batchCommitted({ ...batch, node }),
    storeError: (failure) => observer.storeError(failure),
    ...(observer.leaseChanged !== undefined && {
      leaseChanged: (change) => observer.leaseChanged!({ ...change, node }),
    }),
  };
}
