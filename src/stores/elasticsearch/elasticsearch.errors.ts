/** One error class per failure of the Elasticsearch target, each saying what to do about it. */
import { ProjectionEvaluationError } from '../../core/plan';

/** A name would make an invalid (or reserved) Elasticsearch index name. */
export class InvalidIndexNameError extends Error {
  override readonly name = 'InvalidIndexNameError';
  constructor(
    readonly indexName: string,
    readonly reason: string,
  ) {
    super(
      `"${indexName}" cannot be an Elasticsearch index name: ${reason}; choose another \`target.index\`.`,
    );
  }
}

/** Another projection already exposes its view under this alias. */
export class ViewNameClaimedError extends Error {
  override readonly name = 'ViewNameClaimedError';
  constructor(
    readonly viewName: string,
    readonly projection: string,
    readonly owner: string,
  ) {
    super(
      `Projection "${projection}" cannot expose its view as "${viewName}": projection "${owner}" already does. ` +
        'Choose another `target.index`, or remove the other projection first.',
    );
  }
}

/** The alias readers use is a concrete index Prism does not manage. */
export class ViewNameTakenError extends Error {
  override readonly name = 'ViewNameTakenError';
  constructor(readonly alias: string) {
    super(
      `Cannot expose the view as "${alias}": an index with that name exists and Prism does not manage it. ` +
        'Delete or rename that index, or choose another `target.index`.',
    );
  }
}

/** Positions become Elasticsearch external versions, which are signed 64-bit but travel as JSON numbers. */
export class PositionOutOfRangeError extends Error {
  override readonly name = 'PositionOutOfRangeError';
  constructor(readonly position: bigint) {
    super(
      `Position ${position} is beyond 2^53 and cannot be sent exactly as an Elasticsearch external version; ` +
        'this event store position range is not supported by the Elasticsearch target.',
    );
  }
}

/**
 * Elasticsearch refused some documents for a reason that will not change on retry (a mapping error, a
 * value of the wrong type). The other documents of the bulk were stored (with their external versions,
 * so a re-delivery is harmless) but the checkpoint was not moved.
 *
 * It is a ProjectionEvaluationError on purpose: the runtime's error classifier treats those as poison,
 * so the runner bisects the batch until it finds and parks the event that produced the bad document.
 */
export class DocumentRejectedError extends ProjectionEvaluationError {
  constructor(
    projection: string,
    readonly rejected: readonly { readonly key: string; readonly type: string; readonly reason: string }[],
  ) {
    super(
      projection,
      `document ${rejected.map((item) => `"${item.key}"`).join(', ')}`,
      `Elasticsearch rejected it: ${rejected.map((item) => `${item.type}: ${item.reason}`).join('; ')}. ` +
        'Fix the projection so the document matches the declared fields, then replay the parked event',
    );
  }
}

/** Elasticsearch kept refusing some bulk items with retryable errors (429, 5xx) after every retry. */
export class BulkRetriesExhaustedError extends Error {
  override readonly name = 'BulkRetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastReason: string,
  ) {
    super(
      `Elasticsearch kept rejecting bulk items after ${attempts} attempts (last: ${lastReason}); ` +
        'the node is overloaded or unavailable. The batch will be retried from the stored checkpoint.',
    );
  }
}
