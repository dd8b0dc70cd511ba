import { decideCommand, DomainRuleError, type DomainEvent } from '@prism/platform';
import { customer } from './customer.aggregate';

const registered = (customerId: string): DomainEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, name: 'Ada', email: 'ada@example.com', city: 'London' },
});
const followed: DomainEvent = {
  type: 'CustomerFollowed',
  data: { customerId: 'c1', followedCustomerId: 'c2' },
};
const unfollowed: DomainEvent = {
  type: 'CustomerUnfollowed',
  data: { customerId: 'c1', followedCustomerId: 'c2' },
};

/** A command on customer c1 with its past events; c2 is registered. */
const decide = (given: DomainEvent[], command: string, payload: Record<string, unknown> = {}) =>
  decideCommand(customer, command, payload, {
    id: 'c1',
    given,
    streams: { 'customer-c2': [registered('c2')] },
  });

describe('Customer aggregate', () => {
  it('registers a new customer with a trimmed name and a lowercased e-mail', async () => {
    await expect(
      decide([], 'register', { name: ' Ada ', email: 'Ada@Example.com', city: 'London' }),
    ).resolves.toEqual([
      {
        type: 'CustomerRegistered',
        data: { customerId: 'c1', name: 'Ada', email: 'ada@example.com', city: 'London' },
      },
    ]);
  });

  it('refuses to register the same customer twice', async () => {
    await expect(
      decide([registered('c1')], 'register', { name: 'A', email: 'a@b.co', city: 'X' }),
    ).rejects.toMatchObject({
      code: 'customer_already_registered',
      kind: 'conflict',
      details: { customerId: 'c1' },
    });
  });

  it('rejects an empty name with a rule code (422), an invalid e-mail already as a malformed request (400)', async () => {
    const attempt = decide([], 'register', { name: '   ', email: 'a@b.co', city: 'X' });
    await expect(attempt).rejects.toBeInstanceOf(DomainRuleError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_name', details: { field: 'name' } });
    await expect(
      decide([], 'register', { name: 'Ada', email: 'not-an-email', city: 'X' }),
    ).rejects.toMatchObject({
      fields: { email: ['email must be an email'] },
    });
    // Too long for an address (254): also the schema's 400, never a rule's 422 (issue #20).
    await expect(
      decide([], 'register', { name: 'Ada', email: `${'a'.repeat(60)}@${'b'.repeat(200)}.co`, city: 'X' }),
    ).rejects.toMatchObject({ fields: { email: [expect.any(String)] } });
  });

  it('renames a registered customer, but not to the same name and not an unknown one', async () => {
    await expect(decide([registered('c1')], 'rename', { name: 'Grace' })).resolves.toEqual([
      { type: 'CustomerRenamed', data: { customerId: 'c1', name: 'Grace' } },
    ]);
    await expect(decide([registered('c1')], 'rename', { name: 'Ada' })).rejects.toMatchObject({
      code: 'name_unchanged',
    });
    await expect(decide([], 'rename', { name: 'Grace' })).rejects.toMatchObject({
      code: 'customer_not_found',
    });
  });

  it('follows another registered customer once', async () => {
    await expect(decide([registered('c1')], 'follow', { followedCustomerId: 'c2' })).resolves.toEqual([
      followed,
    ]);
    await expect(
      decide([registered('c1'), followed], 'follow', { followedCustomerId: 'c2' }),
    ).rejects.toMatchObject({
      code: 'already_following',
    });
    await expect(decide([registered('c1')], 'follow', { followedCustomerId: 'c1' })).rejects.toMatchObject({
      code: 'cannot_follow_self',
    });
    await expect(decide([registered('c1')], 'follow', { followedCustomerId: 'ghost' })).rejects.toMatchObject(
      {
        code: 'customer_not_found',
        details: { customerId: 'ghost' },
      },
    );
    await expect(decide([], 'follow', { followedCustomerId: 'c2' })).rejects.toMatchObject({
      details: { customerId: 'c1' },
    });
  });

  it('unfollows only a followed customer, and can follow again afterwards', async () => {
    const history = [registered('c1'), followed, unfollowed];
    await expect(decide(history, 'unfollow', { followedCustomerId: 'c2' })).rejects.toMatchObject({
      code: 'not_following',
    });
    await expect(decide(history, 'follow', { followedCustomerId: 'c2' })).resolves.toHaveLength(1);
  });

  it('refuses to decide on a stream holding an unknown event type', async () => {
    await expect(
      decide([registered('c1'), { type: 'CustomerDeleted', data: {} }], 'rename', { name: 'Grace' }),
    ).rejects.toThrow(/unknown type "CustomerDeleted"/);
  });
});
