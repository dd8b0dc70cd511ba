/** The Target contract on the relational store: PostgreSQL (default and own schema) and embedded SQLite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { targetContract } from '../../../test/contract/target.contract';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import type { Target } from '../target.port';
import type { TargetShape } from '../../core/view-shape';
import { relationalStore } from './relational.store';
import { RelationalTarget } from './relational.target';

const readActive = (target: Target, shape: TargetShape) => (target as RelationalTarget).readActive(shape);

describeWithStores(['postgres'], 'relational target contract on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);

  targetContract({
    name: 'relational (PostgreSQL)',
    store: relationalStore,
    create: () => RelationalTarget.connect({ kind: 'postgres', url: database.url, poolSize: 2 }),
    readActive,
  });

  targetContract({
    name: 'relational (PostgreSQL, own schema)',
    store: relationalStore,
    create: () =>
      RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'views', poolSize: 2 }),
    readActive,
  });
});

describe('relational target contract on embedded SQLite', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-sqlite-target-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  targetContract({
    name: 'relational (SQLite)',
    store: relationalStore,
    create: () => RelationalTarget.connect({ kind: 'sqlite', file: path.join(directory, 'views.sqlite') }),
    readActive,
  });
});
