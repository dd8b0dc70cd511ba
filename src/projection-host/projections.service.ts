/**
 * Runs the projection runtime inside the app: loads the definitions at start, connects the targets,
 * starts one runner per projection (new ones backfill, changed ones rebuild beside the live view), and
 * stops them on shutdown. Nest only wires this; the runtime itself knows nothing of Nest.
 *
 * Start-up order (issue #12 item 13: view reads answered 503 "no active generation yet" for 1-5 s after
 * each start while the old generation existed): each kind of view store connects on its own, and the app
 * does not serve until each has answered or failed its first attempt (bounded by VIEW_STORES_WAIT_MS), so
 * the first read of an existing view finds its store connected. `viewStoresLoaded` tells readiness.
 */
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { TargetKind } from '../core/view-shape';
import { definitionModelOf, recompileDefinition } from '../dsl';
import type { EventStore } from '../eventstore/event-store.port';
import { EVENT_STORE } from '../eventstore/event-store.module';
import { ProjectionRuntime } from '../runtime/projection-runtime';
import { nestRuntimeLogger } from '../observability/logging/runtime-logger';
import { RUNTIME_OBSERVER } from '../observability/observability.tokens';
import type { RuntimeObserver } from '../runtime/runtime.observer';
import type { Target } from '../stores/target.port';
import { loadProjectionCatalog, type BrokenDefinition, type ProjectionCatalog } from './projection-catalog';
import {
  configuredTargetKinds,
  connectTarget,
  describeTargets,
  type ConfiguredTargets,
} from './projection-targets';

/** Longest the app waits at start for the view stores' first connection attempts before serving anyway. */
export const VIEW_STORES_WAIT_MS = 10_000;

/** Where one kind of view store stands: connected, or still trying (with the last error). */
export interface ViewStoreConnection {
  readonly kind: TargetKind;
  readonly connected: boolean;
  /** Whether the first connection attempt is over (connected or failed). */
  readonly tried: boolean;
  readonly lastError?: string;
}

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private runtimeInstance: ProjectionRuntime | undefined;
  private targets: ConfiguredTargets = {};
  private readonly connections = new Map<TargetKind, ViewStoreConnection>();
  private started: Promise<void> = Promise.resolve();
  private stopping = false;

  /** The definitions of PRISM_PROJECTIONS_DIR, read once at start (the query APIs serve these views). */
  readonly catalog: ProjectionCatalog;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(RUNTIME_OBSERVER) private readonly observer?: RuntimeObserver,
  ) {
    this.catalog = loadProjectionCatalog(config.projectionsDir);
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

  /** The connected target of one kind of view, undefined until the targets connect (the query APIs read through it). */
  target(kind: TargetKind): Target | undefined {
    return this.targets[kind];
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
   * Whether the views can be served: the relational view store (where relational views always live) is
   * connected, and every other configured view store has answered or failed its first attempt (its views
   * then answer 503 themselves until it connects).
   */
  get viewStoresLoaded(): boolean {
    const connections = this.viewStores();
    return (
      connections.length > 0 &&
      connections.every((connection) => connection.tried) &&
      connections.some((connection) => connection.kind === 'postgres' && connection.connected)
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
        `${catalog.invalidFiles} definition file(s) in ${this.config.projectionsDir} have errors and are not running; ` +
          'fix them (`npm run prism -- validate`) and restart.',
      );
    }
    const kinds = configuredTargetKinds(this.config);
    for (const kind of kinds) this.connections.set(kind, { kind, connected: false, tried: false });
    const tried = new Set<TargetKind>();
    const onTried = (kind: TargetKind) => {
      tried.add(kind);
      if (tried.size === kinds.length) firstAttemptsOver();
    };
    // Each kind on its own: a slow or absent Elasticsearch must not keep the relational views unreadable.
    await Promise.all(kinds.map((kind) => this.connectWithRetry(kind, onTried)));
    if (this.stopping) return;
    this.runtimeInstance = new ProjectionRuntime({
      store: this.store,
      targets: this.targets,
      recompile: (model) => recompileDefinition(model),
      missingTargetHint: (kind) =>
        kind === 'elasticsearch'
          ? 'set PRISM_ES_URL to run them'
          : kind === 'neo4j'
            ? 'set PRISM_NEO4J_URL to run them'
            : 'set PRISM_PG_URL to run them',
      logger: nestRuntimeLogger(this.logger),
      runner: { stallAfterMs: this.config.projections.stallAfterMs },
      ...(this.observer !== undefined ? { observer: this.observer } : {}),
    });
    await this.runtimeInstance.start(
      catalog.projections.map((plan) => ({ plan, definition: definitionModelOf(plan) })),
    );
    this.logger.log(
      `${catalog.projections.length} projection(s) from ${this.config.projectionsDir}; ${describeTargets(this.config, this.targets)}`,
    );
  }

  private async connectWithRetry(kind: TargetKind, onTried: (kind: TargetKind) => void): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const target = await connectTarget(this.config, kind);
        if (this.stopping) {
          await target.close();
          return;
        }
        this.targets[kind] = target;
        this.connections.set(kind, { kind, connected: true, tried: true });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.connections.set(kind, { kind, connected: false, tried: true, lastError: message });
        // Capped low so the views start soon after a store comes back (issue #12 item 11).
        const delay = Math.min(5_000, 500 * 2 ** attempt);
        this.logger.error(
          `Cannot connect the ${kind} view store (${message}); retrying in ${delay / 1000}s. ` +
            'Commands keep working meanwhile.',
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      } finally {
        onTried(kind);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => undefined);
    await this.runtimeInstance?.stop();
    await Promise.all(Object.values(this.targets).map((target) => target.close()));
  }
}
