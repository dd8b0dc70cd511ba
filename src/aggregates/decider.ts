/**
 * An aggregate as plain data and pure functions (the "decider" pattern, as in emmett): the state is a fold
 * of the aggregate's own stream, and a command is decided against that state into new events. Nothing here
 * does I/O; the command runner loads the stream, decides, and appends the result atomically.
 * `defineAggregate` builds one of these from a definition.
 */
import type { JsonObject } from '../core/json';

/** A domain event as the domain sees it: a type and a JSON payload. */
export interface DomainEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly type: Type;
  readonly data: Data;
}

/** What the command runner needs of an aggregate to load it and to write its events. */
export interface Decider<State> {
  /** Streams are named `<streamPrefix>-<id>`, e.g. `cart-42`. */
  readonly streamPrefix: string;
  /** Every event type this aggregate writes; anything else in its stream is an error, not a silent skip. */
  readonly eventTypes: ReadonlySet<string>;
  readonly initialState: State;
  evolve(state: State, event: DomainEvent): State;
  /** The `schemaVersion` recorded in the metadata of each event of this type. */
  schemaVersionOf(eventType: string): number;
}

export function streamIdOf(decider: { readonly streamPrefix: string }, id: string): string {
  return `${decider.streamPrefix}-${id}`;
}

/** Not a client mistake: the stream holds an event its aggregate does not know (see rehydrate). */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(
    readonly streamId: string,
    readonly eventType: string,
  ) {
    super(
      `Stream "${streamId}" contains an event of unknown type "${eventType}"; ` +
        'deploy the version of the aggregate that wrote it, or add the type to its `events`.',
    );
  }
}

/**
 * Folds stored events into the current state. An unknown type throws: deciding on a state we only partly
 * understood (say, a newer writer added an event) could break an invariant that event protects.
 */
export function rehydrate<State>(
  decider: Decider<State>,
  streamId: string,
  events: readonly DomainEvent[],
): State {
  let state = decider.initialState;
  for (const event of events) {
    if (!decider.eventTypes.has(event.type)) throw new UnknownEventTypeError(streamId, event.type);
    state = decider.evolve(state, event);
  }
  return state;
}
