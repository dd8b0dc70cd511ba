/**
 * Domain errors: one class per broken business rule, each with a stable snake_case `code` for clients and
 * a message that says how to fix the request. `kind` tells the HTTP edge which status to answer with
 * (not_found → 404, conflict → 409, rule_violation → 422) without the domain knowing about HTTP.
 */
import type { JsonObject } from '../core/json';

export type DomainErrorKind = 'not_found' | 'conflict' | 'rule_violation';

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;
  /** Extra fields for the client (ids, current status), included in the error response. */
  readonly details: JsonObject;
  constructor(message: string, details: JsonObject) {
    super(message);
    this.details = details;
  }
}

// ── not found ───────────────────────────────────────────────────────────────────────────────────────────

export class CustomerNotFoundError extends DomainError {
  override readonly name = 'CustomerNotFoundError';
  readonly code = 'customer_not_found';
  readonly kind = 'not_found';
  constructor(readonly customerId: string) {
    super(`Customer "${customerId}" does not exist; register the customer first.`, { customerId });
  }
}

export class ProductNotFoundError extends DomainError {
  override readonly name = 'ProductNotFoundError';
  readonly code = 'product_not_found';
  readonly kind = 'not_found';
  constructor(readonly productId: string) {
    super(`Product "${productId}" does not exist; list the product first.`, { productId });
  }
}

export class OrderNotFoundError extends DomainError {
  override readonly name = 'OrderNotFoundError';
  readonly code = 'order_not_found';
  readonly kind = 'not_found';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" does not exist; place the order first.`, { orderId });
  }
}

// ── already exists ──────────────────────────────────────────────────────────────────────────────────────

export class CustomerAlreadyRegisteredError extends DomainError {
  override readonly name = 'CustomerAlreadyRegisteredError';
  readonly code = 'customer_already_registered';
  readonly kind = 'conflict';
  constructor(readonly customerId: string) {
    super(`Customer "${customerId}" is already registered; choose another id or rename the customer.`, {
      customerId,
    });
  }
}

export class ProductAlreadyListedError extends DomainError {
  override readonly name = 'ProductAlreadyListedError';
  readonly code = 'product_already_listed';
  readonly kind = 'conflict';
  constructor(readonly productId: string) {
    super(`Product "${productId}" was already listed; choose another id.`, { productId });
  }
}

export class OrderAlreadyPlacedError extends DomainError {
  override readonly name = 'OrderAlreadyPlacedError';
  readonly code = 'order_already_placed';
  readonly kind = 'conflict';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" was already placed; choose another id.`, { orderId });
  }
}

// ── business rules ──────────────────────────────────────────────────────────────────────────────────────

/** A value breaks a domain rule (price, quantity, name...). `code` names the rule, e.g. `invalid_price`. */
export class InvalidValueError extends DomainError {
  override readonly name = 'InvalidValueError';
  readonly kind = 'rule_violation';
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message, { field });
  }
}

export class CannotFollowSelfError extends DomainError {
  override readonly name = 'CannotFollowSelfError';
  readonly code = 'cannot_follow_self';
  readonly kind = 'rule_violation';
  constructor(readonly customerId: string) {
    super(`Customer "${customerId}" cannot follow themselves; name another customer.`, { customerId });
  }
}

export class AlreadyFollowingError extends DomainError {
  override readonly name = 'AlreadyFollowingError';
  readonly code = 'already_following';
  readonly kind = 'rule_violation';
  constructor(customerId: string, followedCustomerId: string) {
    super(`Customer "${customerId}" already follows "${followedCustomerId}"; nothing to do.`, {
      customerId,
      followedCustomerId,
    });
  }
}

export class NotFollowingError extends DomainError {
  override readonly name = 'NotFollowingError';
  readonly code = 'not_following';
  readonly kind = 'rule_violation';
  constructor(customerId: string, followedCustomerId: string) {
    super(`Customer "${customerId}" does not follow "${followedCustomerId}"; nothing to unfollow.`, {
      customerId,
      followedCustomerId,
    });
  }
}

export class NameUnchangedError extends DomainError {
  override readonly name = 'NameUnchangedError';
  readonly code = 'name_unchanged';
  readonly kind = 'rule_violation';
  constructor(customerId: string) {
    super(`Customer "${customerId}" already has this name; send a different name.`, { customerId });
  }
}

export class PriceUnchangedError extends DomainError {
  override readonly name = 'PriceUnchangedError';
  readonly code = 'price_unchanged';
  readonly kind = 'rule_violation';
  constructor(productId: string, price: number) {
    super(`Product "${productId}" already costs ${price} cents; send a different price.`, {
      productId,
      price,
    });
  }
}

export class ProductDelistedError extends DomainError {
  override readonly name = 'ProductDelistedError';
  readonly code = 'product_delisted';
  readonly kind = 'rule_violation';
  constructor(readonly productId: string) {
    super(`Product "${productId}" is delisted and can no longer be changed or ordered.`, { productId });
  }
}

export class OrderAlreadyShippedError extends DomainError {
  override readonly name = 'OrderAlreadyShippedError';
  readonly code = 'order_already_shipped';
  readonly kind = 'rule_violation';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" has already shipped; it can no longer be changed, shipped or cancelled.`, {
      orderId,
    });
  }
}

export class OrderAlreadyCancelledError extends DomainError {
  override readonly name = 'OrderAlreadyCancelledError';
  readonly code = 'order_already_cancelled';
  readonly kind = 'rule_violation';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" was cancelled; it can no longer be changed, shipped or cancelled.`, {
      orderId,
    });
  }
}

export class OrderEmptyError extends DomainError {
  override readonly name = 'OrderEmptyError';
  readonly code = 'order_empty';
  readonly kind = 'rule_violation';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" has no items; add at least one item before shipping it.`, { orderId });
  }
}

export class OrderFullError extends DomainError {
  override readonly name = 'OrderFullError';
  readonly code = 'order_full';
  readonly kind = 'rule_violation';
  constructor(
    readonly orderId: string,
    maxItems: number,
  ) {
    super(`Order "${orderId}" already has ${maxItems} items; place another order for more.`, {
      orderId,
      maxItems,
    });
  }
}

/** Not a client mistake: the stream holds an event this code does not know (see rehydrate). */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(
    readonly streamId: string,
    readonly eventType: string,
  ) {
    super(
      `Stream "${streamId}" contains an event of unknown type "${eventType}"; ` +
        'deploy the version of Prism that wrote it, or add the type to its aggregate.',
    );
  }
}
