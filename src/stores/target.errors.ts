/** Errors every target raises the same way. */
import type { TargetKind } from '../core/view-shape';

/** A projection was handed to a target of another kind (a wiring mistake, never a data problem). */
export class UnsupportedShapeError extends Error {
  override readonly name = 'UnsupportedShapeError';
  constructor(
    readonly projection: string,
    /** The kind the projection declares. */
    readonly kind: string,
    /** The kind of the target it was routed to. */
    readonly target: TargetKind,
  ) {
    super(
      `Projection "${projection}" declares a ${kind} target, but it was routed to the ${target} target; ` +
        `declare \`target.kind: ${target}\` or run it with a target of its kind.`,
    );
  }
}

/** A generation the target's registry does not know: never prepared, or already dropped. */
export class UnknownGenerationError extends Error {
  override readonly name = 'UnknownGenerationError';
  constructor(
    readonly projection: string,
    readonly generation: number,
    readonly target: TargetKind,
  ) {
    super(
      `Projection "${projection}" has no generation ${generation} in the ${target} target (never prepared, ` +
        'or dropped); prepare it first (the runtime does this when it starts or rebuilds a projection).',
    );
  }
}

/** `drop` of the generation readers see (the Target contract refuses it). */
export class ActiveGenerationDropError extends Error {
  override readonly name = 'ActiveGenerationDropError';
  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    super(
      `Generation ${generation} of "${projection}" is the active one and cannot be dropped; ` +
        'activate another generation first (a rebuild does this).',
    );
  }
}
