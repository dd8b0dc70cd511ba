/** Customers: registration, renaming, and who follows whom. Streams `customer-<id>`, routes `/customers`. */
import { z } from 'zod';
import {
  aggregateId,
  AlreadyExistsError,
  defineAggregate,
  DomainRuleError,
  NotFoundError,
  type Aggregate,
} from '@prism/platform';
import { normalizeEmail, requireText } from './rules';

export type CustomerState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly customerId: string;
      readonly name: string;
      readonly following: ReadonlySet<string>;
    };

const unregistered = { status: 'unregistered' } as CustomerState;
const follow = z.object({ customerId: z.string(), followedCustomerId: z.string() });

export function customerNotFound(customerId: string): NotFoundError {
  return new NotFoundError(
    'customer_not_found',
    `Customer "${customerId}" does not exist; register the customer first.`,
    { customerId },
  );
}

/** The customer, if registered (404 otherwise). */
export function registered(state: CustomerState, customerId: string) {
  if (state.status !== 'registered') throw customerNotFound(customerId);
  return state;
}

// Annotated because `follow` reads other customers through this very aggregate (ctx.load(customer, ...)).
export const customer: Aggregate<CustomerState> = defineAggregate({
  name: 'customer',
  initialState: unregistered,
  events: {
    CustomerRegistered: {
      data: z.object({ customerId: z.string(), name: z.string(), email: z.string(), city: z.string() }),
    },
    CustomerRenamed: { data: z.object({ customerId: z.string(), name: z.string() }) },
    CustomerFollowed: { data: follow },
    CustomerUnfollowed: { data: follow },
  },
  evolve(state, event) {
    if (event.type === 'CustomerRegistered') {
      const { customerId, name } = event.data;
      return { status: 'registered', customerId, name, following: new Set<string>() };
    }
    if (state.status !== 'registered') return state;
    switch (event.type) {
      case 'CustomerRenamed':
        return { ...state, name: event.data.name };
      case 'CustomerFollowed':
        return { ...state, following: new Set([...state.following, event.data.followedCustomerId]) };
      case 'CustomerUnfollowed':
        return {
          ...state,
          following: new Set([...state.following].filter((id) => id !== event.data.followedCustomerId)),
        };
    }
  },
  commands: {
    register: {
      creates: true,
      idField: 'customerId',
      schemaName: 'RegisterCustomerDto',
      summary: 'Register a customer',
      payload: z.object({
        customerId: aggregateId().optional().describe('Chosen by the client, or a UUID is generated.'),
        name: z.string().max(200),
        email: z.email().max(254).describe('An e-mail address (400 validation_failed otherwise).'),
        city: z.string().max(100),
      }),
      decide({ name, email, city }, state, { id }) {
        if (state.status === 'registered') {
          throw new AlreadyExistsError(
            'customer_already_registered',
            `Customer "${id}" is already registered; choose another id or rename the customer.`,
            { customerId: id },
          );
        }
        return [
          {
            type: 'CustomerRegistered',
            data: {
              customerId: id,
              name: requireText('name', name, 200),
              email: normalizeEmail(email),
              city: requireText('city', city, 100),
            },
          },
        ];
      },
    },
    rename: {
      summary: 'Rename a customer',
      payload: z.object({ name: z.string().max(200) }),
      decide(command, state, { id }) {
        const current = registered(state, id);
        const name = requireText('name', command.name, 200);
        if (name === current.name) {
          throw new DomainRuleError(
            'name_unchanged',
            `Customer "${id}" already has this name; send a different name.`,
            {
              customerId: id,
            },
          );
        }
        return [{ type: 'CustomerRenamed', data: { customerId: id, name } }];
      },
    },
    follow: {
      summary: 'Follow another customer',
      payload: z.object({ followedCustomerId: aggregateId() }),
      async decide({ followedCustomerId }, state, ctx) {
        const { id } = ctx;
        const current = registered(state, id);
        if (followedCustomerId === id) {
          throw new DomainRuleError(
            'cannot_follow_self',
            `Customer "${id}" cannot follow themselves; name another customer.`,
            {
              customerId: id,
            },
          );
        }
        // Only read: the followed customer must exist, but its stream is not written.
        registered((await ctx.load(customer, followedCustomerId)).state, followedCustomerId);
        if (current.following.has(followedCustomerId)) {
          throw new DomainRuleError(
            'already_following',
            `Customer "${id}" already follows "${followedCustomerId}"; nothing to do.`,
            {
              customerId: id,
              followedCustomerId,
            },
          );
        }
        return [{ type: 'CustomerFollowed', data: { customerId: id, followedCustomerId } }];
      },
    },
    unfollow: {
      summary: 'Stop following a customer',
      route: { method: 'DELETE', path: 'follow/:followedCustomerId' },
      payload: z.object({ followedCustomerId: aggregateId() }),
      decide({ followedCustomerId }, state, { id }) {
        if (!registered(state, id).following.has(followedCustomerId)) {
          throw new DomainRuleError(
            'not_following',
            `Customer "${id}" does not follow "${followedCustomerId}"; nothing to unfollow.`,
            {
              customerId: id,
              followedCustomerId,
            },
          );
        }
        return [{ type: 'CustomerUnfollowed', data: { customerId: id, followedCustomerId } }];
      },
    },
  },
  errors: {
    customer_not_found: { status: 404, meaning: 'The customer does not exist (`customerId`).' },
    customer_already_registered: { status: 409, meaning: 'A customer with this id exists.' },
    invalid_name: { status: 422, meaning: 'name is empty or too long once trimmed.' },
    invalid_city: { status: 422, meaning: 'city is empty or too long once trimmed.' },
    cannot_follow_self: { status: 422, meaning: 'A customer cannot follow themselves.' },
    already_following: { status: 422, meaning: 'The customer already follows that customer.' },
    not_following: { status: 422, meaning: 'The customer does not follow that customer.' },
    name_unchanged: { status: 422, meaning: 'The customer already has this name.' },
  },
});
