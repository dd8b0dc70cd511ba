/**
 * The errors an aggregate's `decide` throws when the domain says no. Each carries a stable snake_case
 * `code` for clients, a message that says how to fix the request, and `details` (ids, current values)
 * that become fields of the error body. The class picks the HTTP status, so the domain never names one:
 *
 *   DomainRuleError     422  a business rule forbids the command (`cart_empty`, `invalid_price`)
 *   NotFoundError       404  the aggregate, or one the command refers to, does not exist
 *   AlreadyExistsError  409  a creating command names an aggregate that already exists
 *
 * A revision conflict (409 concurrency_conflict) needs no error of the domain's own: the command layer
 * raises it when the stream moved on.
 */
import type { JsonObject } from '../core/json';

/** How the HTTP edge answers a domain error: 404, 409 or 422. */
export type DomainErrorKind = 'not_found' | 'conflict' | 'rule_violation';

/** Lowercase words joined by single underscores, like every error code of the HTTP API. */
const ERROR_CODE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The base of the errors `decide` throws; the subclass chooses the HTTP status. */
export abstract class DomainError extends Error {
  /** Which status it is answered with (see DOMAIN_ERROR_STATUS). */
  abstract readonly kind: DomainErrorKind;

  constructor(
    /** snake_case, stable: clients switch on it (e.g. `cart_empty`). */
    readonly code: string,
    message: string,
    /** Extra fields of the error body; never a secret. `error` and `message` cannot be replaced. */
    readonly details: JsonObject = {},
  ) {
    super(message);
    // A bad code is a bug in the aggregate, so it fails loudly (a logged 500) instead of reaching clients.
    if (!ERROR_CODE.test(code)) {
      throw new TypeError(
        `${new.target.name} code "${code}" is not snake_case; name it like "cart_empty" (lowercase words joined by _).`,
      );
    }
  }
}

/** A business rule forbids the command (HTTP 422). */
export class DomainRuleError extends DomainError {
  override readonly name: string = 'DomainRuleError';
  readonly kind = 'rule_violation';
}

/** The aggregate, or one the command refers to, does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  override readonly name: string = 'NotFoundError';
  readonly kind = 'not_found';
}

/** A creating command names an aggregate that already exists (HTTP 409). */
export class AlreadyExistsError extends DomainError {
  override readonly name: string = 'AlreadyExistsError';
  readonly kind = 'conflict';
}

/** The HTTP status each kind of domain error is answered with. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorKind, 404 | 409 | 422>> = {
  not_found: 404,
  conflict: 409,
  rule_violation: 422,
};
