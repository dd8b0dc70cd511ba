/**
 * An aggregate as plain data and pure functions (the "decider" pattern, as in emmett): the state is a fold
 * of the aggregate's own stream, and a command is decided against that state into new events. Nothing here
 * does I/O; the command layer loads the stream, calls `decide`, and appends the result atomically.
 */
import type { JsonObject } from '../core/json';
import { UnknownEventTypeError } from './domain.errors';

/** A domain event as the domain sees it: a type and a JSON payload. */
export interface DomainEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<Command, State, Event extends DomainEvent> {
  /** Streams are named `<streamPrefix>-<id>`, e.g. `order-42`. */
  readonly streamPrefix: string;
  /** Every event type this aggregate writes; anything else in its stream is an error, not a silent skip. */
  readonly eventTypes: ReadonlySet<string>;
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  /** Returns the events the command causes, or throws a DomainError when a business rule forbids it. */
  decide(command: Command, state: State): Event[];
  /** The `schemaVersion` recorded in the metadata of each event of this type. */
  schemaVersionOf(eventType: string): number;
}

export function streamIdOf(decider: { readonly streamPrefix: string }, id: string): string {
  return `${decider.streamPrefix}-${id}`;
}

/**
 * Folds stored events into the current state. An unknown type throws: deciding on a state we only partly
 * understood (say, a newer writer added an event) could break an invariant that event protects.
 */
export function rehydrate<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
  streamId: string,
  events: readonly DomainEvent[],
): State {
  let state = decider.initialState;
  for (const event of events) {
    if (!decider.eventTypes.has(event.type)) throw new UnknownEventTypeError(streamId, event.type);
    // The type was checked above; payloads were written by this domain's own decide().
    state = decider.evolve(state, event as Event);
  }
  return state;
}
