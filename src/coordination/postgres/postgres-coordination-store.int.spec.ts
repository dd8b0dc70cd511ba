import { Pool } from 'pg';
import { coordinationContract } from '../../../test/contract/coordination.contract';
import {
  adminQuery,
  describeWithStores,
  uniqueTestName,
  useTestDatabase,
} from '../../../test/support/stores';
import { createCoordinationStore } from '../coordination-store.factory';
import { CoordinationStoreUnavailableError, InvalidCoordinationSchemaError } from '../coordination.errors';
import { createPostgresCoordinationStore } from './postgres-coordination-store';

describeWithStores(['postgres'], 'PostgreSQL coordination store', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const schema = uniqueTestName('coord');

  // Every store the contract opens is made from the URL, so each "process" has its own pool.
  coordinationContract('PostgreSQL coordination store contract', () =>
    createCoordinationStore({ kind: 'postgres', url: database.url, schema }),
  );

  describe('tables and pools', () => {
    it('creates its tables once when several processes start at the same time', async () => {
      const fresh = uniqueTestName('coord_race');
      const stores = Array.from({ length: 5 }, () =>
        createPostgresCoordinationStore({ url: database.url, schema: fresh }),
      );
      try {
        await Promise.all(stores.map((store) => store.initialize()));
        const lease = await stores[4]!.acquire('orders', 'node-a', 60_000);
        expect(lease?.epoch).toBe(1n);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('uses a given pool and leaves it open on close', async () => {
      const pool = new Pool({ connectionString: database.url, max: 2 });
      try {
        const store = await createCoordinationStore({ kind: 'postgres', pool, schema });
        expect(store).toMatchObject({ kind: 'postgres', shared: true });
        await store.heartbeat(
          { id: 'pooled', role: 'all', version: '1', definitions: {}, report: null },
          60_000,
        );
        await store.close();
        const rows = await pool.query(`SELECT id FROM "${schema}".prism_nodes WHERE id = 'pooled'`);
        expect(rows.rowCount).toBe(1);
      } finally {
        await pool.end();
      }
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => createPostgresCoordinationStore({ url: database.url, schema: 'x"; drop' })).toThrow(
        InvalidCoordinationSchemaError,
      );
    });
  });

  it('forgets nodes dead and requests finished for more than an hour (database clock)', async () => {
    const store = createPostgresCoordinationStore({ url: database.url, schema });
    try {
      const node = {
        id: uniqueTestName('old'),
        role: 'all' as const,
        version: '1',
        definitions: {},
        report: null,
      };
      await store.heartbeat(node, 60_000);
      const request = await store.submit({ projection: 'p', action: 'pause', args: {}, from: node.id });
      await store.claim(request.id, node.id);
      await store.complete(request.id, 'done', null);
      const recent = await store.submit({ projection: 'p', action: 'resume', args: {}, from: node.id });
      await store.claim(recent.id, node.id);
      await store.complete(recent.id, 'done', null);
      // Backdated as if it all happened two hours ago (the database's clock decides, not ours).
      await adminQuery(
        database.url,
        `UPDATE "${schema}".prism_nodes SET expires_at = now() - interval '61 minutes' WHERE id = '${node.id}';
         UPDATE "${schema}".prism_admin_requests SET completed_at = now() - interval '61 minutes' WHERE id = '${request.id}'`,
      );
      // A fresh store prunes on its first heartbeat.
      const other = createPostgresCoordinationStore({ url: database.url, schema });
      await other.heartbeat({ ...node, id: uniqueTestName('new') }, 60_000);
      await other.close();
      expect((await store.listNodes()).find((n) => n.id === node.id)).toBeUndefined();
      expect(await store.readRequest(request.id)).toBeUndefined();
      expect(await store.readRequest(recent.id)).toMatchObject({ status: 'done' });
    } finally {
      await store.close();
    }
  });

  it('says the server cannot be reached, without the password, and logs the outage once', async () => {
    const warnings: string[] = [];
    const failure = await createCoordinationStore(
      { kind: 'postgres', url: 'postgres://prism:secret@127.0.0.1:1/prism', schema: 'prism' },
      { warn: (message) => warnings.push(message) },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CoordinationStoreUnavailableError);
    expect((failure as Error).message).toContain('127.0.0.1:1/prism');
    expect((failure as Error).message).not.toContain('secret');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('PostgreSQL coordination store at 127.0.0.1:1/prism');
    expect(warnings[0]).not.toContain('secret');
  });
});
