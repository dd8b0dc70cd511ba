/**
 * Idempotency keys kept as one small stream per key, `idempotency-<key>`, in the event store itself.
 *
 * Why a stream and not a table: it needs no schema of its own, works unchanged on every event store
 * (PostgreSQL, embedded, KurrentDB), is as durable as the events, and the store's expected-revision check
 * is exactly the compare-and-set a claim needs. Projections never see these streams unless they subscribe
 * to the `Idempotency*` event types.
 *
 * The stream holds: IdempotencyKeyClaimed (a request took the key), then IdempotencyKeyCompleted (its
 * result) or IdempotencyKeyReleased (it failed and wrote nothing), and possibly further claims after a
 * release or an expired lease. The first claim binds the key to its request fingerprint for good.
 */
import type { JsonObject } from '../../core/json';
import { WrongExpectedRevisionError } from '../../eventstore/event-store.errors';
import type { StoredEvent, StreamWriter } from '../../eventstore/event-store.port';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from './idempotency.errors';
import type {
  ClaimOutcome,
  ClaimToken,
  EarlierAttempt,
  IdempotencyStore,
  IdempotentRequest,
  RememberedResult,
} from './idempotency.port';

export const IDEMPOTENCY_STREAM_PREFIX = 'idempotency-';

export interface EventStreamIdempotencyOptions {
  /** How long a claim protects a running command; after that a retry may take the key over. */
  readonly leaseMs: number;
  /** How long a concurrent request with the same key waits for the holder's result before answering 409. */
  readonly waitMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

type KeyRecord =
  | {
      readonly status: 'claimed' | 'released';
      readonly revision: number;
      readonly fingerprint: string;
      /** The current claim. */
      readonly claim: Claim;
      /** Every claim so far, oldest first: any of them may have written before it crashed or timed out. */
      readonly attempts: readonly Claim[];
    }
  | {
      readonly status: 'completed';
      readonly revision: number;
      readonly fingerprint: string;
      readonly result: RememberedResult;
    };

interface Claim extends EarlierAttempt {
  readonly expiresAt: number;
}

export class EventStreamIdempotencyStore implements IdempotencyStore {
  private readonly waitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: StreamWriter,
    private readonly options: EventStreamIdempotencyOptions,
  ) {
    this.waitMs = options.waitMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async claim(request: IdempotentRequest): Promise<ClaimOutcome> {
    const streamId = IDEMPOTENCY_STREAM_PREFIX + request.key;
    const giveUpAt = this.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      const record = fold(await this.store.readStream(streamId));
      if (record !== undefined && record.fingerprint !== request.fingerprint) {
        throw new IdempotencyKeyReusedError(request.key);
      }
      if (record?.status === 'completed') return { kind: 'completed', result: record.result };
      if (record?.status === 'claimed' && record.claim.expiresAt > this.now()) {
        // Someone else runs this very request right now: wait for its result rather than run it twice.
        if (this.now() >= giveUpAt) {
          const retryAfter = Math.max(1, Math.ceil((record.claim.expiresAt - this.now()) / 1000));
          throw new IdempotencyKeyInProgressError(request.key, Math.min(retryAfter, 5));
        }
        await pause(Math.min(10 * 2 ** Math.min(attempt, 4), 200));
        continue;
      }
      try {
        const appended = await this.store.append(
          streamId,
          [{ type: 'IdempotencyKeyClaimed', data: claimData(request, this.now() + this.options.leaseMs) }],
          record === undefined ? 'no_stream' : record.revision,
        );
        const token = { key: request.key, commandId: request.commandId, revision: appended.revision };
        return record === undefined
          ? { kind: 'claimed', token, earlier: [] }
          : { kind: 'claimed', token, earlier: record.attempts.map(attemptOf) };
      } catch (error) {
        // Another request claimed or finished the key between our read and our append: look again.
        if (error instanceof WrongExpectedRevisionError) continue;
        throw error;
      }
    }
  }

  async complete(token: ClaimToken, result: RememberedResult): Promise<void> {
    await this.finish(token, {
      type: 'IdempotencyKeyCompleted',
      data: {
        commandId: token.commandId,
        result: {
          id: result.id,
          streamId: result.streamId,
          revision: result.revision,
          position: result.position.toString(),
        },
      },
    });
  }

  async release(token: ClaimToken, reason: string): Promise<void> {
    await this.finish(token, {
      type: 'IdempotencyKeyReleased',
      data: { commandId: token.commandId, reason: reason.slice(0, 500) },
    });
  }

  private async finish(token: ClaimToken, event: { type: string; data: JsonObject }): Promise<void> {
    try {
      await this.store.append(IDEMPOTENCY_STREAM_PREFIX + token.key, [event], token.revision);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Our lease expired and a retry took the key over; it checks what this attempt wrote, so nothing is lost.
      this.options.log?.(
        `Idempotency-Key "${token.key}" was taken over before command ${token.commandId} finished; ` +
          'raise PRISM_IDEMPOTENCY_LEASE_SECONDS above your slowest command.',
      );
    }
  }
}

function claimData(request: IdempotentRequest, expiresAt: number): JsonObject {
  return {
    key: request.key,
    fingerprint: request.fingerprint,
    commandId: request.commandId,
    aggregateId: request.aggregateId,
    streamId: request.streamId,
    expiresAt: new Date(expiresAt).toISOString(),
  };
}

function fold(events: readonly StoredEvent[]): KeyRecord | undefined {
  let record: KeyRecord | undefined;
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    const fingerprint = record?.fingerprint ?? String(data.fingerprint);
    switch (event.type) {
      case 'IdempotencyKeyClaimed': {
        const claim = {
          commandId: String(data.commandId),
          aggregateId: String(data.aggregateId),
          streamId: String(data.streamId),
          expiresAt: Date.parse(String(data.expiresAt)),
        };
        const attempts = record?.status === 'completed' || record === undefined ? [] : record.attempts;
        record = {
          status: 'claimed',
          revision: event.revision,
          fingerprint,
          claim,
          attempts: [...attempts, claim],
        };
        break;
      }
      case 'IdempotencyKeyReleased':
        if (record?.status === 'claimed' && record.claim.commandId === data.commandId) {
          record = { ...record, status: 'released', revision: event.revision };
        }
        break;
      case 'IdempotencyKeyCompleted': {
        const result = data.result as Record<string, unknown>;
        record = {
          status: 'completed',
          revision: event.revision,
          fingerprint,
          result: {
            id: String(result.id),
            streamId: String(result.streamId),
            revision: Number(result.revision),
            position: BigInt(String(result.position)),
          },
        };
        break;
      }
    }
  }
  return record;
}

function attemptOf({ commandId, aggregateId, streamId }: Claim): EarlierAttempt {
  return { commandId, aggregateId, streamId };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
