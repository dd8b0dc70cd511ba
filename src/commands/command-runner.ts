/**
 * Runs one command against one aggregate: load its stream, decide, append once with the revision it was
 * loaded at. Wraps that in the Idempotency-Key protocol (idempotency/run-idempotently.ts) when the request
 * carried a key.
 *
 * One command is exactly one append, so the adapters' atomic append makes a command all-or-nothing, and a
 * concurrent writer makes it fail with WrongExpectedRevisionError instead of overwriting (no lost writes).
 * Plain TypeScript on purpose: the Nest handlers are thin adapters around it.
 */
import { rehydrate, streamIdOf, type Decider, type DomainEvent } from '../aggregates/decider';
import { WrongExpectedRevisionError } from '../eventstore/event-store.errors';
import type { AppendResult, ExpectedRevision, StreamWriter } from '../eventstore/event-store.port';
import { startAppendSpan } from '../observability/tracing/append-span';
import type { CommandContext, CommandOutcome } from './command-context';
import type { IdempotencyStore } from './idempotency/idempotency.port';
import { findEarlierWrite, runIdempotently } from './idempotency/run-idempotently';

/** The revision of a stream with no events. */
export const NO_REVISION = -1;

export interface LoadedAggregate<State> {
  readonly streamId: string;
  readonly state: State;
  /** Revision of the stream's last event, or NO_REVISION. */
  readonly revision: number;
}

export class CommandRunner {
  constructor(
    private readonly store: StreamWriter,
    private readonly idempotency: IdempotencyStore,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async load<S>(decider: Decider<S>, id: string): Promise<LoadedAggregate<S>> {
    const streamId = streamIdOf(decider, id);
    const events = await this.store.readStream(streamId);
    return {
      streamId,
      state: rehydrate(decider, streamId, events),
      revision: events.at(-1)?.revision ?? NO_REVISION,
    };
  }

  /**
   * Decides `decide(state)` on aggregate `id` and appends the events. `decide` may load other aggregates
   * (through `load`) for the facts it needs, e.g. a product's price; only this aggregate is written.
   */
  async run<S>(
    decider: Decider<S>,
    id: string,
    context: CommandContext,
    decide: (state: S) => readonly DomainEvent[] | Promise<readonly DomainEvent[]>,
  ): Promise<CommandOutcome> {
    const key = context.idempotency;
    if (key === undefined) {
      return { id, result: await this.execute(decider, id, context, decide), replayed: false };
    }
    return runIdempotently(
      this.idempotency,
      {
        request: {
          key: key.key,
          fingerprint: key.fingerprint,
          commandId: context.commandId,
          aggregateId: id,
          streamId: streamIdOf(decider, id),
        },
        execute: () => this.execute(decider, id, context, decide),
        findEarlier: (attempt) => findEarlierWrite(this.store, attempt),
      },
      this.log,
    );
  }

  private async execute<S>(
    decider: Decider<S>,
    id: string,
    context: CommandContext,
    decide: (state: S) => readonly DomainEvent[] | Promise<readonly DomainEvent[]>,
  ): Promise<AppendResult> {
    const loaded = await this.load(decider, id);
    if (context.expectedRevision !== undefined && context.expectedRevision !== loaded.revision) {
      // Fail before deciding: the client's decision was based on a state that is gone.
      throw new WrongExpectedRevisionError(
        loaded.streamId,
        context.expectedRevision,
        loaded.revision === NO_REVISION ? 'no_stream' : loaded.revision,
      );
    }
    const events = await decide(loaded.state);
    if (events.length === 0)
      throw new Error(`A command on ${loaded.streamId} decided no events; deciders must throw instead.`);
    // Untraced (tracing off) unless the command layer opened a span: then `carrier` names the append span.
    const traced = startAppendSpan(context.trace, loaded.streamId, events.length);
    const metadata = {
      correlationId: context.correlationId,
      ...traced.carrier,
      causationId: context.commandId,
      ...(context.userId !== undefined && { userId: context.userId }),
    };
    const expected: ExpectedRevision = loaded.revision === NO_REVISION ? 'no_stream' : loaded.revision;
    try {
      const result = await this.store.append(
        loaded.streamId,
        // Each event records the version of its own data shape, as its aggregate declares it.
        events.map((event) => ({
          type: event.type,
          data: event.data,
          metadata: { ...metadata, schemaVersion: decider.schemaVersionOf(event.type) },
        })),
        expected,
      );
      traced.succeeded(result.position, result.revision);
      return result;
    } catch (error) {
      traced.failed(error);
      throw error;
    }
  }
}
