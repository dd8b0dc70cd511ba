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
