/**
 * Structured fields travel to the Nest logger as one extra argument, wrapped so a logger can tell them
 * from the context string and from objects a caller meant to print: the JSON logger merges them into
 * the line, the pretty logger leaves them out (its message already says the same in words).
 */
export class StructuredFields {
  constructor(readonly fields: object) {}
}

export function withFields(fields: object): StructuredFields {
  return new StructuredFields(fields);
}
