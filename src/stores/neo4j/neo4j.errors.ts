/** One error class per failure of the Neo4j target, each saying how to fix it. */
import { ProjectionEvaluationError } from '../../core/plan';

export class InvalidGraphNameError extends Error {
  override readonly name = 'InvalidGraphNameError';
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(
      `${what} "${value}" is not a valid graph name: use letters, digits and underscores, not starting with a digit ` +
        '([A-Za-z_][A-Za-z0-9_]*); rename it in the projection definition.',
    );
  }
}

/**
 * An operation refers to a label, type or property the view's declared shape does not have, or carries a
 * value of the wrong type. Deterministic, so it is a ProjectionEvaluationError: the runtime classifies it
 * as poison, bisects the batch and parks the event that produced it.
 */
export class GraphShapeMismatchError extends ProjectionEvaluationError {
  constructor(projection: string, problem: string) {
    super(
      projection,
      'a graph operation',
      `${problem} (declare it under target.nodes / target.relationships of the neo4j shape, or fix the handler)`,
    );
  }
}

/** Two projections whose physical label namespaces would overlap (names differ only by sanitized characters). */
export class GraphNamespaceClaimedError extends Error {
  override readonly name = 'GraphNamespaceClaimedError';
  constructor(
    readonly projection: string,
    readonly owner: string,
    readonly names: readonly string[],
  ) {
    super(
      `Projection "${projection}" would use the Neo4j labels/types ${names.join(', ')}, which projection "${owner}" ` +
        'already uses: rename one of the projections (names differing only in "-" vs "_" map to the same labels).',
    );
  }
}

/**
 * A statement of a batch did not find a node the batch's lookup (in the same transaction, after the
 * checkpoint claim) found or created: something outside the commit protocol wrote the generation's graph
 * (a drop, a hand-written query). The transaction rolls back, nothing of the batch is written.
 */
export class GraphChangedUnderBatchError extends Error {
  override readonly name = 'GraphChangedUnderBatchError';
  constructor(
    readonly cypher: string,
    readonly expected: number,
    readonly matched: number,
  ) {
    super(
      `a graph batch statement found the nodes of ${matched} of its ${expected} rows: the generation's graph ` +
        `changed outside the commit protocol while the batch was written (statement: ${cypher})`,
    );
  }
}
