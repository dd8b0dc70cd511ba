/**
 * The Idempotency-Key protocol around one write (src/commands/README.md "Idempotency"): claim the key,
 * replay a completed result, adopt what an earlier attempt wrote, else write once and record the result
 * (or free the key when the write failed).
 *
 * Commands (CommandRunner) and the append route (AppendService) both run through this one function, so
 * they share one key namespace and handle the crash windows alike; each supplies only its own write and
 * how to find what an earlier attempt of it wrote.
 */
import type { AppendResult, EventLog } from '../../eventstore/event-store.port';
import type {
  EarlierAttempt,
  IdempotencyStore,
  IdempotentRequest,
  RememberedResult,
} from './idempotency.port';

export interface IdempotentWrite {
  /** What is claimed under the key; its `aggregateId` is the `id` remembered with a fresh result. */
  readonly request: IdempotentRequest;
  /** Writes once; every event it appends must carry causationId = `request.commandId`. */
  readonly execute: () => Promise<AppendResult>;
  /** What an earlier attempt wrote (found by its command id), or undefined when it wrote nothing. */
  readonly findEarlier: (attempt: EarlierAttempt) => Promise<RememberedResult | undefined>;
}

export interface IdempotentOutcome {
  /** The aggregate id remembered with the result (a fresh write: `request.aggregateId`). */
  readonly id: string;
  readonly result: AppendResult;
  /** True when this is the stored result of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

export async function runIdempotently(
  idempotency: IdempotencyStore,
  write: IdempotentWrite,
  log: (message: string) => void,
): Promise<IdempotentOutcome> {
  const { request } = write;
  const claim = await idempotency.claim(request);
  if (claim.kind === 'completed') return replayOf(claim.result);

  // An earlier attempt with this key may have appended and then died before recording its result.
  for (const attempt of claim.earlier) {
    const earlier = await write.findEarlier(attempt);
    if (earlier !== undefined) {
      await idempotency.complete(claim.token, earlier);
      return replayOf(earlier);
    }
  }

  let result: AppendResult;
  try {
    result = await write.execute();
  } catch (error) {
    // Failed writes are not remembered: the key is freed so the same request can be retried.
    await idempotency.release(claim.token, String(error)).catch((releaseError: unknown) => {
      log(
        `Could not release Idempotency-Key "${request.key}" (its lease will expire): ${String(releaseError)}`,
      );
    });
    throw error;
  }
  // The events are written. If recording the result fails, the next retry finds them by causation id.
  const id = request.aggregateId;
  await idempotency.complete(claim.token, { id, ...result }).catch((completeError: unknown) => {
    log(`Could not record the result of Idempotency-Key "${request.key}": ${String(completeError)}`);
  });
  return { id, result, replayed: false };
}

function replayOf({ id, ...result }: RememberedResult): IdempotentOutcome {
  return { id, result, replayed: true };
}

/**
 * What an earlier attempt wrote: the last event of its stream whose causationId is the attempt's command
 * id (every write run here stamps it), remembered under the attempt's aggregate id. Undefined when that
 * attempt wrote nothing. The `findEarlier` of both commands and the append route.
 */
export async function findEarlierWrite(
  log: Pick<EventLog, 'readStream'>,
  attempt: EarlierAttempt,
): Promise<RememberedResult | undefined> {
  const events = await log.readStream(attempt.streamId);
  const last = events.filter((event) => event.metadata.causationId === attempt.commandId).at(-1);
  if (last === undefined) return undefined;
  return {
    id: attempt.aggregateId,
    streamId: last.streamId,
    revision: last.revision,
    position: last.position,
  };
}
