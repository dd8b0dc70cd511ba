/**
 * The `connection` section of a store module (store-module.ts): how a view store is configured from the
 * environment, how it connects, how health probes it, how its query API is mounted, and how banners and
 * hints name it. The core (src/config, src/projection-host, src/observability/health, src/app.module.ts)
 * iterates the registry and uses only this section, so it names no store.
 *
 * One client per process: `open` makes the store's one client (or driver) from its settings; the
 * store's Target, its query API and its health probe all use that client, and it is closed once, at
 * shutdown, after the target. Opening does no I/O (clients connect lazily), so the query API can be
 * mounted while the store is still unreachable; `connectTarget` does the first I/O and is retried by the
 * host (src/projection-host/view-store-connections.ts).
 */
import type { DynamicModule, InjectionToken, ModuleMetadata } from '@nestjs/common';
import type { ConfigProblem, EnvVariables, RawEnv } from '../config/env-variable';
import type { ConnectionLogger } from '../core/connection-watch';
import type { CompiledProjection } from '../core/plan';
import type { StoreOptionsResult } from './store-options';
import type { DescribeView } from '../query/view-openapi';
import type { StoreScratch } from './store-scratch';
import type { Target } from './target.port';

/** What a store reads its settings from (src/config/app-config.ts composes it). */
export interface StoreEnvironment {
  /** The environment after `<VAR>_FILE` secrets were read: raw strings, `''` meaning unset. */
  readonly raw: RawEnv;
  /**
   * Every variable's parsed value (the core's and each store's, defaults applied), or undefined when some
   * variable is invalid: then only problems are collected, and they are reported all at once.
   */
  readonly parsed: Readonly<Record<string, unknown>> | undefined;
  /** Absolute PRISM_DATA_DIR: where a store may keep local files. */
  readonly dataDir: string;
}

export interface StoreConfiguration<Settings> {
  /** Undefined: the store is not configured (definitions for it wait, see `missingHint`). */
  readonly settings?: Settings;
  /** Rules between the store's variables and unreadable files, each naming its variable. */
  readonly problems: readonly ConfigProblem[];
}

export interface StoreOpenContext {
  /** Where a lost and a regained connection are logged (once per outage). */
  readonly logger: ConnectionLogger;
}

/** The process's one connection to a store, shared by its target, its query API and its health probe. */
export interface OpenedStore<Client = unknown> {
  /** The one client (or driver); a store whose target opens its own pool exposes what the query API needs. */
  readonly client: Client;
  /**
   * Makes the Target through the shared client and prepares its bookkeeping (the first I/O). A failed
   * attempt leaves the client open, so the host can retry.
   */
  connectTarget(): Promise<Target>;
  /** A cheap read through the shared client; rejects when the store does not answer. */
  probe(): Promise<void>;
  /** Closes the client; called once, after the target was closed. */
  close(): Promise<void>;
}

/** What the host gives a store's query API: the shared client, the loaded definitions and the target. */
export interface StoreQueryHost<Client = unknown> {
  readonly client: Client;
  /** The definitions the app runs (each query API serves the views of its own store). */
  readonly projections: readonly CompiledProjection[];
  /** The store's connected target, undefined while it is not connected yet. */
  target(): Target | undefined;
}

/** How a query module gets its StoreQueryHost from the app (a Nest factory provider). */
export interface StoreQueryHostProvider<Client = unknown> {
  readonly imports: NonNullable<ModuleMetadata['imports']>;
  readonly inject: readonly InjectionToken[];
  readonly useFactory: (...dependencies: never[]) => StoreQueryHost<Client>;
}

export interface StoreQueryApi<Client = unknown> {
  /**
   * Where the module's routes go among the query modules, lowest first: Nest matches routes in the order
   * they are registered, so a store whose routes include a catch-all (`GET /views/:name/:key`) takes a
   * higher number than stores with fixed segments (`GET /views/:name/search`).
   */
  readonly routeOrder: number;
  /** The store's query API as a Nest module. */
  module(host: StoreQueryHostProvider<Client>): DynamicModule;
  /** A view's own paths and schemas in the OpenAPI document, from its definition (issue #20). */
  readonly describeView?: DescribeView;
}

export interface StoreConnection<Settings = unknown, Client = unknown> {
  /** The environment variables this store adds to Prism's (documented in the store's README). */
  readonly variables: EnvVariables;
  /** Reads the store's settings from the environment. */
  configure(env: StoreEnvironment): StoreConfiguration<Settings>;
  /**
   * Reads the store's entry of the Nest module's options (`PrismOptions.viewStores[kind]`, src/nest):
   * settings like the environment's, or a client the app already has, which `open` then uses and `close`
   * leaves open (the app closes what it made). Absent: the entry is taken as the store's settings as it is.
   */
  fromOptions?(value: unknown): StoreOptionsResult<Settings>;
  /** Where the store's views live, for the start-up banner; never includes credentials. */
  describe(settings: Settings): string;
  /** Told when definitions name this store but it is not configured, e.g. "set PRISM_X_URL to run them". */
  readonly missingHint: string;
  /**
   * How health, readiness and the banner name the store's views (`<name>_views` in GET /health/components).
   * Default: the store's kind. Users' probes read these names, so they outlive a renamed kind.
   */
  readonly healthName?: string;
  /**
   * Whether the app's views count as loaded only once this store is connected (readiness `views`): the
   * store that is always configured, where the views most apps read live. Other stores need only have
   * tried once (their views answer 503 themselves until they connect).
   */
  readonly requiredForReadiness?: boolean;
  /** Makes the store's one client from its settings (no I/O). */
  open(settings: Settings, context: StoreOpenContext): OpenedStore<Client>;
  readonly query?: StoreQueryApi<Client>;
  /** Throwaway views for `prism test --stores` (store-scratch.ts); absent: its named queries are not tested there. */
  readonly scratch?: StoreScratch<Settings>;
}

/** The name health, readiness and the banner use for a store's views. */
export function viewStoreName(module: {
  readonly kind: string;
  readonly connection: Pick<StoreConnection, 'healthName'>;
}): string {
  return module.connection.healthName ?? module.kind;
}
