/** Smoke test for the harness: a real PostgreSQL, in a database of this test's own. */
import { Client } from 'pg';
import { describeWithStores, useTestDatabase } from '../support/stores';

describeWithStores(['postgres'], 'PostgreSQL smoke test', (urls) => {
  const db = useTestDatabase(() => urls.postgres);

  it('creates a table, inserts and reads back', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE smoke (id int PRIMARY KEY, name text NOT NULL)');
      await client.query('INSERT INTO smoke SELECT g, $1 || g FROM generate_series(1, 100) g', ['row-']);
      const { rows } = await client.query<{ n: string; last: string }>(
        'SELECT count(*) AS n, max(name) FILTER (WHERE id = 100) AS last FROM smoke',
      );
      expect(rows[0]).toEqual({ n: '100', last: 'row-100' });
      await expect(client.query("INSERT INTO smoke VALUES (1, 'dup')")).rejects.toThrow(/duplicate key/);
    } finally {
      await client.end();
    }
  });
});
