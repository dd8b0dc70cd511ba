/**
 * What the runtime reports per projection; the admin API, the CLI, the metrics and health render this one
 * shape, and this one set of states (issue #12 item 12), documented in src/runtime/README.md:
 *
 *   starting           its generations are being read or prepared (also: retrying a failed start)
 *   catching-up        behind the head of the log, making progress
 *   live               at the head of the log, following it
 *   rebuilding         a new generation is built beside the live one (swapped in at the head)
 *   paused             stopped by an operator (kept across restarts until resumed)
 *   stalled            no progress for the stall bound while a store fails or does not answer: `stall`
 *                      names the store (event store or view store), its last error and since when
 *   failed             stopped for good after repeated errors that are not transient (see lastError)
 *   broken-definition  its definition file has errors, so it is not running (the admin API adds these)
 *   orphaned           its views are in a store's registry but no definition of it is loaded (its file was
 *                      removed): nothing runs it; `prism drop` removes the views (the admin API adds these)
 *   standby            another node holds its lease and runs it; this node stands by to take over
 *                      (only with several Prism processes: issue #15); `owner` says who
 *   stopped            the runtime is shutting down
 */
import type { CatchUpMeasure } from './catch-up-rate';
import type { StoreRole, StoreStall } from './store-watch';

export type { CatchUpMeasure } from './catch-up-rate';

export type { StoreRole, StoreStall } from './store-watch';

export const PROJECTION_STATES = [
  'starting',
  'catching-up',
  'live',
  'rebuilding',
  'paused',
  'stalled',
  'failed',
  'broken-definition',
  'orphaned',
  'standby',
  'stopped',
] as const;

export type ProjectionState = (typeof PROJECTION_STATES)[number];

/** The states a running projection can be in (a broken definition or an orphan never runs). */
export type RunnerState = Exclude<ProjectionState, 'broken-definition' | 'orphaned'>;

export interface RunnerError {
  readonly message: string;
  readonly kind: 'transient' | 'poison' | 'unknown';
  readonly attempts: number;
  readonly at: Date;
  /** Which store the error came from. */
  readonly store: StoreRole;
}

/** One runner: the live generation's, or the one a rebuild is filling. */
export interface GenerationStatus {
  readonly generation: number;
  readonly fingerprint: string;
  readonly state: RunnerState;
  /** Last position applied. */
  readonly checkpoint: bigint;
  /** Last position of the log that this projection reads (its filter applied). */
  readonly head: bigint;
  /** Position distance to the head: events behind when positions are dense, an upper bound otherwise. */
  readonly behind: bigint;
  /** Age of the last applied event while behind (its timestamp vs now); 0 when caught up. */
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
  /** Events applied by this runner since it started. */
  readonly eventsApplied: number;
  /**
   * The rate this runner reached while more than a batch behind the head (kept once live: what `prism
   * plan` estimates a rebuild from); null until it has caught up for at least a second.
   */
  readonly catchUp: CatchUpMeasure | null;
  /** Fraction of the way from 0 to the head, by position. */
  readonly progress: number;
  readonly etaSeconds: number | null;
  readonly parked: number;
  readonly held: number;
  readonly lastError: RunnerError | null;
  /** Present while the runner is `stalled`: the store in trouble, since when, and its last error. */
  readonly stall: StoreStall | null;
}

export interface ProjectionStatus {
  readonly name: string;
  /** Overall state: failed, paused, stalled, rebuilding, catching-up or live. */
  readonly state: RunnerState;
  readonly live: GenerationStatus | null;
  /** Present while a new generation is built beside the live one. */
  readonly rebuild: GenerationStatus | null;
  /** Present while `stalled`: the store in trouble (the live generation's, else the rebuild's). */
  readonly stall: StoreStall | null;
  /** Why something is not as expected (e.g. the old generation cannot be advanced during a rebuild). */
  readonly notes: readonly string[];
  /**
   * Who holds the projection's lease (issue #15): this node or another, as last listed; null when nobody
   * does. Absent when the runtime runs without leases (one process).
   */
  readonly owner?: ProjectionOwner | null;
  /**
   * A segmented projection (issue #15): each segment's runner as this node sees it, segment 0 first. A
   * segment another node runs shows its owner and `standby` (its numbers are in that node's status).
   */
  readonly segments?: readonly SegmentStatus[];
}

/** One segment of a segmented projection. */
export interface SegmentStatus {
  readonly segment: number;
  readonly state: RunnerState;
  /** The live generation's checkpoint of this segment, when this node runs it. */
  readonly checkpoint: bigint | null;
  /** The checkpoint of the generation being rebuilt, when this node runs it and a rebuild is under way. */
  readonly rebuildCheckpoint: bigint | null;
  /** Who holds the segment's lease (absent without leases; null: nobody right now). */
  readonly owner?: ProjectionOwner | null;
}

export interface ProjectionOwner {
  /** The holder's node id. */
  readonly node: string;
  /** The lease epoch (the fence its writes carry). */
  readonly epoch: bigint;
  /** When it acquired the lease (store time for other nodes, local time for this one). */
  readonly since: Date;
  /** How long it has held the lease. */
  readonly leaseAgeMs: number;
}
