import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import { CONTRACT_SHAPE } from '../../../test/contract/target.contract';
import { RelationalTarget } from './relational.target';

/** PostgreSQL specifics of the relational target; the Target contract runs in relational.contract.int.spec.ts. */
describeWithStores(['postgres'], 'relational target on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);

  describe('PostgreSQL specifics', () => {
    let target: RelationalTarget;
    beforeAll(async () => {
      target = await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'specifics' });
    });
    afterAll(async () => {
      await target.close();
    });

    it('builds the generation table from the declared shape: types, NOT NULL, primary key, indexes', async () => {
      await target.prepare({
        projection: 'shape_check',
        generation: 3,
        shape: CONTRACT_SHAPE,
        fingerprint: 'f',
        definition: null,
      });
      const columns = await target.dataSource.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_schema = 'specifics' AND table_name = 'contract_orders__g3' ORDER BY ordinal_position`,
      );
      expect(columns).toEqual([
        { column_name: 'order_id', data_type: 'text', is_nullable: 'NO' },
        { column_name: 'status', data_type: 'text', is_nullable: 'NO' },
        { column_name: 'total', data_type: 'integer', is_nullable: 'NO' },
        { column_name: 'note', data_type: 'text', is_nullable: 'YES' },
      ]);
      const indexes = await target.dataSource.query<{ indexdef: string }[]>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'specifics' AND tablename = 'contract_orders__g3' ORDER BY indexname`,
      );
      expect(indexes.map((i: { indexdef: string }) => i.indexdef.replace(/"/g, ''))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/UNIQUE INDEX .* USING btree \(order_id\)/),
          expect.stringMatching(
            /INDEX contract_orders__g3__ix0 ON specifics.contract_orders__g3 USING btree \(status\)/,
          ),
        ]),
      );
    });

    it('writes a batch with one bulk upsert and one bulk delete, never a statement per document', async () => {
      const view = { projection: 'bulk_check', generation: 1, shape: { ...CONTRACT_SHAPE, table: 'bulk' } };
      await target.prepare({ ...view, fingerprint: 'f', definition: null });
      const statements: string[] = [];
      const original = target.dataSource.driver.createQueryRunner.bind(target.dataSource.driver);
      const spy = jest.spyOn(target.dataSource.driver, 'createQueryRunner').mockImplementation((mode) => {
        const runner = original(mode);
        const query = runner.query.bind(runner);
        runner.query = ((sql: string, ...rest: unknown[]) => {
          statements.push(sql);
          return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
        }) as typeof runner.query;
        return runner;
      });
      try {
        const operations = Array.from({ length: 500 }, (_, i) => ({
          kind: 'put' as const,
          key: `k${i}`,
          document: { order_id: `k${i}`, status: 'placed', total: i, note: null },
          position: BigInt(i + 1),
        }));
        await target.commit(view, {
          operations: [
            ...operations,
            ...['k1', 'k2'].map((key) => ({ kind: 'delete' as const, key, position: 501n })),
          ],
          checkpoint: { from: 0n, to: 501n },
        });
      } finally {
        spy.mockRestore();
      }
      const writes = statements.filter((sql) => /^(INSERT|DELETE|UPDATE)/.test(sql));
      expect(writes).toHaveLength(3);
      expect(writes[0]).toMatch(/^UPDATE .*prism_checkpoints.* AND position = \$5/);
      expect(writes[1]).toMatch(
        /^DELETE FROM "specifics"."bulk__g1" WHERE "order_id" = ANY\(\$1::text\[\]\)/,
      );
      expect(writes[2]).toMatch(
        /^INSERT INTO "specifics"."bulk__g1" .* json_to_recordset\(\$1::json\) .* ON CONFLICT \("order_id"\) DO UPDATE SET/,
      );
      expect((await target.readGeneration(view)).length).toBe(498);
    });

    it('swaps to a generation whose stored shape lists the same columns in another order (as jsonb returns it)', async () => {
      // Issue #15: a node resuming a generation another node prepared holds its shape as stored, and
      // jsonb orders object keys shorter first; CREATE OR REPLACE VIEW over that order was refused for good.
      const first = {
        projection: 'order_check',
        generation: 1,
        shape: { ...CONTRACT_SHAPE, table: 'reordered' },
      };
      const document = { order_id: 'a', status: 'placed', total: 1, note: null };
      const put = { kind: 'put' as const, key: 'a', document, position: 1n };
      await target.prepare({ ...first, fingerprint: 'f', definition: null });
      await target.commit(first, { operations: [put], checkpoint: { from: 0n, to: 1n } });
      expect(await target.activate(first)).toMatchObject({ kind: 'activated' });
      const { order_id, status, total, note } = CONTRACT_SHAPE.columns;
      const second = {
        projection: 'order_check',
        generation: 2,
        shape: { ...first.shape, columns: { note, total, status, order_id } },
      };
      await target.prepare({ ...second, fingerprint: 'f', definition: null });
      await target.commit(second, { operations: [put], checkpoint: { from: 0n, to: 1n } });
      expect(await target.activate(second)).toMatchObject({ kind: 'activated' });
      expect(await target.dataSource.query(`SELECT * FROM specifics.reordered`)).toEqual([document]);
    });

    it('refuses to put its view over a table it does not manage', async () => {
      await target.dataSource.query(`CREATE TABLE specifics.taken (id text primary key)`);
      const shape = { ...CONTRACT_SHAPE, table: 'taken' };
      await target.prepare({
        projection: 'taken_check',
        generation: 1,
        shape,
        fingerprint: 'f',
        definition: null,
      });
      await expect(target.activate({ projection: 'taken_check', generation: 1, shape })).rejects.toThrow(
        /a table with that name exists and Prism does not manage it/,
      );
    });
  });
});
