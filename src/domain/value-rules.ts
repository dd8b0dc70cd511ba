/** Value rules shared by the aggregates. Each throws an InvalidValueError whose code names the rule. */
import { InvalidValueError } from './domain.errors';

/** Prices are integer cents; the cap keeps totals far below Number.MAX_SAFE_INTEGER. */
export const MAX_PRICE_CENTS = 100_000_000;
export const MAX_QUANTITY = 1000;

export function requireText(field: string, value: string, maxLength: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > maxLength) {
    throw new InvalidValueError(
      `invalid_${field}`,
      field,
      `${field} must be 1 to ${maxLength} characters (not counting surrounding spaces).`,
    );
  }
  return trimmed;
}

export function requirePrice(price: number): number {
  if (!Number.isInteger(price) || price <= 0 || price > MAX_PRICE_CENTS) {
    throw new InvalidValueError(
      'invalid_price',
      'price',
      `price must be a positive whole number of cents up to ${MAX_PRICE_CENTS} (got ${price}); send 1999 for 19.99.`,
    );
  }
  return price;
}

export function requireQuantity(qty: number): number {
  if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QUANTITY) {
    throw new InvalidValueError(
      'invalid_quantity',
      'qty',
      `qty must be a whole number from 1 to ${MAX_QUANTITY} (got ${qty}).`,
    );
  }
  return qty;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function requireEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed) || trimmed.length > 254) {
    throw new InvalidValueError('invalid_email', 'email', `email "${email}" is not a valid e-mail address.`);
  }
  return trimmed;
}
