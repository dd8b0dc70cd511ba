/**
 * Remembers which command an Idempotency-Key ran and what it returned, so a retried request returns the
 * first result instead of running again. See src/commands/README.md "Idempotency" for the protocol.
 */
import type { AppendResult } from '../../eventstore/event-store.port';

export interface IdempotentRequest {
  readonly key: string;
  readonly fingerprint: string;
  readonly commandId: string;
  /** Where the command will write: lets a later claim find out whether this attempt wrote anything. */
  readonly aggregateId: string;
  readonly streamId: string;
}

/** The successful result of a command, as remembered under its key. */
export interface RememberedResult extends AppendResult {
  readonly id: string;
}

/** A claim that was released or abandoned (its holder crashed or outlived its lease). */
export interface EarlierAttempt {
  readonly commandId: string;
  readonly aggregateId: string;
  readonly streamId: string;
}

/** Proof of holding a key; completing or releasing with a stale token does nothing. */
export interface ClaimToken {
  readonly key: string;
  readonly commandId: string;
  readonly revision: number;
}

export type ClaimOutcome =
  /**
   * The caller holds the key and must run the command, unless one of the `earlier` attempts (claims that
   * were released or abandoned) turns out to have written its events.
   */
  | { readonly kind: 'claimed'; readonly token: ClaimToken; readonly earlier: readonly EarlierAttempt[] }
  /** The key's command already succeeded: answer with this result. */
  | { readonly kind: 'completed'; readonly result: RememberedResult };

export interface IdempotencyStore {
  /**
   * Claims the key for one request. At most one holder at a time: a concurrent request with the same key
   * waits briefly for the holder's result.
   * @throws IdempotencyKeyReusedError when the key was first used for a different request.
   * @throws IdempotencyKeyInProgressError when another holder is still running after the wait.
   */
  claim(request: IdempotentRequest): Promise<ClaimOutcome>;
  /** Records the command's result under the key. */
  complete(token: ClaimToken, result: RememberedResult): Promise<void>;
  /** Frees the key after the command failed, so a retry may run it again. */
  release(token: ClaimToken, reason: string): Promise<void>;
}
