/** One error class per failure of the relational target, each saying what to do about it. */

/** The stable name readers query is already used by a table Prism does not manage. */
export class ViewNameTakenError extends Error {
  override readonly name = 'ViewNameTakenError';
  constructor(readonly relation: string) {
    super(
      `Cannot expose the view as "${relation}": a table with that name exists and Prism does not manage it. ` +
        'Rename or drop that table, or choose another `target.table` in the projection definition.',
    );
  }
}

/** A table or index name would exceed what the database allows. */
export class IdentifierTooLongError extends Error {
  override readonly name = 'IdentifierTooLongError';
  constructor(
    readonly identifier: string,
    readonly limit: number,
  ) {
    super(
      `The name "${identifier}" is longer than the ${limit} characters the database allows ` +
        '(Prism appends a generation suffix such as "__g12"); choose a shorter `target.table`.',
    );
  }
}

/** Two projections declare the same view name (`target.table`). */
export class ViewNameClaimedError extends Error {
  override readonly name = 'ViewNameClaimedError';
  constructor(
    readonly relation: string,
    readonly projection: string,
    readonly owner: string,
  ) {
    super(
      `Projection "${projection}" wants the view "${relation}", which projection "${owner}" already owns; ` +
        'give one of them another `target.table`.',
    );
  }
}

/**
 * The PostgreSQL pool is too small: the bookkeeping's migrations hold a session lock on one connection
 * while they run on another, so a pool of one would wait for itself forever.
 */
export class PoolTooSmallError extends Error {
  override readonly name = 'PoolTooSmallError';
  constructor(
    readonly size: number,
    readonly minimum: number,
    readonly source: 'poolSize' | 'the given pool',
  ) {
    super(
      `The PostgreSQL view store needs at least ${minimum} connections in its pool, but ${source} allows ${size}: ` +
        'one holds the schema-migration lock while another migrates, and batch commits run beside reads. ' +
        (source === 'poolSize'
          ? 'Raise poolSize.'
          : 'Give Prism a pg Pool with max >= 2 (pg defaults to 10).'),
    );
  }
}
