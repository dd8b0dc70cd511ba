/**
 * Streaming verify (issue #17) on real PostgreSQL (event store and relational view): the rebuilt documents
 * are spilled to a temporary file (a tiny in-memory cache here, so nearly all of them are), the live view
 * is compared page by page, and verify still finds a changed, a missing and an extra row with their field
 * differences; it reports its progress; an abort stops its work between pages and removes the file.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { describeWithStores, useTestDatabase } from '../../../test/support/stores';
import type { CompiledProjection } from '../../core/plan';
import { compileYamlDefinition, definitionModelOf, recompileDefinition } from '../../dsl';
import { createEventStore } from '../../eventstore/event-store.factory';
import type { EventStore } from '../../eventstore/event-store.port';
import { ProjectionRuntime } from '../../runtime/projection-runtime';
import { RelationalTarget } from '../../stores/relational/relational.target';
import { VerifyCancelledError } from './checks.errors';
import { verifyProjection, type VerifyDependencies, type VerifyProgress } from './verify-projection';

/** About 2,250 events: three pages of the fold (1,000 events each). */
const ORDERS = 1_000;

describeWithStores(['postgres'], 'streaming verify on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let store: EventStore;
  let target: RelationalTarget;
  let runtime: ProjectionRuntime;
  let plan: CompiledProjection;
  let pg: PgClient;
  let head = 0n;

  beforeAll(async () => {
    store = await createEventStore({ kind: 'postgres', url: database.url });
    target = await RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'prism' });
    plan = compileYamlDefinition(
      readFileSync(path.join(__dirname, '../../../projections/order-summary.yaml'), 'utf8'),
      'order-summary.yaml',
    );
    runtime = new ProjectionRuntime({
      store,
      targets: { postgres: target },
      recompile: (model) => recompileDefinition(model),
      definitionOf: definitionModelOf,
      runner: { batchSize: 500, maxBatchLatencyMs: 5, headPollMs: 20 },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await runtime.start([plan]);
    for (let i = 1; i <= ORDERS; i++) {
      const orderId = `o-${String(i).padStart(4, '0')}`;
      head = (
        await store.append(
          `order-${orderId}`,
          [
            { type: 'OrderPlaced', data: { orderId, customerId: `c-${i % 7}` } },
            { type: 'ItemAdded', data: { orderId, productId: 'p-1', qty: 1 + (i % 3), price: 150 } },
            ...(i % 4 === 0 ? [{ type: 'OrderShipped', data: { orderId } }] : []),
          ],
          'any',
        )
      ).position;
    }
    await runtime.waitForCheckpoint(plan.name, head, 60_000);
    pg = new PgClient({ connectionString: database.url });
    pg.on('error', () => undefined);
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    await pg?.end();
    await target?.close();
    await store?.close();
  });

  const deps = (): VerifyDependencies => ({
    store,
    target,
    catalogPlan: plan,
    recompile: (model) => recompileDefinition(model),
  });

  /** Temporary folders verify spills into (to see that each one is removed). */
  // A directory of this file's own: other verifications may run beside it and spill into the OS's.
  const spillDirectory = mkdtempSync(path.join(tmpdir(), 'prism-test-spill-'));
  afterAll(() => rmSync(spillDirectory, { recursive: true, force: true }));
  const spillFolders = () => readdirSync(spillDirectory);

  it('compares page by page against spilled documents and reports progress', async () => {
    const before = new Set(spillFolders());
    const progress: VerifyProgress[] = [];
    let spilling: string[] = [];
    const report = await verifyProjection(deps(), plan.name, {
      spillDirectory,
      pageSize: 50,
      rebuiltCacheSize: 16,
      foldPageSize: 1_000,
      onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'scanning') spilling = spillFolders().filter((name) => !before.has(name));
      },
    });
    expect(report.total).toBe(0);
    expect(report.liveEntries).toBe(ORDERS);
    expect(report.rebuiltEntries).toBe(ORDERS);
    expect(report.checkpoint).toBe(head.toString());
    // Folding progress moves towards the checkpoint; the scan reports every page of 50.
    const folding = progress.filter((p) => p.phase === 'folding');
    expect(folding.length).toBeGreaterThan(1);
    expect(folding[folding.length - 1]!.position).toBe(head);
    const scanning = progress.filter((p) => p.phase === 'scanning').map((p) => p.scanned);
    expect(scanning).toEqual(expect.arrayContaining([50, 100, ORDERS]));
    // The rebuilt rows were in their file while the scan compared them, and the file is gone after.
    expect(spilling).toHaveLength(1);
    expect(spillFolders().filter((name) => !before.has(name))).toEqual([]);
  });

  it('finds a changed, a missing and an extra row with the fields that differ', async () => {
    const table = 'prism."order_summary__g1"';
    await pg.query(`UPDATE ${table} SET status = 'lost', total = total + 1 WHERE order_id = 'o-0123'`);
    await pg.query(`DELETE FROM ${table} WHERE order_id = 'o-0301'`);
    await pg.query(
      `INSERT INTO ${table} (order_id, customer_id, status, item_count, total) VALUES ('o-9999', 'c-0', 'placed', 0, 0)`,
    );
    let missing: Record<string, unknown> | null = null;
    try {
      const report = await verifyProjection(deps(), plan.name, { pageSize: 50, rebuiltCacheSize: 16 });
      missing = report.differences.find((d) => d.kind === 'only-rebuilt')?.rebuilt ?? null;
      expect(report.counts).toEqual({ onlyLive: 1, onlyRebuilt: 1, different: 1 });
      expect(report.liveEntries).toBe(ORDERS);
      expect(report.rebuiltEntries).toBe(ORDERS);
      const different = report.differences.find((d) => d.kind === 'different');
      expect(different?.key).toBe('o-0123');
      expect(different?.fields).toEqual([
        { field: 'status', live: 'lost', rebuilt: 'placed' },
        { field: 'total', live: 151, rebuilt: 150 },
      ]);
      expect(report.differences.find((d) => d.kind === 'only-rebuilt')?.rebuilt).toMatchObject({
        order_id: 'o-0301',
        status: 'placed',
      });
      expect(report.differences.find((d) => d.kind === 'only-live')?.key).toBe('o-9999');
    } finally {
      await pg.query(`DELETE FROM ${table} WHERE order_id = 'o-9999'`);
      await pg.query(`UPDATE ${table} SET status = 'placed', total = total - 1 WHERE order_id = 'o-0123'`);
      if (missing !== null) {
        await pg.query(
          `INSERT INTO ${table} (order_id, customer_id, status, item_count, total) VALUES ($1, $2, $3, $4, $5)`,
          [missing.order_id, missing.customer_id, missing.status, missing.item_count, missing.total],
        );
      }
    }
  });

  it('stops its work when aborted, and removes its spilled file', async () => {
    const before = new Set(spillFolders());
    const cancel = new AbortController();
    const progress: VerifyProgress[] = [];
    const verification = verifyProjection(deps(), plan.name, {
      spillDirectory,
      pageSize: 50,
      rebuiltCacheSize: 16,
      foldPageSize: 1_000,
      signal: cancel.signal,
      onProgress: (p) => {
        progress.push(p);
        // The caller goes away after the first page of the fold.
        if (p.phase === 'folding') cancel.abort(new Error('the HTTP caller disconnected'));
      },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await verification;
    expect(error).toBeInstanceOf(VerifyCancelledError);
    expect((error as VerifyCancelledError).message).toContain('the HTTP caller disconnected');
    // No page was folded after the abort, and nothing was scanned.
    expect(progress.filter((p) => p.phase === 'folding')).toHaveLength(1);
    expect(progress.some((p) => p.phase !== 'folding')).toBe(false);
    expect((error as VerifyCancelledError).eventsFolded).toBe(progress[0]!.eventsFolded);
    expect((error as VerifyCancelledError).eventsFolded).toBeLessThan(Number(head));
    expect(
      spillFolders().filter((name) => !before.has(name) && existsSync(path.join(spillDirectory, name))),
    ).toEqual([]);
  });
});
