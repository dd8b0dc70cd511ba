/** Errors of the Idempotency-Key protocol, each with what the client should do. */

/** The key was first used for a different request (another route, body or If-Match). */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(readonly key: string) {
    super(
      `Idempotency-Key "${key}" was already used for a different request; ` +
        'send a new key for a new or corrected request.',
    );
  }
}

/** Another request with the same key is still running. */
export class IdempotencyKeyInProgressError extends Error {
  override readonly name = 'IdempotencyKeyInProgressError';
  constructor(
    readonly key: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `A request with Idempotency-Key "${key}" is still being processed; ` +
        `retry the same request in ${retryAfterSeconds}s to get its result.`,
    );
  }
}

/** The Idempotency-Key header is not a usable key. */
export class InvalidIdempotencyKeyError extends Error {
  override readonly name = 'InvalidIdempotencyKeyError';
  readonly code = 'invalid_idempotency_key';
  constructor(readonly key: string) {
    super(
      'The Idempotency-Key header must be 1 to 128 characters of letters, digits and . _ : -; ' +
        'a UUID works well.',
    );
  }
}
