/** One error class per runtime failure, each saying what to do about it. */

/** No target is configured for the kind of view a projection declares. */
export class NoTargetForKindError extends Error {
  override readonly name = 'NoTargetForKindError';
  constructor(
    readonly projection: string,
    readonly kind: string,
  ) {
    super(
      `Projection "${projection}" declares a ${kind} target, but the runtime has no ${kind} target configured; ` +
        `configure one or change the projection's \`target.kind\`.`,
    );
  }
}

/** An operation named a projection the runtime does not run. */
export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(
    readonly projection: string,
    readonly known: readonly string[],
  ) {
    super(
      `No projection named "${projection}" is running` +
        (known.length > 0 ? `; running: ${known.join(', ')}.` : '; none are loaded.'),
    );
  }
}

/** Two definitions with the same name were handed to the runtime. */
export class DuplicateProjectionError extends Error {
  override readonly name = 'DuplicateProjectionError';
  constructor(readonly projection: string) {
    super(`Two definitions are named "${projection}"; projection names must be unique.`);
  }
}

/** replay/discard named a position that holds no parked event. */
export class ParkedEventNotFoundError extends Error {
  override readonly name = 'ParkedEventNotFoundError';
  constructor(
    readonly projection: string,
    readonly position: bigint,
  ) {
    super(
      `Projection "${projection}" has no parked event at position ${position}; list the parked events ` +
        'to see which positions can be replayed or discarded (held events are released by their parked one).',
    );
  }
}

/** waitForCheckpoint gave up. */
export class CheckpointTimeoutError extends Error {
  override readonly name = 'CheckpointTimeoutError';
  constructor(
    readonly projection: string,
    readonly position: bigint,
    readonly checkpoint: bigint,
    readonly timeoutMs: number,
  ) {
    super(
      `Projection "${projection}" did not reach position ${position} within ${timeoutMs} ms (it is at ${checkpoint}); ` +
        'check its status for errors, parked events or a pause.',
    );
  }
}

/** The runner's generation disappeared from the target (dropped by a swap or an operator). */
export class GenerationGoneError extends Error {
  override readonly name = 'GenerationGoneError';
  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    super(
      `Generation ${generation} of "${projection}" no longer exists in the target; its runner stops. ` +
        'This is expected after a swap; otherwise restart the runtime to re-prepare it.',
    );
  }
}

/** The event subscription ended although subscriptions follow the log forever. */
export class SubscriptionEndedError extends Error {
  override readonly name = 'SubscriptionEndedError';
  constructor(readonly projection: string) {
    super(
      `The event subscription of "${projection}" ended unexpectedly; the runner resubscribes from its checkpoint.`,
    );
  }
}

/** The projection's runner is stopped or failed, so an operation that needs it cannot run. */
export class RunnerNotRunningError extends Error {
  override readonly name = 'RunnerNotRunningError';
  constructor(
    readonly projection: string,
    readonly state: string,
  ) {
    super(`Projection "${projection}" is ${state}; resume it first.`);
  }
}

/**
 * With several Prism processes (issue #15): another node holds the projection's lease, so this one does
 * not run it and cannot change it; send the request to the owner (the admin API forwards it).
 */
export class ProjectionNotOwnedError extends Error {
  override readonly name = 'ProjectionNotOwnedError';
  constructor(
    readonly projection: string,
    /** The node holding the lease as last listed; undefined when nobody holds it right now. */
    readonly owner: string | undefined,
  ) {
    super(
      `Projection "${projection}" is not run by this node` +
        (owner !== undefined
          ? `: node ${owner} owns it`
          : ': no node owns it right now (a standby takes it shortly)') +
        '; send the request to the owner.',
    );
  }
}
