/** Errors of the admin operations that the runtime itself does not raise. */

/** The projection runtime did not come up within the admin API's wait (targets down, still starting). */
export class ProjectionRuntimeUnavailableError extends Error {
  override readonly name = 'ProjectionRuntimeUnavailableError';
  constructor(
    readonly waitedMs: number,
    override readonly cause?: unknown,
  ) {
    super(
      `The projection runtime is not running (waited ${waitedMs} ms); it may still be connecting to its ` +
        'targets. Check the server log and retry.',
    );
  }
}

/** A parked-event position in a URL that is not a log position. */
export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(readonly given: string) {
    super(
      `"${given.slice(0, 40)}" is not a log position; pass the decimal position shown by ` +
        'GET /admin/projections/:name/parked (prism parked <name>).',
    );
  }
}

/** `drop` of a projection that still has a definition loaded (or a broken file naming it): remove it first. */
export class ProjectionStillDefinedError extends Error {
  override readonly name = 'ProjectionStillDefinedError';
  constructor(
    readonly projection: string,
    readonly file: string | undefined,
  ) {
    super(
      `"${projection}" still has a definition${file === undefined ? '' : ` (${file})`}, so its views are in ` +
        'use: remove the definition file from the projections folder (of every Prism instance) and restart, ' +
        `then drop it. \`prism status\` lists it as orphaned once nothing defines it.`,
    );
  }
}

/** `drop` of a name no store's registry holds (nothing to drop). */
export class OrphanedProjectionNotFoundError extends Error {
  override readonly name = 'OrphanedProjectionNotFoundError';
  constructor(
    readonly projection: string,
    readonly orphaned: readonly string[],
  ) {
    super(
      `No view store holds a projection named "${projection}"` +
        (orphaned.length > 0
          ? `; orphaned projections that can be dropped: ${orphaned.join(', ')}.`
          : '; there are no orphaned projections to drop.'),
    );
  }
}

/** A query parameter of an admin route with a value it does not take (e.g. `dryRun=maybe`). */
export class InvalidAdminParameterError extends Error {
  override readonly name = 'InvalidAdminParameterError';
  constructor(
    readonly parameter: string,
    given: string,
    expected: string,
  ) {
    super(`"${given.slice(0, 40)}" is not a value of ${parameter}; pass ${expected}.`);
  }
}

/**
 * An admin action for a projection that no live node runs now (issue #15), other than pause and resume
 * (which are written as desired state and taken up by whichever node runs it next).
 */
export class NoLiveOwnerError extends Error {
  override readonly name = 'NoLiveOwnerError';
  constructor(
    readonly projection: string,
    readonly action: string,
  ) {
    super(
      `No node runs "${projection}" now (no live worker holds its lease), so "${action}" cannot run; start a ` +
        'worker (or a Prism with role all) and retry. `prism nodes` shows the nodes and the leases they hold.',
    );
  }
}

/** The node running the projection did not answer a forwarded admin request in time (issue #15). */
export class AdminRequestTimeoutError extends Error {
  override readonly name = 'AdminRequestTimeoutError';
  constructor(
    readonly requestId: string,
    readonly projection: string,
    readonly owner: string,
    readonly waitedMs: number,
  ) {
    super(
      `Node "${owner}" runs "${projection}" but did not answer admin request ${requestId} within ${waitedMs} ms. ` +
        'The request stays queued and runs when that node (or the one that takes its lease over) takes it up; ' +
        `check GET /admin/projections/${projection} before sending it again.`,
    );
  }
}

/**
 * A forwarded admin request whose node claimed it and then stopped (its heartbeat lapsed) before recording
 * an outcome: whether the action took effect there is unknown, so it is not run again on its own.
 */
export class AdminRequestAbandonedError extends Error {
  override readonly name = 'AdminRequestAbandonedError';
  constructor(
    readonly requestId: string,
    readonly projection: string,
    readonly runBy: string,
  ) {
    super(
      `Node "${runBy}" took admin request ${requestId} for "${projection}" and stopped before it answered ` +
        '(its heartbeat lapsed). Whether the operation took effect is unknown: check ' +
        `GET /admin/projections/${projection} (the node that takes its lease over runs it now) before sending it again.`,
    );
  }
}

/** The outcome of a forwarded admin request that failed on the node running it: answered as it answered. */
export class ForwardedAdminError extends Error {
  override readonly name = 'ForwardedAdminError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `admin request failed (${status})`);
  }
}

/** The coordination store cannot be read, so a request for another node's projection cannot be sent. */
export class CoordinationUnavailableError extends Error {
  override readonly name = 'CoordinationUnavailableError';
  constructor(
    readonly projection: string,
    override readonly cause: unknown,
  ) {
    super(
      `"${projection}" is run by another node, and the coordination store that carries requests to it cannot ` +
        `be read now (${cause instanceof Error ? cause.message : String(cause)}); retry once it is back.`,
    );
  }
}
