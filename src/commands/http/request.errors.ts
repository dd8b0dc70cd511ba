/** A request the HTTP edge rejects before any command runs (answered with 400). */
import type { ValidationError } from 'class-validator';

/** Field-level validation failures of a request body or path, as `field path -> messages`. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(readonly fields: Readonly<Record<string, readonly string[]>>) {
    super(
      `The request is invalid: ${Object.entries(fields)
        .map(([field, messages]) => `${field}: ${messages.join('; ')}`)
        .join(', ')}. Fix these fields and send it again.`,
    );
  }

  /** Flattens class-validator's nested errors into dotted paths, e.g. `tags.0`. */
  static fromValidationErrors(errors: readonly ValidationError[]): RequestValidationError {
    const fields: Record<string, string[]> = {};
    const visit = (error: ValidationError, prefix: string): void => {
      const path = prefix ? `${prefix}.${error.property}` : error.property;
      const messages = Object.values(error.constraints ?? {});
      if (messages.length > 0) (fields[path] ??= []).push(...messages);
      for (const child of error.children ?? []) visit(child, path);
    };
    for (const error of errors) visit(error, '');
    return new RequestValidationError(fields);
  }
}

/** The If-Match header is not a stream revision. */
export class InvalidIfMatchError extends Error {
  override readonly name = 'InvalidIfMatchError';
  constructor(readonly value: string) {
    super(
      `If-Match "${value}" is not a stream revision; send the ETag of the last response, e.g. If-Match: "3".`,
    );
  }
}

/** The body's expectedRevision and the If-Match header disagree. */
export class ConflictingExpectedRevisionError extends Error {
  override readonly name = 'ConflictingExpectedRevisionError';
  constructor(
    readonly fromBody: number,
    readonly fromHeader: number,
  ) {
    super(
      `The body says expectedRevision ${fromBody} but If-Match says ${fromHeader}; send only one of them.`,
    );
  }
}

/** A path parameter is not a usable aggregate id. */
export class InvalidIdError extends Error {
  override readonly name = 'InvalidIdError';
  constructor(
    readonly parameter: string,
    readonly value: string,
  ) {
    super(`${parameter} "${value}" is not a valid id; use 1 to 64 letters, digits, _ or -.`);
  }
}
