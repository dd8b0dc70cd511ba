/** Tuning knobs of the projection runtime, with defaults that suit one process and one view store per projection. */
import type { BackoffOptions } from './backoff';

export interface RunnerOptions {
  /** Most events per batch (one load, one commit). */
  readonly batchSize: number;
  /** Longest an event waits for its batch to fill before the batch is committed anyway. */
  readonly maxBatchLatencyMs: number;
  /** Events the subscription may buffer ahead of the runner. */
  readonly bufferSize: number;
  /** How often the head of the log is read, for lag, progress and the rebuild swap. */
  readonly headPollMs: number;
  /** A projection behind the head with no progress for this long is reported `stalled`. */
  readonly stallAfterMs: number;
  /**
   * Waits between retries of a failing projection (store down, lost race). The cap bounds how long a
   * projection may sleep after its store is back: 30 s once made catch-up take 22 s (issue #12 item 11).
   */
  readonly backoff: BackoffOptions;
  /** Failures that are neither transient nor poison are retried this many times, then the projection fails. */
  readonly maxUnknownAttempts: number;
  /** How often a projection behind the head logs its progress (never per event). */
  readonly progressLogMs: number;
  /**
   * Events in catch-up batches larger than `batchSize` (stores with `capabilities.catchUpBatchSize`),
   * split among the process's runners catching up at once (runner/batch-sizes.ts).
   */
  readonly catchUpBatchEvents: number;
  /**
   * Longest a pause waits for the batch it found under way to be committed. A pause normally answers once
   * nothing is in flight, so the checkpoint stays put from then on; on a store this slow it answers
   * anyway, and that one batch may still land.
   */
  readonly pauseSettleMs: number;
}

/**
 * Whether the server's runners share one reader of the log (issue #17, src/runtime/shared-log/) unless
 * told otherwise (PRISM_SHARED_READER, the Nest option `runtime.sharedReader`).
 */
export const SHARED_READER_BY_DEFAULT = false;

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  batchSize: 2000,
  maxBatchLatencyMs: 20,
  bufferSize: 8000,
  headPollMs: 1000,
  stallAfterMs: 30_000,
  backoff: { initialMs: 100, maxMs: 2_000 },
  maxUnknownAttempts: 8,
  progressLogMs: 10_000,
  catchUpBatchEvents: 10_000,
  pauseSettleMs: 10_000,
};

export function runnerOptions(overrides: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    ...DEFAULT_RUNNER_OPTIONS,
    ...overrides,
    backoff: { ...DEFAULT_RUNNER_OPTIONS.backoff, ...overrides.backoff },
  };
}
