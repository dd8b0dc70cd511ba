/**
 * Runs the projection runtime inside the app: loads the definitions at start, connects the targets,
 * starts one runner per projection (new ones backfill, changed ones rebuild beside the live view), and
 * stops them on shutdown. Nest only wires this; the runtime itself knows nothing of Nest.
 *
 * Start-up order (issue #12 item 13: view reads answered 503 "no active generation yet" for 1-5 s after
 * each start while the old generation existed): each kind of view store connects on its own, and the app
 * does not serve until each has answered or failed its first attempt (bounded by VIEW_STORES_WAIT_MS), so
 * the first read of an existing view finds its store connected. `viewStoresLoaded` tells readiness.
 *
 * Roles (issue #15): an `api` node loads the definitions and connects the view stores (its queries read
 * them) but runs no projection; `all` and `worker` nodes run them, and with a shared coordination store
 * only those whose lease they hold. Every node heartbeats through NodeCoordinationService; a node that runs
 * projections publishes their status in its announcement and runs the admin requests other nodes received
 * for them (AdminRequestExecutor).
 */
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AdminRequestExecutor } from '../admin/admin-request.executor';
import { projectionStatusJson } from '../admin/admin.dto';
import { LocalAdminOperations } from '../admin/local-admin-operations';
import { definitionModelOf, recompileDefinition, type ValidationOptions } from '../dsl';
import type { EventCatalog } from '../events-catalog/event-catalog';
import type { EventLog } from '../eventstore/event-store.port';
import { EVENT_LOG } from '../eventstore/event-store.module';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import { ProjectionRuntime } from '../runtime/projection-runtime';
import { nestRuntimeLogger } from '../observability/logging/runtime-logger';
import { RUNTIME_OBSERVER } from '../observability/observability.tokens';
import type { RuntimeObserver } from '../runtime/runtime.observer';
import { findStoreModule } from '../stores/registry';
import type { StoreQueryHost } from '../stores/store-connection';
import type { StoreModule } from '../stores/store-module';
import type { Target } from '../stores/target.port';
import {
  EVENT_CATALOG,
  KNOWN_EVENT_TYPES,
  loadProjectionCatalog,
  type BrokenDefinition,
  type ProjectionCatalog,
} from './projection-catalog';
import { NodeCoordinationService, type NodeReport } from './node-coordination.service';
import { describeViewStores, openViewStores, targetsByKind, type ViewStore } from './view-store-connections';

/** Longest the app waits at start for the view stores' first connection attempts before serving anyway. */
export const VIEW_STORES_WAIT_MS = 10_000;

/** Where one kind of view store stands: connected, or still trying (with the last error). */
export interface ViewStoreConnection {
  /** The store module's kind. */
  readonly kind: string;
  /** How health and readiness name the store (`<name>_views`): see StoreConnection.healthName. */
  readonly name: string;
  /** Whether the views count as loaded only once this store is connected. */
  readonly required: boolean;
  readonly connected: boolean;
  /** Whether the first connection attempt is over (connected or failed). */
  readonly tried: boolean;
  readonly lastError?: string;
}

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private runtimeInstance: ProjectionRuntime | undefined;
  /** The configured view stores, each with its one connection (opened at construction, no I/O). */
  private readonly stores: readonly ViewStore[];
  private readonly targets = new Map<StoreModule, Target>();
  private readonly connections = new Map<StoreModule, ViewStoreConnection>();
  private started: Promise<void> = Promise.resolve();
  private stopping = false;
  private executor: AdminRequestExecutor | undefined;

  /** The app's definitions (folder, files, TypeScript), read once at start (the query APIs serve these views). */
  readonly catalog: ProjectionCatalog;

  constructor(
    @Inject(PRISM_CONFIG) private readonly config: PrismConfig,
    @Inject(EVENT_LOG) private readonly store: EventLog,
    @Inject(NodeCoordinationService) readonly coordination: NodeCoordinationService,
    @Optional() @Inject(RUNTIME_OBSERVER) private readonly observer?: RuntimeObserver,
    @Optional() @Inject(KNOWN_EVENT_TYPES) knownEventTypes?: ReadonlySet<string>,
    @Optional() @Inject(EVENT_CATALOG) private readonly eventCatalog?: EventCatalog,
  ) {
    // The event types the options list and those the app's aggregates write (PrismAggregatesModule).
    const known = unionOf(config.projections.knownEventTypes, knownEventTypes);
    this.catalog = loadProjectionCatalog({
      ...config.projections,
      ...(known !== undefined && { knownEventTypes: known }),
      ...(eventCatalog !== undefined && { catalog: eventCatalog }),
    });
    this.stores = openViewStores(config.viewStores, new Logger('ViewStores'));
  }

  /** What stored definitions are recompiled with: the app's event catalog (typing, upcasting). */
  get validationOptions(): ValidationOptions {
    return this.eventCatalog !== undefined && this.eventCatalog.size > 0
      ? { catalog: this.eventCatalog }
      : {};
  }

  /** The running runtime: the one service status, admin and read-your-writes go through. */
  get runtime(): ProjectionRuntime {
    if (!this.runtimeInstance) throw new Error('The projection runtime has not started yet.');
    return this.runtimeInstance;
  }

  /** The runtime, or undefined while the targets are not connected yet (health and metrics ask). */
  get runtimeIfStarted(): ProjectionRuntime | undefined {
    return this.runtimeInstance;
  }

  /**
   * Whether this node runs `name` now: a worker or `all` node that loaded it and, with a shared
   * coordination store, holds its lease. Admin operations and read-your-writes for the others go through
   * the coordination store and the stored checkpoints (issue #15).
   */
  runsLocally(name: string): boolean {
    const runtime = this.runtimeInstance;
    if (runtime === undefined || this.config.role === 'api' || !runtime.names().includes(name)) return false;
    return runtime.owns(name);
  }

  /** The connected target of one kind of view (or an alias), undefined until it connects. */
  target(kind: string): Target | undefined {
    const module = findStoreModule(kind);
    return module === undefined ? undefined : this.targets.get(module);
  }

  /** The configured view store of a kind (or an alias): its one connection, shared by target, queries and health. */
  viewStore(kind: string): ViewStore | undefined {
    const module = findStoreModule(kind);
    return this.stores.find((store) => store.module === module);
  }

  /**
   * What a store's query API reads through: the store's one client, the loaded definitions, its target.
   * A store that is not configured serves no view (its routes answer `unknown_view`): the query API is
   * mounted before the options say which stores there are (PrismModule.forRootAsync).
   */
  queryHost(kind: string): StoreQueryHost {
    const store = this.viewStore(kind);
    if (store === undefined) return { client: undefined, projections: [], target: () => undefined };
    return {
      client: store.connection.client,
      projections: this.catalog.projections,
      target: () => this.targets.get(store.module),
    };
  }

  /** The definition files skipped because they have errors (state `broken-definition`). */
  get brokenDefinitions(): readonly BrokenDefinition[] {
    return this.catalog.broken;
  }

  /** Each configured kind of view store and whether it is connected. */
  viewStores(): ViewStoreConnection[] {
    return [...this.connections.values()];
  }

  /**
   * Whether the views can be served: every store required for readiness (the one that is always
   * configured, where most views live) is connected, and every other configured view store has answered
   * or failed its first attempt (its views then answer 503 themselves until it connects).
   */
  get viewStoresLoaded(): boolean {
    const connections = this.viewStores();
    return (
      connections.length > 0 &&
      connections.every((connection) => connection.tried) &&
      connections.every((connection) => !connection.required || connection.connected)
    );
  }

  /**
   * Starts in the background so the HTTP API (commands, and reads of views already built) comes up even
   * when a view store is down; connecting is retried with a capped backoff until it succeeds. Resolves
   * (so Nest serves) once each view store has answered or failed its first attempt, within
   * VIEW_STORES_WAIT_MS.
   */
  async onApplicationBootstrap(): Promise<void> {
    let firstAttemptsOver!: () => void;
    const firstAttempts = new Promise<void>((resolve) => (firstAttemptsOver = resolve));
    this.started = this.startWithRetry(firstAttemptsOver);
    this.started.catch((error: unknown) =>
      this.logger.error(
        `The projection runtime did not start: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      firstAttempts,
      this.started.catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, VIEW_STORES_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** Resolves once the runtime runs (tests and the admin API wait on it). */
  ready(): Promise<ProjectionRuntime> {
    return this.started.then(() => this.runtime);
  }

  private async startWithRetry(firstAttemptsOver: () => void): Promise<void> {
    const catalog = this.catalog;
    for (const problem of catalog.problems) this.logger.warn(problem);
    if (catalog.invalidFiles > 0) {
      this.logger.error(
        `${catalog.invalidFiles} definition(s) in ${this.config.projections.description} have errors and are not running; ` +
          'fix them (`npm run prism -- validate`) and restart.',
      );
    }
    for (const store of this.stores) this.setConnection(store, { connected: false, tried: false });
    const tried = new Set<ViewStore>();
    const onTried = (store: ViewStore) => {
      tried.add(store);
      if (tried.size === this.stores.length) firstAttemptsOver();
    };
    if (this.stores.length === 0) firstAttemptsOver();
    // Each store on its own: a slow or absent store must not keep the other stores' views unreadable.
    await Promise.all(this.stores.map((store) => this.connectWithRetry(store, onTried)));
    if (this.stopping) return;
    const coordination = await this.coordination.open(() => this.stopping);
    if (this.stopping || coordination === undefined) return;
    const runsProjections = this.config.role !== 'api';
    await this.coordination.startHeartbeat(
      Object.fromEntries(catalog.projections.map((plan) => [plan.name, plan.fingerprint])),
      () => this.report(runsProjections),
    );
    const ownership = this.coordination.ownership;
    this.runtimeInstance = new ProjectionRuntime({
      store: this.store,
      targets: targetsByKind(this.targets),
      // a stored generation is recompiled against the same catalog, so a rebuild upcasts as live did
      recompile: (model) => recompileDefinition(model, undefined, this.validationOptions),
      missingTargetHint: (kind) =>
        findStoreModule(kind)?.connection.missingHint ?? 'no store module of this kind is registered',
      logger: nestRuntimeLogger(this.logger),
      runner: { stallAfterMs: this.config.projections.stallAfterMs },
      sharedReader: this.config.projections.sharedReader,
      ...(this.observer !== undefined ? { observer: this.observer } : {}),
      ...(ownership !== undefined && { ownership }),
    });
    // An api node registers none: it runs no projection work (its reads go to the stored checkpoints).
    await this.runtimeInstance.start(
      runsProjections
        ? catalog.projections.map((plan) => ({ plan, definition: definitionModelOf(plan) }))
        : [],
    );
    this.startCoordination(this.runtimeInstance, runsProjections);
    this.logger.log(
      `${catalog.projections.length} projection(s) from ${this.config.projections.description}` +
        `${runsProjections ? '' : ' (role api: run by the workers)'}; ${describeViewStores(this.stores)}`,
    );
  }

  /** What this node publishes with each heartbeat: the status of the projections it runs. */
  private report(runsProjections: boolean): NodeReport | null {
    const runtime = this.runtimeInstance;
    if (!runsProjections || runtime === undefined) return null;
    return {
      at: new Date().toISOString(),
      projections: runtime
        .status()
        .filter((status) => this.runsLocally(status.name))
        .map(projectionStatusJson),
    };
  }

  /** With a shared store, the executor of the admin requests other nodes received for what runs here. */
  private startCoordination(runtime: ProjectionRuntime, runsProjections: boolean): void {
    const store = this.coordination.storeIfOpen;
    if (!runsProjections || store === undefined || !this.coordination.shared) return;
    this.executor = new AdminRequestExecutor({
      store,
      node: this.coordination.node.id,
      runs: () => runtime.names().filter((name) => this.runsLocally(name)),
      operations: new LocalAdminOperations(runtime),
      logger: nestRuntimeLogger(this.logger),
      onRan: () => this.coordination.heartbeatOnce(),
    });
    this.executor.start();
  }

  private setConnection(store: ViewStore, state: { connected: boolean; tried: boolean; lastError?: string }) {
    const required = store.module.connection.requiredForReadiness === true;
    this.connections.set(store.module, { kind: store.module.kind, name: store.name, required, ...state });
  }

  private async connectWithRetry(store: ViewStore, onTried: (store: ViewStore) => void): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const target = await store.connection.connectTarget();
        if (this.stopping) {
          await target.close();
          return;
        }
        this.targets.set(store.module, target);
        this.setConnection(store, { connected: true, tried: true });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.setConnection(store, { connected: false, tried: true, lastError: message });
        // Capped low so the views start soon after a store comes back (issue #12 item 11).
        const delay = Math.min(5_000, 500 * 2 ** attempt);
        this.logger.error(
          `Cannot connect the ${store.name} view store (${message}); retrying in ${delay / 1000}s. ` +
            'Commands keep working meanwhile.',
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      } finally {
        onTried(store);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => undefined);
    await this.executor?.stop();
    await this.runtimeInstance?.stop();
    // After the runtime: its leases are released before the node's announcement goes.
    await this.coordination.stop();
    await Promise.all([...this.targets.values()].map((target) => target.close()));
    // Each store's one client, after its target (the query APIs and health borrow it too).
    await Promise.all(this.stores.map((store) => store.connection.close()));
  }
}

/**
 * Both sets of event types in one, or undefined when neither names any (then no type is warned about: an
 * app without aggregates has no catalog of its own events).
 */
function unionOf(
  first: ReadonlySet<string> | undefined,
  second: ReadonlySet<string> | undefined,
): ReadonlySet<string> | undefined {
  const union = new Set([...(first ?? []), ...(second ?? [])]);
  return union.size === 0 ? undefined : union;
}
