/**
 * A process frozen inside a commit (SIGSTOP, a long GC pause) must not keep the checkpoint row locked from
 * the node that took its lease over (issue #15): PostgreSQL ends a transaction left idle past
 * IDLE_IN_TRANSACTION_TIMEOUT_MS, its lock goes with it, and the new holder's fencing commit goes in while
 * the frozen one is still frozen. Without the setting this test waits on the lock until its timeout.
 */
import { CONTRACT_SHAPE } from '../../../test/contract/target.contract';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import type { ViewRef } from '../target.port';
import { IDLE_IN_TRANSACTION_TIMEOUT_MS } from './postgres.dialect';
import { RelationalTarget } from './relational.target';

const view: ViewRef = { projection: 'frozen_orders', generation: 1, shape: CONTRACT_SHAPE };

describeWithStores(['postgres'], 'a frozen commit on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);

  it(
    'loses its lock to the new lease holder once idle past the timeout, and cannot commit afterwards',
    async () => {
      const open = () =>
        RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'frozen', poolSize: 2 });
      const former = await open();
      const taker = await open();
      try {
        await former.prepare({ ...view, fingerprint: 'fp', definition: null });
        await former.commit(view, { operations: [], checkpoint: { from: 0n, to: 5n }, fence: 1n });

        // The former holder locks the checkpoint row inside a transaction, then freezes.
        let thaw!: () => void;
        const frozen = new Promise<void>((resolve) => (thaw = resolve));
        let locked!: () => void;
        const holding = new Promise<void>((resolve) => (locked = resolve));
        const records = former.bookkeeping.records;
        const stale = records.transaction(async (session) => {
          await records.readCheckpoint(session, view, true);
          locked();
          await frozen;
          await records.readCheckpoint(session, view, true);
        });
        const staleOutcome = stale.then(
          () => 'committed',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        await holding;

        // The new holder fences while the former one is still frozen.
        const fenced = await taker.commit(view, {
          operations: [],
          checkpoint: { from: 5n, to: 5n },
          fence: 2n,
        });
        expect(fenced).toEqual({ kind: 'committed', checkpoint: 5n });

        thaw();
        // The server ended the frozen transaction: it cannot finish, and any later commit is fenced.
        expect(await staleOutcome).not.toBe('committed');
        expect(
          await former.commit(view, { operations: [], checkpoint: { from: 5n, to: 6n }, fence: 1n }),
        ).toEqual({ kind: 'fenced', fence: 2n });
        expect(await taker.readCheckpoint(view)).toBe(5n);
      } finally {
        await former.close();
        await taker.close();
      }
    },
    IDLE_IN_TRANSACTION_TIMEOUT_MS * 3,
  );
});
