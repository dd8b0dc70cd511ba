/**
 * Runs the app's YAML projections with the package's projection runtime, into PostgreSQL through the
 * relational store module, and serves them with that store's query API (GET /views/:name/:key).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  definitionModelOf,
  loadProjections,
  ProjectionRuntime,
  recompileDefinition,
  storeModule,
  type CompiledProjection,
  type EventStore,
  type OpenedStore,
  type StoreQueryHost,
  type Target,
} from '@prism/platform';
import { CART_SETTINGS, EVENT_STORE, type CartSettings } from './tokens';

const relational = storeModule('relational');

@Injectable()
export class CartProjections implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projections: readonly CompiledProjection[];
  private readonly views: OpenedStore;
  private target: Target | undefined;
  private started: ProjectionRuntime | undefined;
  /** The names definitions may give this store (`relational`, `postgres`): the runtime finds targets by them. */
  private readonly kinds: readonly string[];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CART_SETTINGS) settings: CartSettings,
  ) {
    this.projections = loadProjections([settings.projectionsDir]);
    this.kinds = [relational.kind, ...(relational.aliases ?? [])];
    const logger = new Logger('CartViews');
    this.views = relational.connection.open(
      { kind: 'postgres', url: settings.databaseUrl, schema: settings.schema },
      { logger },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.target = await this.views.connectTarget();
    this.started = new ProjectionRuntime({
      store: this.store,
      targets: Object.fromEntries(this.kinds.map((kind) => [kind, this.target])),
      recompile: recompileDefinition,
      definitionOf: definitionModelOf,
    });
    await this.started.start(this.projections);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.stop();
    await this.target?.close();
    await this.views.close();
    await this.store.close();
  }

  get runtime(): ProjectionRuntime {
    if (this.started === undefined) throw new Error('the projections have not started');
    return this.started;
  }

  /** What the relational query API reads through. */
  queryHost(): StoreQueryHost {
    return { client: this.views.client, projections: this.projections, target: () => this.target };
  }
}
