/**
 * How the lease keeper is configured: the node it keeps leases for, and how often it talks to the
 * coordination store and how long its claims last. The defaults give a takeover within about ttl + poll
 * (7 s) after a holder dies, under the 10 s bound.
 */
import type { CoordinationStore, PrismRole } from '../coordination.port';
import type { RuntimeLogger } from '../../runtime/runtime.logger';

export interface OwnershipNode {
  readonly id: string;
  readonly role: PrismRole;
  /** Prism's package version (announced). */
  readonly version: string;
  /**
   * The definitions to announce (projection -> fingerprint), e.g. the app's catalog; absent: those of the
   * attached runtime (none before). Keep them stable: a node whose announced definitions change counts as
   * newly started (rolling-deploy rule, preferred-definitions.ts).
   */
  readonly definitions?: Readonly<Record<string, string>>;
}

export interface OwnershipCoordinatorOptions {
  readonly store: CoordinationStore;
  readonly node: OwnershipNode;
  readonly settings?: Partial<OwnershipSettings>;
  /** What the node runs, as JSON, published with every heartbeat (null when absent). */
  readonly report?: () => unknown;
  /**
   * Whether this keeper heartbeats the node (default true). False when the host announces the node
   * itself under the same id and at least every `renewEveryMs`: the keeper then only reads the nodes.
   */
  readonly announce?: boolean;
  readonly logger?: RuntimeLogger;
}

export interface OwnershipSettings {
  /** How long a lease lasts unless renewed (store clock). A dead holder's projections wait this long. */
  readonly leaseTtlMs: number;
  /** How often held leases are renewed (one call for all) and the node heartbeats. */
  readonly renewEveryMs: number;
  /** How often the node looks for free or lapsed leases to take, and for leases to give up. */
  readonly pollEveryMs: number;
  /** How long the node's announcement lasts unless renewed (default: the lease TTL). */
  readonly heartbeatTtlMs: number;
}

export const DEFAULT_LEASE_TTL_MS = 6000;

export class InvalidOwnershipSettingsError extends Error {
  override readonly name = 'InvalidOwnershipSettingsError';
}

/**
 * The settings with defaults filled in. Refuses settings under which a holder could lose its lease while
 * healthy: a renewal must come at least twice per TTL, so one slow or lost renewal does not cost the lease.
 */
export function ownershipSettings(overrides: Partial<OwnershipSettings> = {}): OwnershipSettings {
  const leaseTtlMs = overrides.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const settings: OwnershipSettings = {
    leaseTtlMs,
    renewEveryMs: overrides.renewEveryMs ?? Math.max(1, Math.round(leaseTtlMs / 3)),
    pollEveryMs: overrides.pollEveryMs ?? Math.min(1000, Math.max(1, Math.round(leaseTtlMs / 6))),
    heartbeatTtlMs: overrides.heartbeatTtlMs ?? leaseTtlMs,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value <= 0)
      throw new InvalidOwnershipSettingsError(
        `${name} must be a positive whole number of ms (got ${value}).`,
      );
  }
  if (settings.renewEveryMs * 2 > settings.leaseTtlMs) {
    throw new InvalidOwnershipSettingsError(
      `renewEveryMs (${settings.renewEveryMs}) must be at most half of leaseTtlMs (${settings.leaseTtlMs}), ` +
        'so one late renewal does not cost a healthy node its leases.',
    );
  }
  if (settings.renewEveryMs * 2 > settings.heartbeatTtlMs) {
    throw new InvalidOwnershipSettingsError(
      `renewEveryMs (${settings.renewEveryMs}) must be at most half of heartbeatTtlMs (${settings.heartbeatTtlMs}): ` +
        'the node heartbeats with its renewals.',
    );
  }
  return settings;
}
