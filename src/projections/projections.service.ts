/**
 * Runs the projection runtime inside the app: loads the definitions at start, connects the targets,
 * starts one runner per projection (new ones backfill, changed ones rebuild beside the live view), and
 * stops them on shutdown. Nest only wires this; the runtime itself knows nothing of Nest.
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
import type { Target } from '../targets/target.port';
import { loadProjectionCatalog, type ProjectionCatalog } from './projection-catalog';
import { connectTargets, describeTargets, type ConfiguredTargets } from './projection-targets';

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private runtimeInstance: ProjectionRuntime | undefined;
  private targets: ConfiguredTargets = {};
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

  /**
   * Starts in the background so the HTTP API (commands, and reads of views already built) comes up even
   * when a view store is down; connecting is retried with a capped backoff until it succeeds.
   */
  onApplicationBootstrap(): void {
    this.started = this.startWithRetry();
    this.started.catch((error: unknown) =>
      this.logger.error(
        `The projection runtime did not start: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  /** Resolves once the runtime runs (tests and the admin API wait on it). */
  ready(): Promise<ProjectionRuntime> {
    return this.started.then(() => this.runtime);
  }

  private async startWithRetry(): Promise<void> {
    const catalog = this.catalog;
    for (const problem of catalog.problems) this.logger.warn(problem);
    if (catalog.invalidFiles > 0) {
      this.logger.error(
        `${catalog.invalidFiles} definition file(s) in ${this.config.projectionsDir} have errors and are not running; ` +
          'fix them (`npm run prism -- validate`) and restart.',
      );
    }
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        this.targets = await connectTargets(this.config);
        break;
      } catch (error) {
        // Capped low so the views start soon after a store comes back (issue #12 item 11).
        const delay = Math.min(5_000, 500 * 2 ** attempt);
        this.logger.error(
          `Cannot connect the projection targets (${error instanceof Error ? error.message : String(error)}); ` +
            `retrying in ${delay / 1000}s. Commands keep working meanwhile.`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
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
      ...(this.observer !== undefined ? { observer: this.observer } : {}),
    });
    await this.runtimeInstance.start(
      catalog.projections.map((plan) => ({ plan, definition: definitionModelOf(plan) })),
    );
    this.logger.log(
      `${catalog.projections.length} projection(s) from ${this.config.projectionsDir}; ${describeTargets(this.config, this.targets)}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => undefined);
    await this.runtimeInstance?.stop();
    await Promise.all(Object.values(this.targets).map((target) => target.close()));
  }
}
