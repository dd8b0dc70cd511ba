/**
 * The types of an aggregate definition: what a team writes (`AggregateSpec`, passed to defineAggregate)
 * and what it gets back (`Aggregate`, which PrismAggregatesModule turns into routes). One schema source:
 * the zod schemas give the validation, the TypeScript types of `decide`'s command and `evolve`'s event,
 * and the OpenAPI request bodies.
 */
import type { z } from 'zod';
import type { Decider } from './decider';

/** An event type of the aggregate: its data schema and the version recorded as `metadata.schemaVersion`. */
export interface EventSpec {
  readonly data: z.ZodType;
  /** The version of this event's data shape (default 1); bump it when the shape changes. */
  readonly version?: number;
  /**
   * Upcasters by the version they read: `{ 1: (v1) => v2 }` turns a payload written at version 1 into
   * version 2. Pure and deterministic (a rebuild must fold what live folded). When given, the chain must
   * reach `version` without a gap; projections then see every event of this type at `version` (issue #16).
   */
  readonly upcast?: Readonly<Record<number, EventUpcastFunction>>;
}

/** Turns an event payload of one version into the next one's. */
export type EventUpcastFunction = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

export type EventSpecs = Readonly<Record<string, EventSpec>>;

/** An event as `evolve` sees it: a union over the aggregate's event types, data already validated. */
export type EventOf<E extends EventSpecs> = {
  [K in keyof E & string]: { readonly type: K; readonly data: z.output<E[K]['data']> };
}[keyof E & string];

/** An event as `decide` returns it; its data is checked against the event's schema before it is written. */
export type NewEventOf<E extends EventSpecs> = {
  [K in keyof E & string]: { readonly type: K; readonly data: z.input<E[K]['data']> };
}[keyof E & string];

/** What `ctx.load` answers: the other aggregate's state and its stream revision (-1: no events yet). */
export interface Loaded<State> {
  readonly state: State;
  readonly revision: number;
}

/** The third argument of `decide`. */
export interface DecideContext {
  /** The id of the aggregate the command runs on (for a creating command: given or generated). */
  readonly id: string;
  /** The time of this attempt; take time from here, never from the clock, so decide stays testable. */
  readonly now: Date;
  /** The authenticated caller, when the host's auth names one. */
  readonly userId?: string;
  /** The request's correlation id (recorded on every event). */
  readonly correlationId: string;
  /** Reads another aggregate (never writes it), e.g. a product's current price. */
  load<State>(aggregate: Aggregate<State>, id: string): Promise<Loaded<State>>;
}

/** The command's validated payload: the output of its zod schema (an empty object without one). */
export type PayloadOf<P> = P extends z.ZodType ? z.output<P> : Record<string, never>;

/** What `decide` returns: one new event or a list of them. */
export type Decided<E extends EventSpecs> = NewEventOf<E> | readonly NewEventOf<E>[];

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One command of an aggregate: its payload schema, its route and its `decide`. */
export interface CommandSpec<State, E extends EventSpecs, P> {
  /**
   * A zod object: the request body (unknown fields are refused with 400). Path parameters of `route.path`
   * are fields of it too. Leave it out for a command without fields.
   */
  readonly payload?: P;
  /** Creates the aggregate: `POST /<path>` answering 201, the id taken from `idField` or generated. */
  readonly creates?: boolean;
  /** For a creating command: the (optional) payload field holding the new aggregate's id. */
  readonly idField?: string;
  /**
   * Overrides the route. `path` is relative to `/<path>/:<idParam>` (to `/<path>` for a creating
   * command); `:name` segments are payload fields. Default: POST `<kebab-case command name>`.
   */
  readonly route?: { readonly method?: HttpMethod; readonly path?: string };
  /** One line for the API documentation (default: the command name in words). */
  readonly summary?: string;
  /** The name of the request body's schema in the OpenAPI document (default `<CommandName>Dto`). */
  readonly schemaName?: string;
  /** The events the command causes; throw a DomainRuleError, NotFoundError or AlreadyExistsError instead. */
  decide(command: PayloadOf<P>, state: State, ctx: DecideContext): Decided<E> | Promise<Decided<E>>;
}

/** A catalogued error code of the aggregate: documented with the API's other codes (src/http/README.md). */
export interface ErrorCodeSpec {
  readonly status: 404 | 409 | 422;
  /** One line: what it means for the caller. */
  readonly meaning: string;
}

/**
 * What `defineAggregate` takes. `Next` is what `evolve` returns, checked to be a `State`: a type of its own
 * so that a literal such as `{ status: 'open' }` keeps its literal type (TypeScript would widen it to
 * `string` against the state's type while it is still being inferred).
 */
export interface AggregateSpec<
  State,
  E extends EventSpecs,
  C extends Record<string, unknown>,
  Next extends State = State,
> {
  /** Lower camelCase; streams are `<name>-<id>` and routes `/<name>s` unless `path` says otherwise. */
  readonly name: string;
  /** The collection path of the REST routes, e.g. `carts` (default: the kebab-case name plus "s"). */
  readonly path?: string;
  /** The name of the id path parameter (default `<name>Id`, e.g. `/carts/:cartId/confirm`). */
  readonly idParam?: string;
  /** The state of an aggregate with no events yet. */
  readonly initialState: State;
  /** Its event types: `{ CartOpened: { data: z.object({...}), version?: 1 } }`. */
  readonly events: E;
  /** Folds one event into the state: pure, no I/O, never throws for a known event. */
  evolve(state: State, event: EventOf<E>): Next;
  /** Its commands by name (lower camelCase): `{ addProduct: { payload, decide } }`. */
  readonly commands: { readonly [K in keyof C]: CommandSpec<NoInfer<State>, E, C[K]> };
  /** The codes `decide` throws, documented in the error catalog and the OpenAPI document. */
  readonly errors?: Readonly<Record<string, ErrorCodeSpec>>;
}

/** One command of a defined aggregate, with its route worked out. */
export interface AggregateCommand {
  /** The key of the command in `commands`, e.g. `addProduct`. */
  readonly name: string;
  /** Whether it creates the aggregate (`POST /<path>`, 201). */
  readonly creates: boolean;
  readonly idField?: string;
  readonly method: HttpMethod;
  /** Relative to the aggregate's collection path, in Nest's syntax: `:cartId/add-product`. */
  readonly routePath: string;
  /** Path parameters that are payload fields (the id parameter excluded). */
  readonly pathFields: readonly string[];
  /** The OpenAPI summary. */
  readonly summary: string;
  /** The OpenAPI component name of the request body. */
  readonly schemaName: string;
  /** The request body: the payload, strict, plus `expectedRevision` unless the command creates. */
  readonly body: z.ZodObject;
  /** The definition's `decide`, untyped: the handler validates what goes in and what comes out. */
  decide(command: unknown, state: unknown, ctx: DecideContext): unknown;
}

/** One event type of a defined aggregate. */
export interface AggregateEvent {
  readonly data: z.ZodType;
  readonly version: number;
  readonly upcast: ReadonlyMap<number, EventUpcastFunction>;
}

/** A defined aggregate: pass it to `PrismAggregatesModule.forFeature([...])` or `ctx.load`. */
export interface Aggregate<State = unknown> {
  /** Also the stream prefix: `<name>-<id>`. */
  readonly name: string;
  /** The collection path of its routes, e.g. `carts`. */
  readonly path: string;
  /** The id path parameter, e.g. `cartId`. */
  readonly idParam: string;
  /** What the command runner folds and writes through. */
  readonly decider: Decider<State>;
  /** Each event type's data schema, version and upcasters (by the version they read). */
  readonly events: ReadonlyMap<string, AggregateEvent>;
  readonly commands: readonly AggregateCommand[];
  /** The declared error codes. */
  readonly errors: Readonly<Record<string, ErrorCodeSpec>>;
  /** Where it was defined (`file:line:col`), for error messages. */
  readonly definedAt: string;
}
