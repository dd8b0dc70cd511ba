/**
 * Prism in a team's own Nest app (issue #14):
 *
 *   @Module({ imports: [PrismModule.forRoot({ eventStore, viewStores, projections })] })
 *   @Module({ imports: [PrismModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *                                                  useFactory: (config) => ({ ... }) })] })
 *
 * Global: the event store (EVENT_STORE, EVENT_LOG, EVENT_APPENDER), the projection runtime
 * (ProjectionsService), read-your-writes, metrics and tracing, the drain gate and Prism's API-key guard
 * (unless `auth: false`) are there for the whole app. The HTTP APIs are four modules, all mounted by
 * default; `mount` leaves any of them out, for the app to import itself under its own prefix. The append
 * route (`POST /streams/{streamId}/events`) and the command routes of the app's aggregates (`aggregates`)
 * are mounted too when Prism may write.
 *
 * Roles (issue #15, `role` / PRISM_ROLE) decide what a process mounts: `all` everything; `api` commands,
 * append, queries, admin, console, health and metrics, and no projection work (it loads the definitions
 * and connects the view stores to serve reads); `worker` health and metrics only, and runs the projections
 * whose leases it holds. `mount` can only leave more out.
 */
import path from 'node:path';
import {
  type DynamicModule,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD, ModulesContainer } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Aggregate } from '../aggregates/aggregate.types';
import { PRISM_ROLES, type PrismRole, servesApi } from '../coordination/coordination.port';
import { aggregatesInApp, PrismAggregatesModule } from '../aggregates/aggregates.module';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { BodyErrorGuard } from '../http/deferred-body-error';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { ObservabilityModule } from '../observability/observability.module';
import { loadEventCatalog } from '../events-catalog/build-catalog';
import { EVENT_CATALOG } from '../projection-host/projection-catalog';
import { ProjectionsModule } from '../projection-host/projections.module';
import { ConsistencyModule } from '../query/consistency/consistency.module';
import { PrismAdminModule } from './prism-admin.module';
import { PRISM_CONFIG, PRISM_OPTIONS, type PrismConfig } from './prism-config';
import { PRISM_EVENT_TOKENS, prismEventsProviders } from './prism-events.providers';
import { PrismHealthModule } from './prism-health.module';
import { PrismMetricsModule } from './prism-metrics.module';
import { PrismAppendModule } from './prism-append.module';
import type { PrismHttpOptions, PrismMountOptions, PrismOptions } from './prism-options';
import { declareQueryApis, PrismQueryModule } from './prism-query.module';
import { resolvePrismOptions } from './resolve-options';

/** `PrismModule.forRootAsync`'s argument: options from the app's own providers. */
export interface PrismAsyncOptions {
  /** Modules whose providers the factory injects (e.g. the app's ConfigModule). */
  readonly imports?: ModuleMetadata['imports'];
  /** The providers passed to `useFactory`, in order. */
  readonly inject?: readonly (InjectionToken | OptionalFactoryDependency)[];
  /**
   * Returns the options (without `mount`, `http` and `aggregates`, given here: routes are fixed before it
   * runs).
   */
  readonly useFactory: (...dependencies: never[]) => PrismOptions | Promise<PrismOptions>;
  /** Which APIs are mounted (all by default); see PrismOptions.mount. */
  readonly mount?: PrismMountOptions | false;
  /** `appendRoute: false` when the factory gives a read-only `eventLog`. */
  readonly http?: PrismHttpOptions;
  /** The app's aggregates (defineAggregate), whose command routes are mounted; see PrismOptions.aggregates. */
  readonly aggregates?: readonly Aggregate[];
  /** This process's role (`all` by default); see PrismOptions.role. */
  readonly role?: PrismRole;
}

/** Prism in a Nest app: the event store, the projection runtime and its APIs (see the file comment). */
function isRole(value: unknown): boolean {
  return value === undefined || (PRISM_ROLES as readonly unknown[]).includes(value);
}

@Module({})
export class PrismModule {
  /** Prism with options given in code (instances or settings); checked when the app starts. */
  static forRoot(options: PrismOptions): DynamicModule {
    const writable = options.eventLog === undefined;
    return PrismModule.build(
      [],
      { provide: PRISM_OPTIONS, useValue: options },
      {
        mount: options.mount,
        appendRoute: options.http?.appendRoute ?? writable,
        // Over a read-only log nothing takes commands (the options check refuses aggregates there).
        aggregates: writable ? (options.aggregates ?? []) : undefined,
        role: options.role,
      },
    );
  }

  /** Prism with options from a factory that injects the app's own providers. */
  static forRootAsync(options: PrismAsyncOptions): DynamicModule {
    return PrismModule.build(
      options.imports ?? [],
      { provide: PRISM_OPTIONS, inject: [...(options.inject ?? [])], useFactory: options.useFactory },
      {
        mount: options.mount,
        appendRoute: options.http?.appendRoute ?? true,
        aggregates: options.aggregates ?? [],
        fromFactory: true,
        role: options.role,
      },
    );
  }

  private static build(
    imports: NonNullable<ModuleMetadata['imports']>,
    optionsProvider: Provider,
    routes: {
      readonly mount: PrismMountOptions | false | undefined;
      readonly appendRoute: boolean;
      /** Undefined: no write side at all (a read-only log given to forRoot). */
      readonly aggregates: readonly Aggregate[] | undefined;
      readonly fromFactory?: boolean;
      readonly role: PrismRole | undefined;
    },
  ): DynamicModule {
    // A bad role is reported by the options check; meanwhile it mounts what `all` mounts.
    const api = servesApi(routes.role ?? 'all') || !isRole(routes.role);
    const context = {
      fromFactory: routes.fromFactory === true,
      appendRoute: routes.appendRoute,
      // forRoot's aggregates are in the options the check reads; forRootAsync's are given beside them.
      ...(routes.fromFactory === true && { aggregates: routes.aggregates?.length ?? 0 }),
      ...(routes.fromFactory === true && routes.role !== undefined && { role: routes.role }),
    };
    // The store registry may have grown since the query module's file loaded (registerStoreModule).
    declareQueryApis();
    return {
      module: PrismModule,
      global: true,
      imports: [
        ...imports,
        LifecycleModule,
        ObservabilityModule.forRoot(),
        ProjectionsModule,
        ConsistencyModule,
        ...mountedModules(routes.mount, api),
        ...(routes.appendRoute && api ? [PrismAppendModule] : []),
        // The write side (CommandRunner, Idempotency-Key store, the aggregates' command handler; global) and
        // the aggregates' command routes. A host's feature module adds more: PrismAggregatesModule.forFeature.
        // A worker takes no commands.
        ...(routes.aggregates === undefined || !api
          ? []
          : [CqrsModule.forRoot(), PrismAggregatesModule.forRoot(routes.aggregates)]),
      ],
      providers: [
        optionsProvider,
        // Checked when the app starts: a bad option fails the start with a message naming it.
        {
          provide: PRISM_CONFIG,
          inject: [PRISM_OPTIONS],
          useFactory: (options: PrismOptions) => resolvePrismOptions(options, context),
        },
        ...prismEventsProviders,
        // The event catalog (issue #16): the aggregates' events and the catalog file, read once at start; a
        // broken catalog file fails the start with every problem at file:line:col. Workers need it too:
        // they upcast events before their projections see them.
        {
          provide: EVENT_CATALOG,
          inject: [PRISM_CONFIG, ModulesContainer],
          useFactory: (config: PrismConfig, modules: ModulesContainer) =>
            loadEventCatalog({
              // The given aggregates and those the host's feature modules mount (forFeature).
              aggregates: aggregatesInApp(modules, routes.aggregates ?? []),
              ...(config.projections.eventCatalog !== undefined && {
                path: config.projections.eventCatalog,
                name:
                  path.relative(process.cwd(), config.projections.eventCatalog) ||
                  config.projections.eventCatalog,
              }),
            }),
        },
        // App-wide, as Nest guards are; it only acts on routes marked @RequireRole (Prism's), and lets
        // everything through with `auth: false`.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After the key guard: a body that could not be read is answered once the key was checked.
        { provide: APP_GUARD, useClass: BodyErrorGuard },
      ],
      exports: [PRISM_CONFIG, EVENT_CATALOG, ...PRISM_EVENT_TOKENS, ProjectionsModule],
    };
  }
}

/** The HTTP APIs to mount: those `mount` leaves in, without the query and admin APIs on a worker. */
function mountedModules(
  mount: PrismMountOptions | false | undefined,
  api: boolean,
): DynamicModule['imports'] & object {
  const chosen =
    mount === false ? { query: false, admin: false, metrics: false, health: false } : (mount ?? {});
  return [
    ...(chosen.query !== false && api ? [PrismQueryModule] : []),
    ...(chosen.admin !== false && api ? [PrismAdminModule] : []),
    ...(chosen.metrics !== false ? [PrismMetricsModule] : []),
    ...(chosen.health !== false ? [PrismHealthModule] : []),
  ];
}
