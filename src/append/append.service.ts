/**
 * Appends a client's batch of events to one stream: one atomic append with the expected revision the
 * client asked for, every event's metadata filled in by Prism (who, correlation, causation, trace), and
 * the Idempotency-Key protocol of the commands (src/commands/README.md "Idempotency") around it.
 *
 * The protocol is the command runner's, keyed the same way, so one key namespace serves both: a key used
 * for a command and then for an append (a different request) is `idempotency_key_reused`. The request id
 * is the causationId of every event it appends, which is how a retry finds out that an earlier attempt
 * wrote its events and then died before recording its result.
 * Plain TypeScript: the controller is a thin Nest adapter around it.
 */
import type { CommandContext } from '../commands/command-context';
import type { IdempotencyStore, RememberedResult } from '../commands/idempotency/idempotency.port';
import type {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
  StreamWriter,
} from '../eventstore/event-store.port';
import { startAppendSpan } from '../observability/tracing/append-span';
import type { AppendEventBody } from './append-request.schema';

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly AppendEventBody[];
  readonly expected: ExpectedRevision;
}

export interface AppendOutcome {
  readonly result: AppendResult;
  /** True when this is the stored result of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

export class AppendService {
  constructor(
    private readonly writer: StreamWriter,
    private readonly idempotency: IdempotencyStore,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async append(request: AppendRequest, context: CommandContext): Promise<AppendOutcome> {
    const key = context.idempotency;
    if (key === undefined) return { result: await this.write(request, context), replayed: false };
    const claim = await this.idempotency.claim({
      key: key.key,
      fingerprint: key.fingerprint,
      commandId: context.commandId,
      aggregateId: request.streamId,
      streamId: request.streamId,
    });
    if (claim.kind === 'completed') return replay(claim.result);

    // An earlier attempt with this key may have appended and then died before recording its result.
    for (const attempt of claim.earlier) {
      const earlier = await this.resultOf(attempt.streamId, attempt.commandId);
      if (earlier !== undefined) {
        await this.idempotency.complete(claim.token, { id: attempt.streamId, ...earlier });
        return { result: earlier, replayed: true };
      }
    }

    let result: AppendResult;
    try {
      result = await this.write(request, context);
    } catch (error) {
      // A failed append is not remembered: the key is freed so the same request can be retried.
      await this.idempotency.release(claim.token, String(error)).catch((releaseError: unknown) => {
        this.log(
          `Could not release Idempotency-Key "${key.key}" (its lease will expire): ${String(releaseError)}`,
        );
      });
      throw error;
    }
    // The events are written. If recording the result fails, the next retry finds them by causation id.
    await this.idempotency
      .complete(claim.token, { id: request.streamId, ...result })
      .catch((completeError: unknown) => {
        this.log(`Could not record the result of Idempotency-Key "${key.key}": ${String(completeError)}`);
      });
    return { result, replayed: false };
  }

  private async write(request: AppendRequest, context: CommandContext): Promise<AppendResult> {
    // Untraced (tracing off) unless the request's span was recorded: then `carrier` names the append span.
    const traced = startAppendSpan(context.trace, request.streamId, request.events.length);
    const metadata = {
      correlationId: context.correlationId,
      ...traced.carrier,
      causationId: context.commandId,
      ...(context.userId !== undefined && { userId: context.userId }),
    };
    const events = request.events.map((event): EventToAppend => ({
      ...(event.id !== undefined && { id: event.id }),
      type: event.type,
      data: event.data as EventToAppend['data'],
      metadata: { ...metadata, schemaVersion: event.metadata?.schemaVersion ?? 1 },
    }));
    try {
      const result = await this.writer.append(request.streamId, events, request.expected);
      traced.succeeded(result.position, result.revision);
      return result;
    } catch (error) {
      traced.failed(error);
      throw error;
    }
  }

  /** What an earlier attempt wrote, found by its request id (the causationId of its events). */
  private async resultOf(streamId: string, commandId: string): Promise<AppendResult | undefined> {
    const events = await this.writer.readStream(streamId);
    const last = events.filter((event) => event.metadata.causationId === commandId).at(-1);
    return last === undefined
      ? undefined
      : { streamId: last.streamId, revision: last.revision, position: last.position };
  }
}

function replay({ id: _id, ...result }: RememberedResult): AppendOutcome {
  return { result, replayed: true };
}
