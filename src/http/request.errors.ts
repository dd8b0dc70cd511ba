/** Requests the HTTP edge rejects before any handler runs (answered with 4xx by ErrorResponseFilter). */
import type { ValidationError } from 'class-validator';
import type { JsonObject } from '../core/json';
import type { ErrorCode } from './error-catalog';

/**
 * A request refused at the edge with a catalogued code; its status is the catalog's. `details` are extra
 * fields of the error body (never a secret, never the whole input).
 */
export class HttpRequestError extends Error {
  override readonly name: string = 'HttpRequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: JsonObject = {},
  ) {
    super(message);
  }
}

/**
 * At most this many fields are reported, each name cut to MAX_REPORTED_NAME characters: a body with
 * 9,000 unknown keys answered a 751 KB error before (issue #12 item 9).
 */
export const MAX_REPORTED_FIELDS = 20;
const MAX_REPORTED_NAME = 100;
const MAX_REPORTED_MESSAGE = 200;

/** Field-level validation failures of a request body or path, as `field path -> messages`. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  /** The first MAX_REPORTED_FIELDS fields, by path. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** How many more fields were invalid but are not listed. */
  readonly omittedFields: number;
  constructor(fields: Readonly<Record<string, readonly string[]>>) {
    const all = Object.entries(fields);
    const listed = all
      .slice(0, MAX_REPORTED_FIELDS)
      .map(([field, messages]): [string, string[]] => [
        shorten(field, MAX_REPORTED_NAME),
        messages.map((message) => shorten(message, MAX_REPORTED_MESSAGE)),
      ]);
    const omitted = all.length - listed.length;
    super(
      `The request is invalid: ${listed.map(([field, messages]) => `${field}: ${messages.join('; ')}`).join(', ')}` +
        `${omitted > 0 ? `, and ${omitted} more field(s)` : ''}. Fix these fields and send it again.`,
    );
    this.fields = Object.fromEntries(listed);
    this.omittedFields = omitted;
  }

  /** Flattens class-validator's nested errors into dotted paths, e.g. `tags.0`. */
  static fromValidationErrors(errors: readonly ValidationError[]): RequestValidationError {
    // A Map, not a plain object: a field named `constructor` must not find Object.prototype's.
    const fields = new Map<string, string[]>();
    const visit = (error: ValidationError, prefix: string): void => {
      const path = prefix ? `${prefix}.${error.property}` : error.property;
      const messages = Object.values(error.constraints ?? {});
      if (messages.length > 0) fields.set(path, [...(fields.get(path) ?? []), ...messages]);
      for (const child of error.children ?? []) visit(child, path);
    };
    for (const error of errors) visit(error, '');
    return new RequestValidationError(Object.fromEntries(fields));
  }
}

/** The If-Match header is not a stream revision. */
export class InvalidIfMatchError extends Error {
  override readonly name = 'InvalidIfMatchError';
  readonly code = 'invalid_if_match';
  constructor(readonly value: string) {
    super(
      `If-Match "${value}" is not a stream revision; send the ETag of the last response, e.g. If-Match: "3".`,
    );
  }
}

/** The body's expectedRevision and the If-Match header disagree. */
export class ConflictingExpectedRevisionError extends Error {
  override readonly name = 'ConflictingExpectedRevisionError';
  readonly code = 'conflicting_expected_revision';
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
  readonly code = 'invalid_id';
  constructor(
    readonly parameter: string,
    readonly value: string,
  ) {
    super(`${parameter} "${value}" is not a valid id; use 1 to 64 letters, digits, _ or -.`);
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
