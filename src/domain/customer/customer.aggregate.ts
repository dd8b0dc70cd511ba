/** The Customer aggregate: registration, renaming, and who follows whom. */
import type { Decider } from '../decider';
import {
  AlreadyFollowingError,
  CannotFollowSelfError,
  CustomerAlreadyRegisteredError,
  CustomerNotFoundError,
  NameUnchangedError,
  NotFollowingError,
} from '../domain.errors';
import { requireEmail, requireText } from '../value-rules';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent } from './customer.events';

export type CustomerState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly customerId: string;
      readonly name: string;
      readonly following: ReadonlySet<string>;
    };

export type CustomerCommand =
  | { readonly kind: 'RegisterCustomer'; customerId: string; name: string; email: string; city: string }
  | { readonly kind: 'RenameCustomer'; customerId: string; name: string }
  /** `followed` is the followed customer's state, loaded by the caller: it must exist. */
  | {
      readonly kind: 'FollowCustomer';
      customerId: string;
      followedCustomerId: string;
      followed: CustomerState;
    }
  | { readonly kind: 'UnfollowCustomer'; customerId: string; followedCustomerId: string };

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return {
        status: 'registered',
        customerId: event.data.customerId,
        name: event.data.name,
        following: new Set(),
      };
    case 'CustomerRenamed':
      return state.status === 'registered' ? { ...state, name: event.data.name } : state;
    case 'CustomerFollowed':
      return state.status === 'registered'
        ? { ...state, following: new Set([...state.following, event.data.followedCustomerId]) }
        : state;
    case 'CustomerUnfollowed':
      return state.status === 'registered'
        ? {
            ...state,
            following: new Set([...state.following].filter((id) => id !== event.data.followedCustomerId)),
          }
        : state;
  }
}

function registered(state: CustomerState, customerId: string) {
  if (state.status !== 'registered') throw new CustomerNotFoundError(customerId);
  return state;
}

function decide(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  switch (command.kind) {
    case 'RegisterCustomer': {
      if (state.status === 'registered') throw new CustomerAlreadyRegisteredError(command.customerId);
      return [
        {
          type: 'CustomerRegistered',
          data: {
            customerId: command.customerId,
            name: requireText('name', command.name, 200),
            email: requireEmail(command.email),
            city: requireText('city', command.city, 100),
          },
        },
      ];
    }
    case 'RenameCustomer': {
      const customer = registered(state, command.customerId);
      const name = requireText('name', command.name, 200);
      if (name === customer.name) throw new NameUnchangedError(command.customerId);
      return [{ type: 'CustomerRenamed', data: { customerId: command.customerId, name } }];
    }
    case 'FollowCustomer': {
      const customer = registered(state, command.customerId);
      if (command.followedCustomerId === command.customerId)
        throw new CannotFollowSelfError(command.customerId);
      registered(command.followed, command.followedCustomerId);
      if (customer.following.has(command.followedCustomerId)) {
        throw new AlreadyFollowingError(command.customerId, command.followedCustomerId);
      }
      return [
        {
          type: 'CustomerFollowed',
          data: { customerId: command.customerId, followedCustomerId: command.followedCustomerId },
        },
      ];
    }
    case 'UnfollowCustomer': {
      const customer = registered(state, command.customerId);
      if (!customer.following.has(command.followedCustomerId)) {
        throw new NotFollowingError(command.customerId, command.followedCustomerId);
      }
      return [
        {
          type: 'CustomerUnfollowed',
          data: { customerId: command.customerId, followedCustomerId: command.followedCustomerId },
        },
      ];
    }
  }
}

export const customerDecider: Decider<CustomerCommand, CustomerState, CustomerEvent> = {
  streamPrefix: 'customer',
  eventTypes: CUSTOMER_EVENT_TYPES,
  initialState: { status: 'unregistered' },
  evolve,
  decide,
  schemaVersionOf: () => 1,
};
