/** Events of the Customer aggregate (stream `customer-<id>`). Names and payloads are a public contract. */
import type { DomainEvent } from '../decider';

export type CustomerRegistered = DomainEvent<
  'CustomerRegistered',
  { customerId: string; name: string; email: string; city: string }
>;
export type CustomerRenamed = DomainEvent<'CustomerRenamed', { customerId: string; name: string }>;
export type CustomerFollowed = DomainEvent<
  'CustomerFollowed',
  { customerId: string; followedCustomerId: string }
>;
export type CustomerUnfollowed = DomainEvent<
  'CustomerUnfollowed',
  { customerId: string; followedCustomerId: string }
>;

export type CustomerEvent = CustomerRegistered | CustomerRenamed | CustomerFollowed | CustomerUnfollowed;

export const CUSTOMER_EVENT_TYPES: ReadonlySet<CustomerEvent['type']> = new Set([
  'CustomerRegistered',
  'CustomerRenamed',
  'CustomerFollowed',
  'CustomerUnfollowed',
]);
