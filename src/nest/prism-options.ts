/**
 * What a team's own Nest app gives `PrismModule.forRoot(...)` (or returns from `forRootAsync`'s factory).
 * Everything is optional but an event store: give instances the app already has (an EventStore, a pg Pool,
 * an Elasticsearch Client, a Neo4j Driver: Prism uses them and never closes them) or settings (Prism opens
 * and closes what it makes). `prismOptionsFromEnv()` builds these options from PRISM_* variables.
 */
import type { Aggregate } from '../aggregates/aggregate.types';
import type { ApiKey, QueryAuthMode } from '../auth/api-keys';
import type { CoordinationStore, PrismRole } from '../coordination/coordination.port';
import type { CoordinationSettings } from '../coordination/coordination-store.factory';
import type { WrittenDefinition } from '../dsl/model/definition.schema';
import type { EventLog, EventStore } from '../eventstore/event-store.port';
import type { EventStoreSettings } from '../eventstore/event-store.settings';
import type { SqlTableLogSettings } from '../eventstore/sql-log/sql-log.settings';
import type { TracingSettings } from '../observability/tracing/tracing-settings';
import type { ViewStoreOptions } from '../stores/view-store-options';

/** A projection written with the TypeScript builder: the builder itself, or its `toWritten()` data. */
export type ProjectionDefinitionInput = { toWritten(): WrittenDefinition } | WrittenDefinition;

export interface PrismProjectionOptions {
  /** A folder of YAML definitions, read recursively (every `*.yaml` but `*.test.yaml`). */
  readonly folder?: string;
  /** Single YAML definition files. */
  readonly files?: readonly string[];
  /** Definitions written with the TypeScript builder (`defineProjection`): they run like the files. */
  readonly definitions?: readonly ProjectionDefinitionInput[];
  /**
   * The event types your app writes. A definition reading a type outside this list gets a warning (a
   * typo such as `OrderPlacd`). Absent: no such check.
   */
  readonly knownEventTypes?: readonly string[];
  /**
   * The event catalog file (issue #16): payload schemas per version and upcasters of the events other
   * services write. Default: PRISM_EVENT_CATALOG, else `events.catalog.yaml` in `folder` when it exists.
   */
  readonly eventCatalog?: string;
}

/** Which of Prism's HTTP APIs `PrismModule` mounts itself (each is also a module you can import). */
export interface PrismMountOptions {
  /** `PrismQueryModule`: GET /views/... of every view store. Default true. */
  readonly query?: boolean;
  /** `PrismAdminModule`: /admin/projections, checks (verify, plan) and the console. Default true. */
  readonly admin?: boolean;
  /** `PrismMetricsModule`: GET /metrics. Default true. */
  readonly metrics?: boolean;
  /** `PrismHealthModule`: GET /health/live, /health/ready, /health/components. Default true. */
  readonly health?: boolean;
}

export interface PrismAuthOptions {
  /**
   * The API keys: `{ role, key }` objects, or the PRISM_API_KEYS text (`admin:<key>,writer:<key>`).
   * Empty: development mode (command and query routes open, admin routes refused).
   */
  readonly apiKeys?: readonly ApiKey[] | string;
  /** `public` (default): queries need no key; `keyed`: they need a reader, writer or admin key. */
  readonly queryAuth?: QueryAuthMode;
}

export interface PrismOptions {
  /**
   * The log Prism reads and writes: an EventStore the app made, used and never closed by Prism, or the
   * settings of one Prism opens and closes (`{ kind: 'embedded', file }`, `{ kind: 'postgres', url, schema }`,
   * `{ kind: 'kurrentdb', connectionString }`).
   */
  readonly eventStore?: EventStore | Exclude<EventStoreSettings, SqlTableLogSettings>;
  /**
   * Instead of `eventStore`: a log Prism only reads (projections, queries), e.g. `sqlTableEventLog(...)`
   * over a table another tool writes, or the settings of one (`{ kind: 'sql-table', ... }`, what
   * `prismOptionsFromEnv` reads for PRISM_EVENT_STORE=sql-table). Nothing can append to it.
   */
  readonly eventLog?: EventLog | SqlTableLogSettings;
  /** Where the views live, per kind of view store: settings, or a client the app already has. */
  readonly viewStores?: ViewStoreOptions;
  readonly projections?: PrismProjectionOptions;
  readonly runtime?: {
    /** No progress for this long while a store is in trouble reports `stalled`. Default 30000 ms. */
    readonly stallAfterMs?: number;
    /**
     * The projections of this node share one reader of the event log (issue #17): each page is read once
     * and fanned out to every runner. Default off.
     */
    readonly sharedReader?: boolean;
  };
  readonly queries?: {
    /** Longest a query with a read-your-writes token waits for its view (caps `?wait=`). Default 10000 ms. */
    readonly readWaitMaxMs?: number;
  };
  readonly commands?: {
    /** How long an Idempotency-Key claim protects a running command. Default 30000 ms. */
    readonly idempotencyLeaseMs?: number;
  };
  /** API keys checked by Prism's guard, or `false`: Prism adds no guard, your app's own guards decide. */
  readonly auth?: PrismAuthOptions | false;
  /** OpenTelemetry export of command and projection spans. Absent: tracing off. */
  readonly tracing?: TracingSettings;
  /** Which APIs `forRoot` mounts (all by default). With `forRootAsync`, give it beside `useFactory`. */
  readonly mount?: PrismMountOptions | false;
  /** With `forRootAsync`, give it beside `useFactory`. */
  readonly http?: PrismHttpOptions;
  /**
   * The app's aggregates (`defineAggregate`): their command routes, validation, errors and OpenAPI. With
   * `forRootAsync`, give them beside `useFactory`. Not with a read-only `eventLog`.
   */
  readonly aggregates?: readonly Aggregate[];
  /**
   * Which kind of process this is (issue #15; PRISM_ROLE): `all` (default: everything, as one process
   * always was), `api` (commands, append, queries, admin, console, health, metrics; runs no projection)
   * or `worker` (runs projections; health and metrics only). Roles other than `all` need a shared
   * coordination store (PostgreSQL or KurrentDB). With `forRootAsync`, give it beside `useFactory`.
   */
  readonly role?: PrismRole;
  /**
   * Where the Prism processes share leases, node announcements and admin requests: a CoordinationStore,
   * or its settings (`{ kind: 'postgres', pool | url, schema }`, `{ kind: 'kurrentdb', connectionString }`,
   * `{ kind: 'in-process' }`). Absent: PostgreSQL when a view store or the event store is PostgreSQL (the
   * view store's pool and schema first), KurrentDB when the event store is, else in-process (one process).
   */
  readonly coordination?: CoordinationStore | CoordinationSettings;
  /** This process as a node among others: its id and lease timings. */
  readonly node?: PrismNodeOptions;
}

/** A node's id and timings (issue #15); every field has a default. */
export interface PrismNodeOptions {
  /** How leases, status and `prism nodes` name this process (PRISM_NODE_ID). Default `<hostname>-<pid>`. */
  readonly id?: string;
  /**
   * How long a lease lives unless renewed (PRISM_LEASE_TTL_MS). A dead owner's projections are taken over
   * within about leaseTtlMs + pollEveryMs. Default 6000 ms.
   */
  readonly leaseTtlMs?: number;
  /** How often held leases and the node's announcement are renewed. Default leaseTtlMs / 3. */
  readonly renewEveryMs?: number;
  /** How often a node looks for free leases and pending admin requests. Default 1000 ms. */
  readonly pollEveryMs?: number;
  /** How long a node counts as alive after its last heartbeat. Default leaseTtlMs. */
  readonly heartbeatTtlMs?: number;
  /** How long an admin request for a projection another node runs waits for its outcome. Default 30000 ms. */
  readonly adminWaitMs?: number;
}

export interface PrismHttpOptions {
  /**
   * Mount `POST /streams/{streamId}/events` (src/append/README.md): other services append events, writer
   * role. Default: on, unless Prism was given a read-only `eventLog`.
   */
  readonly appendRoute?: boolean;
}
