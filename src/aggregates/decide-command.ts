/**
 * Runs one command of a defined aggregate in memory, for unit tests of its rules: given past events,
 * when a command with this payload, then these events (or the DomainError it throws). The payload is
 * validated by the command's schema and the events by theirs, exactly as the HTTP route does; nothing is
 * stored and no app is started.
 *
 *   const events = await decideCommand(cart, 'addProduct', { productId: 'p1', qty: 2 }, {
 *     id: 'c1',
 *     given: [{ type: 'CartOpened', data: { cartId: 'c1' } }],
 *   });
 */
import type { Aggregate, DecideContext } from './aggregate.types';
import { rehydrate, type DomainEvent } from './decider';
import { EXPECTED_REVISION_FIELD } from './define-aggregate';
import { parsePayload } from './payload-validation';
import { checkedEvents } from './run-aggregate-command';

/** The situation `decideCommand` runs a command in. */
export interface DecideCommandOptions {
  /** The aggregate's id (default `test-1`). */
  readonly id?: string;
  /** Its past events, oldest first (default: none, a new aggregate). */
  readonly given?: readonly DomainEvent[];
  /** Other aggregates' past events by stream id (`product-p1`), for `ctx.load`. */
  readonly streams?: Readonly<Record<string, readonly DomainEvent[]>>;
  /** `ctx.now` (default: the current time). */
  readonly now?: Date;
  /** `ctx.userId`. */
  readonly userId?: string;
}

/** Runs `commandName` of `aggregate` in memory and returns its events, or rejects with what it throws. */
export async function decideCommand(
  aggregate: Aggregate,
  commandName: string,
  payload: Readonly<Record<string, unknown>> = {},
  options: DecideCommandOptions = {},
): Promise<DomainEvent[]> {
  const command = aggregate.commands.find((candidate) => candidate.name === commandName);
  if (command === undefined) {
    throw new Error(
      `Aggregate "${aggregate.name}" has no command "${commandName}"; it has ${aggregate.commands.map((c) => c.name).join(', ')}.`,
    );
  }
  const id = options.id ?? 'test-1';
  const streams = options.streams ?? {};
  const ctx: DecideContext = {
    id,
    now: options.now ?? new Date(),
    correlationId: 'test',
    ...(options.userId !== undefined && { userId: options.userId }),
    load: async <State>(other: Aggregate<State>, otherId: string) => {
      const streamId = `${other.decider.streamPrefix}-${otherId}`;
      const events = streams[streamId] ?? [];
      return { state: rehydrate(other.decider, streamId, events), revision: events.length - 1 };
    },
  };
  const state = rehydrate(aggregate.decider, `${aggregate.decider.streamPrefix}-${id}`, options.given ?? []);
  const { [EXPECTED_REVISION_FIELD]: _expected, ...validated } = parsePayload(command.body, payload);
  return checkedEvents(aggregate, command, await command.decide(validated, state, ctx));
}
