/**
 * The runtime's metrics seam: the runner reports what it did as it happens (counts and durations that a
 * status snapshot cannot give). Optional; src/observability implements it with Prometheus metrics.
 * Implementations must be cheap and must not throw: they run on the runner's loop.
 */
import type { StoredEvent } from '../eventstore/event-store.port';
import type { ErrorClass } from './error-classifier';

export interface CommittedBatch {
  readonly projection: string;
  readonly generation: number;
  /** Events the commit covered (applied or parked). */
  readonly events: number;
  /** Time the target commit took (write + checkpoint compare-and-set). */
  readonly seconds: number;
  /** The events themselves (tracing links the commit to each one's trace through its metadata). */
  readonly committed?: readonly StoredEvent[];
  /** The node that committed it (with leases, issue #15); absent for a runtime without leases. */
  readonly node?: string;
}

/** This node took or lost a projection's lease (issue #15). */
export interface LeaseChange {
  readonly projection: string;
  /** The segment whose lease it is (issue #15): 0 for an unsegmented projection. */
  readonly segment?: number;
  readonly held: boolean;
  /** The epoch taken (held only). */
  readonly epoch?: bigint;
  /** Another node held it before (held only). */
  readonly takeover?: boolean;
  readonly node?: string;
}

export interface StoreFailure {
  readonly projection: string;
  readonly generation: number;
  readonly kind: ErrorClass;
}

export interface RuntimeObserver {
  batchCommitted(batch: CommittedBatch): void;
  /** A failed read, load or commit (a poison rejection is counted once per rejected commit). */
  storeError(failure: StoreFailure): void;
  /** With leases only: a lease taken (a takeover when another node held it before) or lost. */
  leaseChanged?(change: LeaseChange): void;
}
