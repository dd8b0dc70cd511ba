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
