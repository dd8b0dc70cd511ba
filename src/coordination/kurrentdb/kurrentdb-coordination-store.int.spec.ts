/**
 * The coordination contract on a real KurrentDB. It runs when a server is given
 * (PRISM_TEST_KURRENTDB_URL=kurrentdb://admin:changeit@host:2113?tls=false, a user allowed to write `$`
 * streams; an insecure server allows everyone); otherwise the suite is listed as skipped, by name.
 * The contract uses names of its own per test, so a server that already holds records is fine.
 */
import { coordinationContract } from '../../../test/contract/coordination.contract';
import { createCoordinationStore } from '../coordination-store.factory';
import { CoordinationStoreUnavailableError } from '../coordination.errors';
import { createKurrentDbCoordinationStore } from './kurrentdb-coordination-store';

const SUITE = 'KurrentDB coordination store contract';
const connectionString = process.env.PRISM_TEST_KURRENTDB_URL;
if (connectionString === undefined || connectionString === '') {
  console.warn(
    `SKIPPED "${SUITE}": no KurrentDB server (set PRISM_TEST_KURRENTDB_URL=kurrentdb://127.0.0.1:2113?tls=false)`,
  );
}

coordinationContract(
  SUITE,
  () => createCoordinationStore({ kind: 'kurrentdb', connectionString: connectionString ?? '' }),
  { describe: connectionString ? describe : describe.skip },
);

describe('KurrentDB coordination store without a server', () => {
  it('rejects calls with CoordinationStoreUnavailableError and a clear message', async () => {
    const store = createKurrentDbCoordinationStore({
      connectionString: 'kurrentdb://admin:secret@127.0.0.1:1?tls=false',
    });
    const failure = await store.acquire('orders', 'node-a', 1_000).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CoordinationStoreUnavailableError);
    expect((failure as Error).message).toContain('kurrentdb coordination store is unavailable');
    expect((failure as Error).message).toContain('127.0.0.1:1');
    expect((failure as Error).message).not.toContain('secret');
    await expect(store.initialize()).rejects.toBeInstanceOf(CoordinationStoreUnavailableError);
    await expect(store.listNodes()).rejects.toBeInstanceOf(CoordinationStoreUnavailableError);
    await store.close();
  });
});
