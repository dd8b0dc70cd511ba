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
import type { JsonValue } from '../core/json';
import type { CompiledProjection } from '../core/plan';
import type { TargetKind } from '../core/view-shape';
import type { EventLog } from '../eventstore/event-store.port';
import type { ParkedEvent, Target } from '../stores/target.port';
import { backoffDelay, sleep } from './backoff';
import { classifyError, errorMessage } from './error-classifier';
import type { ParkedResolution } from './projection-runner';
import type { ProjectionStatus } from './projection-status';
import { InProcessOperationLock, type ProjectionOperationLock } from './operation-lock';
import {
  ProjectionSupervisor,
  type RunnableProjection,
  type RebuildOutcome,
  type Recompile,
} from './projection-supervisor';
import {
  DuplicateProjectionError,
  NoTargetForKindError,
  RunnerNotRunningError,
  UnknownProjectionError,
} from './runtime.errors';
import { consoleLogger, type RuntimeLogger } from './runtime.logger';
import type { RuntimeObserver } from './runtime.observer';
import type { StoreRole } from './store-watch';
import { runnerOptions, type RunnerOptions } from './runtime.options';

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
}

interface Entry {
  readonly name: string;
  /** Absent when the projection cannot run at all (no target of its kind). */
  readonly supervisor: ProjectionSupervisor | undefined;
  /** Why the projection could not start (it retries in the background unless the cause is permanent). */
  startError: StartError | undefined;
}

interface StartError {
  readonly message: string;
  readonly permanent: boolean;
  readonly attempts: number;
  /** When the first failed attempt of this streak began. */
  readonly since: number;
  /** The store that failed. */
  readonly store: StoreRole;
  readonly storeKind: string;
}

export class ProjectionRuntime {
  private readonly entries = new Map<string, Entry>();
  private readonly options: RunnerOptions;
  private readonly logger: RuntimeLogger;
  private readonly lock: ProjectionOperationLock;
  private stopped = false;
  private stopSignal = deferred();

  constructor(private readonly config: ProjectionRuntimeOptions) {
    this.options = runnerOptions(config.runner);
    this.logger = config.logger ?? consoleLogger;
    this.lock = config.operationLock ?? new InProcessOperationLock();
  }

  /**
   * Starts every projection. Resolves once each one has either started or recorded why it could not
   * (then it retries in the background with backoff); never rejects because of one projection.
   */
  async start(definitions: readonly (RunnableProjection | CompiledProjection)[]): Promise<void> {
    const normalized = definitions.map((d) =>
      'plan' in d ? d : { plan: d, definition: this.config.definitionOf?.(d) ?? null },
    );
    const names = new Set<string>();
    for (const { plan } of normalized) {
      if (names.has(plan.name) || this.entries.has(plan.name)) throw new DuplicateProjectionError(plan.name);
      names.add(plan.name);
    }
    this.stopped = false;
    await Promise.all(normalized.map((definition) => this.startOne(definition)));
    this.warnAboutMissingTargets(normalized.map(({ plan }) => plan));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal.resolve();
    await Promise.all([...this.entries.values()].map(async (entry) => entry.supervisor?.stop()));
    this.entries.clear();
    this.stopSignal = deferred();
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  status(): ProjectionStatus[];
  status(name: string): ProjectionStatus;
  status(name?: string): ProjectionStatus | ProjectionStatus[] {
    if (name !== undefined) return this.statusOf(this.entry(name));
    return [...this.entries.values()].map((entry) => this.statusOf(entry));
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

  replay(name: string, position: bigint): Promise<ParkedResolution> {
    return this.supervisor(name).replay(position);
  }

  discard(name: string, position: bigint): Promise<ParkedResolution> {
    return this.supervisor(name).discard(position);
  }

  /** Resolves once the view readers see for `name` has applied the event at `position`. */
  waitForCheckpoint(name: string, position: bigint, timeoutMs = 30_000): Promise<void> {
    return this.supervisor(name).waitForCheckpoint(position, timeoutMs);
  }

  // Internals --------------------------------------------------------------------------------------

  private async startOne(definition: RunnableProjection): Promise<void> {
    const plan = definition.plan;
    const target = this.config.targets[plan.target.kind];
    if (target === undefined) {
      // This projection cannot run; the others do.
      const message = new NoTargetForKindError(plan.name, plan.target.kind).message;
      // Reported in its status, and in one warning per missing kind (warnAboutMissingTargets).
      this.entries.set(plan.name, {
        name: plan.name,
        supervisor: undefined,
        startError: {
          message,
          permanent: true,
          attempts: 1,
          since: Date.now(),
          store: 'view-store',
          storeKind: plan.target.kind,
        },
      });
      return;
    }
    const supervisor = new ProjectionSupervisor({
      store: this.config.store,
      target,
      definition,
      ...(this.config.recompile !== undefined ? { recompile: this.config.recompile } : {}),
      options: this.options,
      logger: this.logger,
      ...(this.config.observer !== undefined ? { observer: this.config.observer } : {}),
      ...(this.config.random !== undefined ? { random: this.config.random } : {}),
      lock: this.lock,
    });
    const entry: Entry = { name: plan.name, supervisor, startError: undefined };
    this.entries.set(plan.name, entry);
    if (!(await this.tryStart(entry, supervisor, target))) void this.retryStart(entry, supervisor, target);
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

  private async tryStart(entry: Entry, supervisor: ProjectionSupervisor, target: Target): Promise<boolean> {
    const began = Date.now();
    try {
      await supervisor.start();
      entry.startError = undefined;
      return true;
    } catch (error) {
      const attempts = (entry.startError?.attempts ?? 0) + 1;
      const kind = classifyError(error, (e) => target.classifyError(e));
      const permanent = kind !== 'transient' && attempts >= this.options.maxUnknownAttempts;
      entry.startError = {
        message: errorMessage(error),
        permanent,
        attempts,
        since: entry.startError?.since ?? began,
        // A start reads and prepares the view store only (its runners read the log afterwards).
        store: 'view-store',
        storeKind: target.kind,
      };
      await supervisor.stop().catch(() => undefined);
      this.logger.error(`${entry.name}: could not start (attempt ${attempts}): ${errorMessage(error)}`);
      return false;
    }
  }

  private async retryStart(entry: Entry, supervisor: ProjectionSupervisor, target: Target): Promise<void> {
    while (!this.stopped && entry.startError !== undefined && !entry.startError.permanent) {
      await sleep(
        backoffDelay(entry.startError.attempts, this.options.backoff, this.config.random),
        this.stopSignal.promise,
      );
      if (this.stopped || this.entries.get(entry.name) !== entry) return;
      if (await this.tryStart(entry, supervisor, target)) return;
    }
  }

  private supervisor(name: string): ProjectionSupervisor {
    const entry = this.entry(name);
    if (entry.supervisor === undefined || entry.startError !== undefined) {
      throw new RunnerNotRunningError(name, entry.startError?.permanent === true ? 'failed' : 'starting');
    }
    return entry.supervisor;
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new UnknownProjectionError(name, this.names());
    return entry;
  }

  private statusOf(entry: Entry, now = Date.now()): ProjectionStatus {
    if (entry.startError === undefined && entry.supervisor !== undefined) return entry.supervisor.status();
    const failure = entry.startError;
    // Still retrying past the stall bound: a store is down, and status says which (issue #12 item 12).
    const stalled =
      failure !== undefined && !failure.permanent && now - failure.since >= this.options.stallAfterMs;
    return {
      name: entry.name,
      state: failure?.permanent === true ? 'failed' : stalled ? 'stalled' : 'starting',
      live: null,
      rebuild: null,
      stall: stalled
        ? {
            store: failure.store,
            kind: failure.storeKind,
            since: new Date(failure.since),
            lastError: failure.message,
          }
        : null,
      notes:
        entry.startError === undefined
          ? []
          : [`Could not start (attempt ${entry.startError.attempts}): ${entry.startError.message}`],
    };
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
