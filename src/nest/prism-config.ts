/**
 * The options after checking (resolve-options.ts): what Prism's providers read, under `PRISM_CONFIG`.
 * Internal: a team's app gives PrismOptions; this shape may change in any release.
 */
import type { ApiKey, QueryAuthMode } from '../auth/api-keys';
import type { EventLog, EventStore } from '../eventstore/event-store.port';
import type { EventStoreSettings } from '../eventstore/event-store.settings';
import type { TracingSettings } from '../observability/tracing/tracing-settings';
import type { ProjectionSources } from '../projection-host/projection-catalog';
import type { CoordinationSource, ResolvedNode } from '../coordination/resolve-coordination';
import type { PrismRole } from '../coordination/coordination.port';

/** Injection token of the checked options: `@Inject(PRISM_CONFIG) config: PrismConfig`. */
export const PRISM_CONFIG = Symbol('PRISM_CONFIG');

/** Injection token of the options as the app gave them (forRoot's value, forRootAsync's factory result). */
export const PRISM_OPTIONS = Symbol('PRISM_OPTIONS');

/** Where events come from: a store Prism opens (and closes), or one the app gave (which it closes). */
export type EventSource =
  | { readonly kind: 'settings'; readonly settings: EventStoreSettings }
  | { readonly kind: 'store'; readonly store: EventStore }
  | { readonly kind: 'log'; readonly log: EventLog };

export interface PrismConfig {
  readonly events: EventSource;
  /** Each configured view store's settings (a given client inside them), by store kind. */
  readonly viewStores: Readonly<Record<string, unknown>>;
  readonly projections: ProjectionSources & {
    /** How the sources are named in logs, e.g. `projections/ and 2 TypeScript definitions`. */
    readonly description: string;
    readonly stallAfterMs: number;
    /** The node's runners share one reader of the log (issue #17). */
    readonly sharedReader: boolean;
  };
  readonly commands: { readonly idempotencyLeaseMs: number };
  readonly queries: { readonly readWaitMaxMs: number };
  /** `false`: Prism's guard is off and the app's own guards decide. */
  readonly auth: { readonly apiKeys: readonly ApiKey[]; readonly queryAuth: QueryAuthMode } | false;
  readonly tracing?: TracingSettings;
  /** This process's role (issue #15): `all`, `api` or `worker`. */
  readonly role: PrismRole;
  /** Where nodes share leases, announcements and admin requests. */
  readonly coordination: CoordinationSource;
  readonly node: ResolvedNode;
}
