/**
 * Failures of read-your-writes; consistency.filter.ts turns them into HTTP responses.
 * `code` is the error's `error` in HTTP answers (catalogued in src/http/error-catalog.ts).
 */

/** `after`, `wait` or the X-Prism-After header is not usable (400); `field` names it. */
export class ConsistencyTokenError extends Error {
  override readonly name = 'ConsistencyTokenError';
  readonly code = 'invalid_consistency_parameter';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid read-your-writes parameter "${field}": ${reason}`);
  }
}

/** The view had not processed `after` when the wait ran out (503 with Retry-After). */
export class NotYetConsistentError extends Error {
  override readonly name = 'NotYetConsistentError';
  readonly code = 'not_yet_consistent';
  constructor(
    readonly view: string,
    readonly after: bigint,
    /** The view's checkpoint when the wait ended; null when its projection is not running yet. */
    readonly checkpoint: bigint | null,
    readonly waitedMs: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `View "${view}" has not processed position ${after} yet (its checkpoint is ${checkpoint ?? 'unknown'}) ` +
        `after waiting ${waitedMs} ms; retry after ${retryAfterSeconds} s, or wait longer with ?wait=<ms>.`,
    );
  }
}
