/** Value rules shared by the marketplace's aggregates. Each throws a DomainRuleError (422) naming the field. */
import { DomainRuleError } from '@prism/platform';

/** Prices are integer cents; the cap keeps totals far below Number.MAX_SAFE_INTEGER. */
export const MAX_PRICE_CENTS = 100_000_000;
export const MAX_QUANTITY = 1000;

/** A value breaks a rule: `code` names the rule (`invalid_price`), `field` the payload field. */
export function invalidValue(code: string, field: string, message: string): DomainRuleError {
  return new DomainRuleError(code, message, { field });
}

export function requireText(field: string, value: string, maxLength: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > maxLength) {
    throw invalidValue(
      `invalid_${field}`,
      field,
      `${field} must be 1 to ${maxLength} characters (not counting surrounding spaces).`,
    );
  }
  return trimmed;
}

export function requirePrice(price: number): number {
  if (!Number.isInteger(price) || price <= 0 || price > MAX_PRICE_CENTS) {
    throw invalidValue(
      'invalid_price',
      'price',
      `price must be a positive whole number of cents up to ${MAX_PRICE_CENTS} (got ${price}); send 1999 for 19.99.`,
    );
  }
  return price;
}

export function requireQuantity(qty: number): number {
  if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QUANTITY) {
    throw invalidValue(
      'invalid_quantity',
      'qty',
      `qty must be a whole number from 1 to ${MAX_QUANTITY} (got ${qty}).`,
    );
  }
  return qty;
}

/**
 * An e-mail address as stored: lowercase. Its form and length are checked by the payload schema
 * (`z.email().max(254)`), so a bad address is a 400 validation_failed naming `email`, as the OpenAPI
 * document's `format: email` says, and there is no 422 for it (issue #20).
 */
export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}
