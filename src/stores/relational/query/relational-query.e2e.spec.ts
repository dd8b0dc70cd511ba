/**
 * The relational query API over HTTP against real stores: the same suite on PostgreSQL and on embedded
 * SQLite, through the relational target's own connection. Rows are written by the target (prepare,
 * commit, activate), exactly as the runtime writes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { describeWithStores, useTestDatabase } from '../../../../test/support/stores';
import type { JsonValue } from '../../../core/json';
import type { ViewDocument } from '../../../core/plan';
import type { RelationalTargetShape } from '../relational-view-shape';
import type { ElasticsearchTargetShape } from '../../elasticsearch/elasticsearch-view-shape';
import { RelationalTarget } from '../relational.target';
import type { ViewRef } from '../../target.port';
import { RelationalQueryModule } from './relational-query.module';

const SHAPE: RelationalTargetShape = {
  kind: 'postgres',
  table: 'query_things',
  key: 'id',
  columns: {
    id: { type: 'integer', nullable: false },
    status: { type: 'text', nullable: false },
    total: { type: 'bigint', nullable: false },
    score: { type: 'double', nullable: true },
    active: { type: 'boolean', nullable: false },
    placed_at: { type: 'timestamptz', nullable: false },
    price: { type: 'numeric', nullable: false },
    ref: { type: 'uuid', nullable: true },
    meta: { type: 'jsonb', nullable: true },
  },
  indexes: [{ columns: ['status'], unique: false }],
};
/** A view keyed by text, where a key could carry a NUL. */
const LABELS: RelationalTargetShape = {
  kind: 'postgres',
  table: 'query_labels',
  key: 'name',
  columns: { name: { type: 'text', nullable: false }, n: { type: 'integer', nullable: false } },
  indexes: [],
};
const SEARCH_SHAPE: ElasticsearchTargetShape = { kind: 'elasticsearch', index: 'x', id: 'id', fields: {} };
const STATUSES = ['placed', 'shipped', 'cancelled'];
const ROWS = 120;

function row(i: number): ViewDocument {
  return {
    id: i,
    status: STATUSES[i % 3]!,
    total: (i % 7) * 10,
    score: i % 5 === 0 ? null : (i % 11) / 4,
    active: i % 2 === 0,
    placed_at: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    price: (i % 9) + 0.5,
    ref: i % 4 === 0 ? null : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    meta: i % 6 === 0 ? null : { i, tags: ['a'] },
  };
}
const itemsOf = (response: { body: unknown }): ViewDocument[] =>
  (response.body as { items: ViewDocument[] }).items;
const ALL = Array.from({ length: ROWS }, (_, i) => row(i + 1));

/** Expected order: the sort keys with NULLs last in both directions, then the key ascending. */
function sorted(rows: readonly ViewDocument[], keys: readonly [string, 'asc' | 'desc'][]): ViewDocument[] {
  const compare = (a: JsonValue | undefined, b: JsonValue | undefined): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return a < b ? -1 : 1;
  };
  return [...rows].sort((x, y) => {
    for (const [column, direction] of [...keys, ['id', 'asc'] as [string, 'asc']]) {
      const nullOrder = compare(x[column], y[column]);
      if (nullOrder === 0) continue;
      const eitherNull = x[column] === null || y[column] === null;
      return eitherNull || direction === 'asc' ? nullOrder : -nullOrder;
    }
    return 0;
  });
}

function relationalQuerySuite(name: string, connect: () => Promise<RelationalTarget>): void {
  describe(name, () => {
    let target: RelationalTarget;
    let app: INestApplication;
    const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

    /** Follows nextCursor to the end; returns every item and the number of pages. */
    async function allPages(
      query: Record<string, string>,
    ): Promise<{ items: ViewDocument[]; pages: number }> {
      const items: ViewDocument[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await http()
          .get('/views/things')
          .query({ ...query, ...(cursor !== null ? { cursor } : {}) })
          .expect(200);
        items.push(...(response.body.items as ViewDocument[]));
        cursor = response.body.nextCursor as string | null;
        pages += 1;
      } while (cursor !== null && pages < 100);
      return { items, pages };
    }

    beforeAll(async () => {
      target = await connect();
      const view: ViewRef = { projection: 'things', generation: 1, shape: SHAPE };
      await target.prepare({ ...view, fingerprint: 'f1', definition: null });
      await target.commit(view, {
        operations: ALL.map((document, i) => ({
          kind: 'put' as const,
          key: `${document.id as number}`,
          document,
          position: BigInt(i + 1),
        })),
        checkpoint: { from: 0n, to: BigInt(ROWS) },
      });
      await target.activate(view);
      const labels: ViewRef = { projection: 'labels', generation: 1, shape: LABELS };
      await target.prepare({ ...labels, fingerprint: 'f1', definition: null });
      await target.commit(labels, {
        operations: [{ kind: 'put', key: 'alpha', document: { name: 'alpha', n: 1 }, position: 1n }],
        checkpoint: { from: 0n, to: 1n },
      });
      await target.activate(labels);
      const moduleRef = await Test.createTestingModule({
        imports: [
          RelationalQueryModule.register({
            source: () => ({
              projections: [
                { name: 'things', target: SHAPE },
                { name: 'labels', target: LABELS },
                { name: 'unbuilt', target: { ...SHAPE, table: 'query_unbuilt' } },
                { name: 'product_search', target: SEARCH_SHAPE },
              ],
              target: () => target,
            }),
          }),
        ],
      }).compile();
      app = moduleRef.createNestApplication();
      await app.init();
    });
    afterAll(async () => {
      await app?.close();
      await target?.close();
    });

    it('lists the first page by key with every column as the view holds it', async () => {
      const response = await http().get('/views/things').expect(200);
      expect(response.body.items).toHaveLength(50);
      expect(itemsOf(response).slice(0, 6)).toEqual(ALL.slice(0, 6));
      expect(typeof response.body.nextCursor).toBe('string');
    });

    it('pages through more than two pages with ties, stable on the key, on a mixed-direction sort', async () => {
      const { items, pages } = await allPages({ sort: '-total,status', limit: '25' });
      expect(pages).toBe(5);
      expect(items.map((r) => r.id)).toEqual(
        sorted(ALL, [
          ['total', 'desc'],
          ['status', 'asc'],
        ]).map((r) => r.id),
      );
    });

    it('pages over a nullable column with NULLs last, in both directions', async () => {
      for (const direction of ['asc', 'desc'] as const) {
        const { items, pages } = await allPages({
          sort: `${direction === 'desc' ? '-' : ''}score`,
          limit: '7',
          fields: 'id',
        });
        expect(pages).toBeGreaterThan(2);
        expect(items.map((r) => r.id)).toEqual(sorted(ALL, [['score', direction]]).map((r) => r.id));
      }
    });

    it('filters by equality, ranges and any-of, combined', async () => {
      const response = await http()
        .get('/views/things')
        .query({ status: 'shipped', 'total[gte]': '20', 'total[lt]': '50', limit: '500' })
        .expect(200);
      const expected = ALL.filter(
        (r) => r.status === 'shipped' && Number(r.total) >= 20 && Number(r.total) < 50,
      );
      expect(itemsOf(response).map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(response.body.nextCursor).toBeNull();

      const anyOf = await http()
        .get('/views/things')
        .query({ 'status[in]': 'placed,cancelled', active: 'true', limit: '500', fields: 'id' })
        .expect(200);
      expect(itemsOf(anyOf).map((r) => r.id)).toEqual(
        ALL.filter((r) => r.status !== 'shipped' && r.active === true).map((r) => r.id),
      );
    });

    it('types filter values by the declared column: timestamps, decimals, doubles, uuids', async () => {
      const since = new Date(Date.UTC(2026, 0, 4)).toISOString();
      const byTime = await http()
        .get('/views/things')
        .query({
          'placed_at[gte]': '2026-01-04T00:00:00+00:00',
          'price[gt]': '5',
          limit: '500',
          fields: 'id',
        })
        .expect(200);
      expect(itemsOf(byTime).map((r) => r.id)).toEqual(
        ALL.filter((r) => (r.placed_at as string) >= since && Number(r.price) > 5).map((r) => r.id),
      );
      const byScore = await http()
        .get('/views/things')
        .query({ 'score[lte]': '0.5', fields: 'id' })
        .expect(200);
      expect(itemsOf(byScore).map((r) => r.id)).toEqual(
        ALL.filter((r) => r.score !== null && Number(r.score) <= 0.5).map((r) => r.id),
      );
      const byRef = await http()
        .get('/views/things')
        .query({ ref: row(7).ref as string })
        .expect(200);
      expect(byRef.body.items).toEqual([row(7)]);
    });

    it('returns only the selected fields, and pages correctly when the sort column is not selected', async () => {
      const first = await http().get('/views/things').query({ fields: 'id,total', limit: '2' }).expect(200);
      expect(first.body.items).toEqual([
        { id: 1, total: 10 },
        { id: 2, total: 20 },
      ]);
      const { items } = await allPages({ fields: 'status', sort: 'total', limit: '40' });
      expect(items).toHaveLength(ROWS);
      expect(Object.keys(items[0]!)).toEqual(['status']);
      expect(items.map((r) => r.status)).toEqual(sorted(ALL, [['total', 'asc']]).map((r) => r.status));
    });

    it('looks a row up by its key, 404 for an unknown key, 400 for a key of the wrong type', async () => {
      const found = await http().get('/views/things/42').expect(200);
      expect(found.body).toEqual(row(42));
      const some = await http().get('/views/things/42').query({ fields: 'meta,status' }).expect(200);
      expect(some.body).toEqual({ meta: row(42).meta, status: row(42).status });
      const missing = await http().get('/views/things/4242').expect(404);
      expect(missing.body.error).toBe('row_not_found');
      const bad = await http().get('/views/things/abc').expect(400);
      expect(bad.body.field).toBe('id');
      const extra = await http().get('/views/things/42').query({ status: 'placed' }).expect(400);
      expect(extra.body.field).toBe('status');
    });

    it.each([
      [{ nope: '1' }, 'nope', 'no column "nope"'],
      [{ total: 'abc' }, 'total', 'expected an integer'],
      [{ 'total[gte]': '1.5' }, 'total', 'expected an integer'],
      [{ 'total[foo]': '1' }, 'total', 'unknown operator "foo"'],
      [{ 'active[gt]': 'true' }, 'active', 'ranges do not apply'],
      [{ active: 'yes' }, 'active', 'true or false'],
      [{ placed_at: 'yesterday' }, 'placed_at', 'ISO-8601'],
      [{ ref: 'not-a-uuid' }, 'ref', 'UUID'],
      [{ meta: '{}' }, 'meta', 'jsonb'],
      [{ 'total[in]': '10,x' }, 'total', 'got "x"'],
      [{ sort: '-nope' }, 'nope', 'no column "nope"'],
      [{ sort: 'meta' }, 'meta', 'cannot be sorted'],
      [{ limit: '501' }, 'limit', '1 to 500'],
      [{ limit: '0' }, 'limit', '1 to 500'],
      [{ cursor: 'bm9wZQ' }, 'cursor', 'not a cursor'],
      [
        { cursor: Buffer.from('[1]').toString('base64url'), sort: 'total' },
        'cursor',
        'not a cursor of this sort',
      ],
      [{ cursor: Buffer.from('["x"]').toString('base64url') }, 'cursor', 'does not fit'],
      [{ fields: 'id,nope' }, 'nope', 'no column "nope"'],
      [{ after: 'abc' }, 'after', 'log position'],
    ])('answers 400 naming the field for %j', async (query, field, reason) => {
      const response = await http().get('/views/things').query(query).expect(400);
      expect(response.body.field).toBe(field);
      expect(response.body.message).toContain(reason);
    });

    it('answers 400 for a repeated parameter, naming it', async () => {
      const response = await http().get('/views/things?status=placed&status=shipped').expect(400);
      expect(response.body.field).toBe('status');
      expect(response.body.message).toContain('status[in]');
    });

    it('answers 404 for an unknown view and says which API serves a non-relational one', async () => {
      const unknown = await http().get('/views/nothing_here').expect(404);
      expect(unknown.body.error).toBe('unknown_view');
      const search = await http().get('/views/product_search').expect(404);
      expect(search.body.message).toContain('GET /views/product_search/search');
      const unbuilt = await http().get('/views/unbuilt').expect(503);
      expect(unbuilt.body.error).toBe('view_not_ready');
    });

    describe('NUL characters, lone surrogates and deep cursors are 400s naming the parameter (issue #12)', () => {
      const cursorOf = (json: string): string => Buffer.from(json).toString('base64url');
      const deepCursor = cursorOf(`${'['.repeat(5_000)}1${']'.repeat(5_000)}`);

      it.each([
        ['a NUL in an equality filter', 'status=a%00b', 'status', 'NUL'],
        ['a NUL in a range filter', 'status[gte]=%00', 'status', 'NUL'],
        ['a NUL among any-of values', 'status[in]=placed,%00', 'status', 'NUL'],
        ['a NUL in a cursor', 'cursor=%00', 'cursor', 'not a cursor'],
        [
          'a NUL inside a cursor value',
          `sort=status&cursor=${cursorOf('["a\\u0000b", 1]')}`,
          'cursor',
          'NUL',
        ],
        [
          'a lone surrogate inside a cursor value',
          `sort=status&cursor=${cursorOf('["\\ud800", 1]')}`,
          'cursor',
          'lone surrogate',
        ],
        ['a cursor nested 5,000 deep', `cursor=${deepCursor}`, 'cursor', 'does not fit'],
        [
          'a cursor nested 5,000 deep on a text sort',
          `sort=status&cursor=${deepCursor}`,
          'cursor',
          'not a cursor of this sort',
        ],
      ])('%s', async (_, query, field, reason) => {
        const response = await http().get(`/views/things?${query}`).expect(400);
        expect(response.body).toMatchObject({
          field,
          parameter: field === 'cursor' ? 'cursor' : expect.any(String),
        });
        expect(response.body.message).toContain(reason);
      });

      it('a NUL in a key of a text-keyed view', async () => {
        const response = await http().get('/views/labels/a%00b').expect(400);
        expect(response.body).toMatchObject({ field: 'name', parameter: 'key' });
        expect(response.body.message).toContain('NUL');
        expect((await http().get('/views/labels/alpha').expect(200)).body).toEqual({ name: 'alpha', n: 1 });
      });
    });

    it('binds values, never splices them: a quote in a value is just a value', async () => {
      const response = await http().get('/views/things').query({ status: "shipped' OR '1'='1" }).expect(200);
      expect(response.body.items).toEqual([]);
    });
  });
}

describeWithStores(['postgres'], 'relational query API on PostgreSQL', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  relationalQuerySuite('PostgreSQL (schema views)', () =>
    RelationalTarget.connect({ kind: 'postgres', url: database.url, schema: 'views', poolSize: 2 }),
  );
});

describe('relational query API on embedded SQLite', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-query-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  relationalQuerySuite('SQLite', () =>
    RelationalTarget.connect({ kind: 'sqlite', file: path.join(directory, 'views.sqlite') }),
  );
});
