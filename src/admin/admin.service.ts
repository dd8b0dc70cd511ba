/**
 * The operator's view of the projection runtime: status, pause/resume, rebuild/reset and the parked
 * events. One service behind the REST API (and, through it, the `prism` CLI), returning the JSON shapes of
 * admin.dto.ts; errors are the runtime's own (unknown projection, not running) plus admin.errors.ts.
 *
 * More than one Prism (issue #15). With a shared coordination store any node answers any request:
 *  - an operation on a projection this node runs runs here (LocalAdminOperations);
 *  - one on a projection another live node runs is written to the coordination store, run by that node
 *    and answered with its outcome (admin-forwarding.ts; 504 `admin_request_timeout` past node.adminWaitMs);
 *  - with no live owner, pause and resume are written as desired state in the view store's registry (the
 *    next owner starts paused, or not); the other operations answer 409 `projection_not_owned`, since
 *    nothing could run them;
 *  - status merges what the owners report with each heartbeat, so every node answers the same numbers
 *    (up to a heartbeat's age, `reportedAt`), each with its `owner`.
 * With one process (an in-process coordination store) everything runs here, as before.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AdminAction } from '../coordination/coordination.port';
import type { CompiledProjection } from '../core/plan';
import { NodeCoordinationService } from '../projection-host/node-coordination.service';
import { ProjectionsService } from '../projection-host/projections.service';
import type { ProjectionRuntime } from '../runtime/projection-runtime';
import { UnknownProjectionError } from '../runtime/runtime.errors';
import { forwardAdminRequest } from './admin-forwarding';
import {
  brokenDefinitionJson,
  brokenDefinitionName,
  orphanedProjectionJson,
  parkedEventJson,
  projectionStatusJson,
  type ParkedEventJson,
  type ParkedResolutionJson,
  type ProjectionDropJson,
  type ProjectionStatusJson,
  type RebuildStartedJson,
} from './admin.dto';
import {
  CoordinationUnavailableError,
  NoLiveOwnerError,
  ProjectionRuntimeUnavailableError,
} from './admin.errors';
import { ClusterSnapshot, type NodesJson } from './cluster-view';
import { LocalAdminOperations, parsePosition } from './local-admin-operations';
import { dropOrphan, listOrphans } from './orphans';
import { storedStatusJson } from './stored-status';

/** How long an admin request waits for a runtime that is still starting before answering 503. */
export const RUNTIME_READY_TIMEOUT_MS = 5_000;

@Injectable()
export class AdminService {
  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(NodeCoordinationService) private readonly coordination: NodeCoordinationService,
  ) {}

  /**
   * Every projection, then the definition files skipped as broken (state `broken-definition`), then the
   * projections whose definition was removed while their views stayed in a store (state `orphaned`).
   */
  async statuses(): Promise<ProjectionStatusJson[]> {
    const runtime = await this.runtime();
    const cluster = await this.snapshot();
    const names =
      cluster === undefined ? runtime.names() : this.projections.catalog.projections.map((p) => p.name);
    return [
      ...(await Promise.all(names.map((name) => this.statusOf(runtime, name, cluster)))),
      ...this.projections.brokenDefinitions.map(brokenDefinitionJson),
      ...(await listOrphans(this.projections)).map(orphanedProjectionJson),
    ];
  }

  async status(name: string): Promise<ProjectionStatusJson> {
    const broken = this.projections.brokenDefinitions.find((b) => brokenDefinitionName(b) === name);
    if (broken !== undefined) return brokenDefinitionJson(broken);
    const runtime = await this.runtime();
    if (this.plan(name) === undefined && !runtime.names().includes(name)) {
      const orphan = (await listOrphans(this.projections)).find((o) => o.name === name);
      if (orphan !== undefined) return orphanedProjectionJson(orphan);
    }
    return this.statusOf(runtime, name, await this.snapshot());
  }

  /** Every node in the coordination store: role, version, heartbeat age, the leases it holds. */
  async nodes(): Promise<NodesJson> {
    await this.runtime();
    const store = this.coordination.storeIfOpen;
    if (store === undefined) throw new ProjectionRuntimeUnavailableError(RUNTIME_READY_TIMEOUT_MS);
    return (await ClusterSnapshot.read(store)).nodesJson(this.coordination.node.id, store.kind);
  }

  /**
   * Removes an orphaned projection's views (every generation, in every store holding it) and bookkeeping;
   * `dryRun` lists them without deleting. Refused while a definition of it is loaded.
   */
  async drop(name: string, dryRun: boolean): Promise<ProjectionDropJson> {
    await this.runtime();
    return dropOrphan(this.projections, name, dryRun);
  }

  /** Stops applying events (live and rebuilding generations); survives restarts until resumed. */
  pause(name: string): Promise<ProjectionStatusJson> {
    return this.route(name, 'pause', {}, (operations) => operations.pause(name));
  }

  resume(name: string): Promise<ProjectionStatusJson> {
    return this.route(name, 'resume', {}, (operations) => operations.resume(name));
  }

  /** A new generation from position 0 beside the live one, swapped in at the head (LocalAdminOperations). */
  rebuild(name: string): Promise<RebuildStartedJson> {
    return this.route(name, 'rebuild', {}, (operations) => operations.rebuild(name));
  }

  /** A rebuild from position 0: views are not reversible, so nothing is reset in place. */
  reset(name: string): Promise<RebuildStartedJson> {
    return this.route(name, 'reset', {}, (operations) => operations.reset(name));
  }

  async parked(name: string): Promise<ParkedEventJson[]> {
    const runtime = await this.runtime();
    if (!this.forwards(runtime, name)) return (await runtime.listParked(name)).map(parkedEventJson);
    // Another node runs it: its parked events are in the view store, readable from here.
    const plan = this.knownPlan(runtime, name);
    const target = this.projections.target(plan.target.kind);
    const generation = (await target?.readProjection(name))?.activeGeneration ?? null;
    if (target === undefined || generation === null) return [];
    return (await target.listParked({ projection: name, generation, shape: plan.target })).map(
      parkedEventJson,
    );
  }

  /** Applies a parked event again (after its cause was fixed); held events behind it follow. */
  replay(name: string, position: string): Promise<ParkedResolutionJson> {
    parsePosition(position);
    return this.route(name, 'replay', { position }, (operations) => operations.replay(name, position));
  }

  /** Drops a parked event for good; held events behind it are applied. */
  discard(name: string, position: string): Promise<ParkedResolutionJson> {
    parsePosition(position);
    return this.route(name, 'discard', { position }, (operations) => operations.discard(name, position));
  }

  // Internals --------------------------------------------------------------------------------------

  /** Runs the operation here, or sends it to the node that runs the projection (see the file comment). */
  private async route<T>(
    name: string,
    action: AdminAction,
    args: Readonly<Record<string, string>>,
    local: (operations: LocalAdminOperations) => Promise<T>,
  ): Promise<T> {
    const runtime = await this.runtime();
    if (!this.forwards(runtime, name)) return local(new LocalAdminOperations(runtime));
    const plan = this.knownPlan(runtime, name);
    const store = this.coordination.storeIfOpen!;
    const cluster = await ClusterSnapshot.read(store).catch((error: unknown) => {
      throw new CoordinationUnavailableError(name, error);
    });
    const owner = cluster.owner(name);
    if (owner === undefined) {
      const target = this.projections.target(plan.target.kind);
      if ((action === 'pause' || action === 'resume') && target !== undefined) {
        await target.setPaused(name, action === 'pause');
        return (await storedStatusJson(plan, target)) as T;
      }
      // Loaded here but not running (no target for it, a failed start, standing by): its own answer says why.
      if (runtime.names().includes(name)) return local(new LocalAdminOperations(runtime));
      throw new NoLiveOwnerError(name, action);
    }
    return forwardAdminRequest<T>(
      {
        store,
        from: this.coordination.node.id,
        owner: owner.node,
        waitMs: this.coordination.node.adminWaitMs,
      },
      name,
      action,
      args,
    );
  }

  /**
   * Whether a request for `name` goes through the coordination store: the store is shared and this node
   * does not run the projection. Otherwise it runs here (and a name nobody loaded fails as unknown).
   */
  private forwards(runtime: ProjectionRuntime, name: string): boolean {
    if (!this.coordination.shared || this.coordination.storeIfOpen === undefined) return false;
    if (this.projections.runsLocally(name)) return false;
    return this.plan(name) !== undefined || !runtime.names().includes(name);
  }

  /** One projection's status: here, from its owner's report, or from the view store. */
  private async statusOf(
    runtime: ProjectionRuntime,
    name: string,
    cluster: ClusterSnapshot | undefined,
  ): Promise<ProjectionStatusJson> {
    if (cluster === undefined) return projectionStatusJson(runtime.status(name));
    const owner = cluster.owner(name);
    const withOwner = (status: ProjectionStatusJson): ProjectionStatusJson =>
      owner === undefined ? status : { ...status, owner };
    if (this.projections.runsLocally(name)) return withOwner(projectionStatusJson(runtime.status(name)));
    const reported = cluster.reported(name);
    if (reported !== undefined) return withOwner(reported);
    const unavailable = cluster.unavailable;
    const noted = (status: ProjectionStatusJson): ProjectionStatusJson =>
      unavailable === undefined
        ? withOwner(status)
        : {
            ...status,
            notes: [
              ...status.notes,
              `The coordination store cannot be read (${unavailable}): this is this node's own view only.`,
            ],
          };
    if (runtime.names().includes(name)) return noted(projectionStatusJson(runtime.status(name)));
    const plan = this.knownPlan(runtime, name);
    return noted(await storedStatusJson(plan, this.projections.target(plan.target.kind)));
  }

  /**
   * The coordination store's nodes and leases when it is shared (undefined: one process, all local). A
   * store that cannot be read gives an empty snapshot saying why: status still answers, from this node.
   */
  private async snapshot(): Promise<ClusterSnapshot | undefined> {
    const store = this.coordination.storeIfOpen;
    if (!this.coordination.shared || store === undefined) return undefined;
    return ClusterSnapshot.read(store).catch((error: unknown) => ClusterSnapshot.unreadable(error));
  }

  private plan(name: string): CompiledProjection | undefined {
    return this.projections.catalog.projections.find((plan) => plan.name === name);
  }

  private knownPlan(runtime: ProjectionRuntime, name: string): CompiledProjection {
    const plan = this.plan(name);
    if (plan === undefined)
      throw new UnknownProjectionError(name, [
        ...new Set([...this.projections.catalog.projections.map((p) => p.name), ...runtime.names()]),
      ]);
    return plan;
  }

  private async runtime(): Promise<ProjectionRuntime> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProjectionRuntimeUnavailableError(RUNTIME_READY_TIMEOUT_MS)),
        RUNTIME_READY_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.projections.ready(), timeout]);
    } catch (error) {
      if (error instanceof ProjectionRuntimeUnavailableError) throw error;
      throw new ProjectionRuntimeUnavailableError(RUNTIME_READY_TIMEOUT_MS, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
