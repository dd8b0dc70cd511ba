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
