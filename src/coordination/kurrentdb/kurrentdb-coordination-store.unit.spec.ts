/**
 * The KurrentDB coordination store's rules (expected-revision compare-and-set, server-clock expiry, the
 * last event as the record) through the whole coordination contract, over streams kept in memory. The
 * same contract against a real server is kurrentdb-coordination-store.int.spec.ts.
 */
import { coordinationContract } from '../../../test/contract/coordination.contract';
import { InMemoryCoordinationStreams } from '../../../test/support/in-memory-coordination-streams';
import { KurrentDbCoordinationStore } from './kurrentdb-coordination-store';
import { leaseState, streams } from './kurrentdb-coordination-records';

describe('KurrentDB coordination store logic', () => {
  let memory = new InMemoryCoordinationStreams();
  beforeEach(() => {
    memory = new InMemoryCoordinationStreams();
  });

  // Each store has its own server-clock estimate, as separate processes do.
  coordinationContract('over in-memory streams', async () => new KurrentDbCoordinationStore(memory));

  // The clock rule: only the server's clock decides. A server an hour ahead of (or behind) every node
  // changes nothing a node can see.
  for (const skew of [3_600_000, -3_600_000]) {
    describe(`with the server's clock ${skew > 0 ? 'an hour ahead' : 'an hour behind'}`, () => {
      let skewed = new InMemoryCoordinationStreams(skew);
      beforeEach(() => {
        skewed = new InMemoryCoordinationStreams(skew);
      });
      coordinationContract('over in-memory streams', async () => new KurrentDbCoordinationStore(skewed));
    });
  }

  it('keeps only the last few events of a lease stream, and the last one is the whole lease', async () => {
    const store = new KurrentDbCoordinationStore(memory);
    let lease = await store.acquire('orders', 'node-a', 60_000);
    for (let i = 0; i < 10; i++) [lease] = await store.renew([lease!], 60_000);
    const kept = await memory.read(streams.lease('orders'));
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(leaseState(kept.at(-1)!)).toMatchObject({ holder: 'node-a', epoch: 1n, revision: 10n });
    expect((await store.listLeases())[0]).toMatchObject({ resource: 'orders', epoch: 1n, expired: false });
  });

  it('lists a lease whose stream was created by an acquirer that lost the race only once', async () => {
    const [a, b] = [new KurrentDbCoordinationStore(memory), new KurrentDbCoordinationStore(memory)];
    const results = await Promise.all([
      a.acquire('carts', 'node-a', 60_000),
      b.acquire('carts', 'node-b', 60_000),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await a.listLeases()).map((l) => l.resource)).toEqual(['carts']);
  });
});
