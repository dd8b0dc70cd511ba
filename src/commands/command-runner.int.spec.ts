/**
 * The Idempotency-Key crash windows on the real PostgreSQL event store. A "crash" is simulated by doing
 * the first steps of the protocol by hand and then never finishing them, exactly as a killed process would.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineAggregate } from '../aggregates/define-aggregate';
import { createEventStore } from '../eventstore/event-store.factory';
import type { EventStore } from '../eventstore/event-store.port';
import { describeWithStores, useTestDatabase } from '../../test/support/stores';
import type { CommandContext } from './command-context';
import { CommandRunner } from './command-runner';
import { EventStreamIdempotencyStore } from './idempotency/event-stream.idempotency-store';
import { IdempotencyKeyInProgressError } from './idempotency/idempotency.errors';

const LEASE_MS = 10_000;

/** A minimal aggregate; its one event is at version 2 of its data shape. */
const customer = defineAggregate({
  name: 'customer',
  initialState: { registered: false },
  events: {
    CustomerRegistered: { data: z.object({ customerId: z.string(), name: z.string() }), version: 2 },
  },
  evolve: () => ({ registered: true }),
  commands: { register: { decide: () => [] } },
});

describeWithStores(['postgres'], 'CommandRunner idempotency on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let store: EventStore;
  /** Moves the idempotency store's clock forward, to expire leases without waiting. */
  let skewMs = 0;

  beforeAll(async () => {
    store = await createEventStore({ kind: 'postgres', url: database.url });
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(() => {
    skewMs = 0;
  });

  const idempotency = () =>
    new EventStreamIdempotencyStore(store, { leaseMs: LEASE_MS, waitMs: 30, now: () => Date.now() + skewMs });
  const context = (key: string): CommandContext => ({
    commandId: randomUUID(),
    correlationId: 'test',
    idempotency: { key, fingerprint: 'same-request' },
  });
  const register = (customerId: string, ctx: CommandContext) =>
    new CommandRunner(store, idempotency()).run(customer.decider, customerId, ctx, () => [
      { type: 'CustomerRegistered', data: { customerId, name: 'Ada' } },
    ]);

  it('a crash after claiming and before appending: retries wait for the lease, then run once', async () => {
    const crashed = context('k-before-append');
    await idempotency().claim({
      key: 'k-before-append',
      fingerprint: 'same-request',
      commandId: crashed.commandId,
      aggregateId: 'c1',
      streamId: 'customer-c1',
    });

    await expect(register('c1', context('k-before-append'))).rejects.toThrow(IdempotencyKeyInProgressError);

    skewMs = LEASE_MS + 1;
    const retry = context('k-before-append');
    const outcome = await register('c1', retry);
    expect(outcome.replayed).toBe(false);
    const events = await store.readStream('customer-c1');
    expect(events.map((e) => e.metadata.causationId)).toEqual([retry.commandId]);
    expect((await register('c1', context('k-before-append'))).result).toEqual(outcome.result);
  });

  it('a crash after appending and before recording the result: the retry finds the events, writes nothing', async () => {
    const crashed = context('k-after-append');
    await idempotency().claim({
      key: 'k-after-append',
      fingerprint: 'same-request',
      commandId: crashed.commandId,
      aggregateId: 'c2',
      streamId: 'customer-c2',
    });
    const written = await store.append(
      'customer-c2',
      [
        {
          type: 'CustomerRegistered',
          data: { customerId: 'c2', name: 'Ada' },
          metadata: { causationId: crashed.commandId, correlationId: 'test', schemaVersion: 1 },
        },
      ],
      'no_stream',
    );

    skewMs = LEASE_MS + 1;
    const outcome = await register('c2', context('k-after-append'));
    expect(outcome).toEqual({ id: 'c2', result: written, replayed: true });
    expect(await store.readStream('customer-c2')).toHaveLength(1);
    const keyStream = await store.readStream('idempotency-k-after-append');
    expect(keyStream.map((e) => e.type)).toEqual([
      'IdempotencyKeyClaimed',
      'IdempotencyKeyClaimed',
      'IdempotencyKeyCompleted',
    ]);
  });

  it('records metadata on every event the command appends, the schema version from its definition', async () => {
    const ctx = { ...context('k-meta'), userId: 'user-7', correlationId: 'corr-7' };
    await register('c3', ctx);
    const [event] = await store.readStream('customer-c3');
    expect(event!.metadata).toMatchObject({
      correlationId: 'corr-7',
      causationId: ctx.commandId,
      userId: 'user-7',
      schemaVersion: 2,
    });
    expect(Date.parse(event!.metadata.timestamp)).not.toBeNaN();
  });
});
