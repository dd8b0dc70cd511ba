/** What the runtime reports per projection; the admin API and CLI render this one shape. */

export type RunnerState =
  'starting' | 'catching-up' | 'live' | 'rebuilding' | 'paused' | 'stalled' | 'failed' | 'stopped';

export interface RunnerError {
  readonly message: string;
  readonly kind: 'transient' | 'poison' | 'unknown';
  readonly attempts: number;
  readonly at: Date;
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
  /** Fraction of the way from 0 to the head, by position. */
  readonly progress: number;
  readonly etaSeconds: number | null;
  readonly parked: number;
  readonly held: number;
  readonly lastError: RunnerError | null;
}

export interface ProjectionStatus {
  readonly name: string;
  /** Overall state: failed, paused, stalled, rebuilding, catching-up or live. */
  readonly state: RunnerState;
  readonly live: GenerationStatus | null;
  /** Present while a new generation is built beside the live one. */
  readonly rebuild: GenerationStatus | null;
  /** Why something is not as expected (e.g. the old generation cannot be advanced during a rebuild). */
  readonly notes: readonly string[];
}
