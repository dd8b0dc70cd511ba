import { Pool } from 'pg';
import { PoolTooSmallError } from './relational.errors';
import { RelationalTarget } from './relational.target';

// A pool of one deadlocked the first initialization (the migration lock holds the only connection while
// the migration waits for another); it is refused before any connection is opened.
describe('the PostgreSQL view store pool size', () => {
  it('refuses poolSize 1 with what to do', async () => {
    const connecting = RelationalTarget.connect({
      kind: 'postgres',
      url: 'postgres://nobody@127.0.0.1:1/none',
      poolSize: 1,
    });
    await expect(connecting).rejects.toThrow(PoolTooSmallError);
    await expect(connecting).rejects.toThrow(/at least 2 connections .* poolSize allows 1.*Raise poolSize/);
  });

  it("refuses an app's pg Pool with max 1", async () => {
    const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
    try {
      await expect(RelationalTarget.connect({ kind: 'postgres', pool, schema: 'views' })).rejects.toThrow(
        /the given pool allows 1.*max >= 2/,
      );
    } finally {
      await pool.end();
    }
  });
});
