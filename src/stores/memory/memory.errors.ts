/** Errors of the memory target, each saying what to fix. */
import { ProjectionEvaluationError } from '../../core/plan';

/**
 * An operation the view's declared shape does not allow (an undeclared label, property or relationship
 * type, a value of the wrong type, an operation of the other family). Like Neo4j's shape check it is
 * raised before anything is written, and it is poison: the same event fails again.
 */
export class MemoryShapeMismatchError extends ProjectionEvaluationError {
  constructor(projection: string, problem: string) {
    super(
      projection,
      'an operation',
      `${problem} (declare it in the view's target shape, or fix the handler)`,
    );
  }
}

/** A put that would give two documents the same values of a unique index: the batch is refused whole. */
export class MemoryUniqueViolationError extends Error {
  override readonly name = 'MemoryUniqueViolationError';
  constructor(
    readonly projection: string,
    readonly reason: string,
  ) {
    super(`Projection "${projection}": ${reason}`);
  }
}

/** A second projection that claims a view name (table, index) another projection already uses. */
export class MemoryViewClaimedError extends Error {
  override readonly name = 'MemoryViewClaimedError';
  constructor(
    readonly projection: string,
    readonly owner: string,
    readonly view: string,
  ) {
    super(
      `Projection "${projection}" declares the view "${view}", which projection "${owner}" already uses; ` +
        'give one of them another table or index name.',
    );
  }
}
