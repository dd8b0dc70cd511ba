/** Failures of `prism verify` and `prism plan`, each with a message that says what to do. */

/** The projection cannot be verified (not known, never activated, or its definition is not stored). */
export class ProjectionNotVerifiableError extends Error {
  override readonly name = 'ProjectionNotVerifiableError';
  constructor(
    readonly projection: string,
    readonly reason: string,
  ) {
    super(
      `Projection "${projection}" cannot be verified: ${reason}. ` +
        'Check `GET /admin/projections` for its state and verify once it has a live generation.',
    );
  }
}

/** The projection is not in the running app's catalog. */
export class UnknownProjectionToCheckError extends Error {
  override readonly name = 'UnknownProjectionToCheckError';
  constructor(readonly projection: string) {
    super(
      `No projection named "${projection}" is loaded by this Prism; check the name (the definition's \`name:\`).`,
    );
  }
}

/** No target of the view's kind is connected (e.g. Elasticsearch is not configured, or still connecting). */
export class TargetNotConnectedError extends Error {
  override readonly name = 'TargetNotConnectedError';
  constructor(readonly kind: string) {
    super(
      `No ${kind} target is connected to this Prism; configure it (PRISM_*_URL) or retry once it has connected.`,
    );
  }
}

/** A verification stopped before its end: its caller disconnected or cancelled it (issue #17). */
export class VerifyCancelledError extends Error {
  override readonly name = 'VerifyCancelledError';
  constructor(
    readonly projection: string,
    readonly eventsFolded: number,
    readonly scanned: number,
    readonly phase: string,
    readonly reason: unknown,
  ) {
    super(
      `The verification of "${projection}" was cancelled while ${phase} (${eventsFolded} events folded, ` +
        `${scanned} live entries compared): ${reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted'}.`,
    );
  }
}
