import { rehydrate } from '../decider';
import {
  AlreadyFollowingError,
  CannotFollowSelfError,
  CustomerAlreadyRegisteredError,
  CustomerNotFoundError,
  InvalidValueError,
  NameUnchangedError,
  NotFollowingError,
  UnknownEventTypeError,
} from '../domain.errors';
import { customerDecider, type CustomerCommand, type CustomerState } from './customer.aggregate';
import type { CustomerEvent } from './customer.events';

const registered = (customerId: string): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, name: 'Ada', email: 'ada@example.com', city: 'London' },
});
const stateOf = (past: CustomerEvent[]): CustomerState => rehydrate(customerDecider, 'customer-x', past);
const decide = (past: CustomerEvent[], command: CustomerCommand) =>
  customerDecider.decide(command, stateOf(past));

describe('Customer aggregate', () => {
  it('registers a new customer with a trimmed name and a lowercased e-mail', () => {
    expect(
      decide([], {
        kind: 'RegisterCustomer',
        customerId: 'c1',
        name: ' Ada ',
        email: 'Ada@Example.com',
        city: 'London',
      }),
    ).toEqual([
      {
        type: 'CustomerRegistered',
        data: { customerId: 'c1', name: 'Ada', email: 'ada@example.com', city: 'London' },
      },
    ]);
  });

  it('refuses to register the same customer twice', () => {
    expect(() =>
      decide([registered('c1')], {
        kind: 'RegisterCustomer',
        customerId: 'c1',
        name: 'A',
        email: 'a@b.co',
        city: 'X',
      }),
    ).toThrow(CustomerAlreadyRegisteredError);
  });

  it('rejects an invalid e-mail and an empty name with rule codes', () => {
    const bad = (name: string, email: string) => () =>
      decide([], { kind: 'RegisterCustomer', customerId: 'c1', name, email, city: 'X' });
    expect(bad('Ada', 'not-an-email')).toThrow(expect.objectContaining({ code: 'invalid_email' }));
    expect(bad('   ', 'a@b.co')).toThrow(expect.objectContaining({ code: 'invalid_name' }));
    expect(bad('   ', 'a@b.co')).toThrow(InvalidValueError);
  });

  it('renames a registered customer, but not to the same name and not an unknown one', () => {
    expect(decide([registered('c1')], { kind: 'RenameCustomer', customerId: 'c1', name: 'Grace' })).toEqual([
      { type: 'CustomerRenamed', data: { customerId: 'c1', name: 'Grace' } },
    ]);
    expect(() =>
      decide([registered('c1')], { kind: 'RenameCustomer', customerId: 'c1', name: 'Ada' }),
    ).toThrow(NameUnchangedError);
    expect(() => decide([], { kind: 'RenameCustomer', customerId: 'c1', name: 'Grace' })).toThrow(
      CustomerNotFoundError,
    );
  });

  it('follows another registered customer once', () => {
    const follow = (past: CustomerEvent[], followedCustomerId: string, followed: CustomerState) =>
      decide(past, { kind: 'FollowCustomer', customerId: 'c1', followedCustomerId, followed });
    const c2 = stateOf([registered('c2')]);
    expect(follow([registered('c1')], 'c2', c2)).toEqual([
      { type: 'CustomerFollowed', data: { customerId: 'c1', followedCustomerId: 'c2' } },
    ]);
    const following = [
      registered('c1'),
      { type: 'CustomerFollowed', data: { customerId: 'c1', followedCustomerId: 'c2' } },
    ] as CustomerEvent[];
    expect(() => follow(following, 'c2', c2)).toThrow(AlreadyFollowingError);
    expect(() => follow([registered('c1')], 'c1', stateOf([registered('c1')]))).toThrow(
      CannotFollowSelfError,
    );
    expect(() => follow([registered('c1')], 'ghost', { status: 'unregistered' })).toThrow(
      expect.objectContaining({ code: 'customer_not_found', customerId: 'ghost' }),
    );
    expect(() => follow([], 'c2', c2)).toThrow(expect.objectContaining({ customerId: 'c1' }));
  });

  it('unfollows only a followed customer, and can follow again afterwards', () => {
    const history: CustomerEvent[] = [
      registered('c1'),
      { type: 'CustomerFollowed', data: { customerId: 'c1', followedCustomerId: 'c2' } },
      { type: 'CustomerUnfollowed', data: { customerId: 'c1', followedCustomerId: 'c2' } },
    ];
    expect(() =>
      decide(history, { kind: 'UnfollowCustomer', customerId: 'c1', followedCustomerId: 'c2' }),
    ).toThrow(NotFollowingError);
    expect(
      decide(history, {
        kind: 'FollowCustomer',
        customerId: 'c1',
        followedCustomerId: 'c2',
        followed: stateOf([registered('c2')]),
      }),
    ).toHaveLength(1);
  });

  it('refuses to rebuild from a stream holding an unknown event type', () => {
    expect(() =>
      rehydrate(customerDecider, 'customer-c1', [registered('c1'), { type: 'CustomerDeleted', data: {} }]),
    ).toThrow(UnknownEventTypeError);
  });
});
