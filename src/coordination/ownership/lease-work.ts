/**
 * The seam between the lease keeper and what runs projections (the ProjectionRuntime): the keeper decides
 * which leases this node holds and tells the work to start or stop; the work tells the keeper when it
 * found out first that a lease is lost (a fenced commit).
 */
import type { Lease } from '../coordination.port';

export interface Acquisition {
  /** Another node held this lease before (it died, froze, or gave the lease up): a takeover. */
  readonly takeover: boolean;
  /** That node's id, when known. */
  readonly previousHolder?: string;
}

export interface LeaseWork {
  /** Projection name -> fingerprint of each definition this node loaded and can run. */
  readonly definitions: Readonly<Record<string, string>>;
  /**
   * The lease was acquired: run the projection, with `lease.epoch` as the fence of every write. Resolves
   * once it started or recorded why it could not (it retries on its own); never rejects.
   */
  start(lease: Lease, acquisition: Acquisition): Promise<void>;
  /** Stop running the projection (the lease is lost, or about to be given up). Resolves once stopped. */
  stop(resource: string, reason: string): Promise<void>;
}

/** A lease this node holds, as status and the node report show it. */
export interface HeldLease {
  readonly resource: string;
  readonly epoch: bigint;
  /** When this node acquired it (local clock). */
  readonly since: Date;
  /** When its work stops unless a renewal comes back (local clock). */
  readonly localDeadline: Date;
}

/** Who holds a lease, as last listed from the coordination store (any node). */
export interface LeaseOwner {
  readonly node: string;
  readonly epoch: bigint;
  readonly since: Date;
}

export interface OwnershipSnapshot {
  readonly node: string;
  readonly role: string;
  /** Leases this node holds now. */
  readonly held: readonly HeldLease[];
  /** Every unexpired lease as last listed (this node's and others'), by resource. */
  readonly owners: Readonly<Record<string, LeaseOwner>>;
  /** The fair share at the last poll (leases per node), 0 before the first. */
  readonly share: number;
}
