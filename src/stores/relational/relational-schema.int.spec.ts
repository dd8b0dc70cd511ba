/**
 * Bookkeeping migration 2 of the relational store (issue #15: the checkpoint fence) on both databases:
 * a database at version 1 (checkpoints without the `fence` column) gets the column with fence 0 for the
 * checkpoints it holds, keeps them, and fences from then on; a step applied but not recorded (a crash
 * between the two) is applied again without harm. Version 1 data written by an older Prism on PostgreSQL
 * is covered end to end by test/upgrade/bookkeeping-upgrade.int.spec.ts; SQLite is covered here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTRACT_SHAPE } from '../../../test/contract/target.contract';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import type { ViewRef } from '../target.port';
import { CHECKPOINTS_TABLE } from './bookkeeping.tables';
import { SCHEMA_VERSION_TABLE } from './relational-schema';
import { RelationalTarget } from './relational.target';

const view: ViewRef = { projection: 'fenced_orders', generation: 1, shape: CONTRACT_SHAPE };

function migrationCases(open: () => Promise<RelationalTarget>): void {
  const version = async (target: RelationalTarget) => {
    const sql = `SELECT version FROM ${target.dialect.qualify(SCHEMA_VERSION_TABLE)}`;
    const rows = await target.dataSource.query<{ version: number }[]>(sql);
    return Number(rows[0]?.version);
  };
  const recordVersion1 = (target: RelationalTarget) =>
    target.dataSource.query(`UPDATE ${target.dialect.qualify(SCHEMA_VERSION_TABLE)} SET version = 1`);

  it('adds the fence to a version 1 database, keeping its checkpoints, and fences from then on', async () => {
    const before = await open();
    try {
      await before.prepare({ ...view, fingerprint: 'fp', definition: null });
      await before.commit(view, { operations: [], checkpoint: { from: 0n, to: 5n } });
      // Back to the layout of version 1: no fence column, version 1 recorded.
      await before.dataSource.query(
        `ALTER TABLE ${before.dialect.qualify(CHECKPOINTS_TABLE)} DROP COLUMN fence`,
      );
      await recordVersion1(before);
    } finally {
      await before.close();
    }

    const after = await open();
    try {
      expect(await version(after)).toBe(2);
      expect(await after.readCheckpoint(view)).toBe(5n);
      // Fence 0 for the existing checkpoint: any lease holder's fencing commit goes in, a lower one not.
      expect(
        await after.commit(view, { operations: [], checkpoint: { from: 5n, to: 5n }, fence: 1n }),
      ).toEqual({ kind: 'committed', checkpoint: 5n });
      expect(
        await after.commit(view, { operations: [], checkpoint: { from: 5n, to: 6n }, fence: 0n }),
      ).toEqual({ kind: 'fenced', fence: 1n });
    } finally {
      await after.close();
    }
  });

  it('applies migration 2 again when a crash left it applied but not recorded', async () => {
    const crashed = await open();
    try {
      await recordVersion1(crashed);
    } finally {
      await crashed.close();
    }
    const again = await open();
    try {
      expect(await version(again)).toBe(2);
      expect(
        await again.commit(view, { operations: [], checkpoint: { from: 5n, to: 6n }, fence: 0n }),
      ).toEqual({ kind: 'fenced', fence: 1n });
    } finally {
      await again.close();
    }
  });
}

describe('relational bookkeeping migration 2 on embedded SQLite', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-sqlite-schema-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  migrationCases(() =>
    RelationalTarget.connect({ kind: 'sqlite', file: path.join(directory, 'views.sqlite') }),
  );
});

describeWithStores(['postgres'], 'relational bookkeeping migration 2 on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  migrationCases(() =>
    RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'fenced', poolSize: 2 }),
  );
});
