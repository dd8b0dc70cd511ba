/** The coordination stores' errors: one class per failure, with a message that says what to do. */
import type { AdminRequestStatus } from './coordination.port';

/** The store cannot be reached (retry later, or fix the connection settings). */
export class CoordinationStoreUnavailableError extends Error {
  override readonly name = 'CoordinationStoreUnavailableError';
  constructor(
    readonly storeKind: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The ${storeKind} coordination store is unavailable: ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/** The schema named for the PostgreSQL coordination tables is not a plain identifier. */
export class InvalidCoordinationSchemaError extends Error {
  override readonly name = 'InvalidCoordinationSchemaError';
  constructor(readonly schema: string) {
    super(
      `"${schema}" cannot hold the coordination tables: use a lowercase SQL identifier ` +
        '(letters, digits and _, starting with a letter or _, at most 63 characters), e.g. prism.',
    );
  }
}

/** `complete` on a request that is not running (never claimed, or already completed): a caller's bug. */
export class AdminRequestNotClaimedError extends Error {
  override readonly name = 'AdminRequestNotClaimedError';
  constructor(
    readonly id: string,
    readonly status: AdminRequestStatus | undefined,
  ) {
    super(
      status === undefined
        ? `admin request ${id} does not exist (or was pruned after it finished), so it cannot be completed`
        : `admin request ${id} is ${status}, not running: claim it before completing it, and complete it once`,
    );
  }
}
