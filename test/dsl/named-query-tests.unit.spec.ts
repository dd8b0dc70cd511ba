/**
 * Named queries in `*.test.yaml` (issue #16), the parts that need no store: a query the projection does
 * not declare is an error with file:line:column, `prism test` reports the checks as skipped, and an
 * answer is compared with the expectation part by part (the store runs are in src/cli/test-stores.e2e.spec.ts).
 */
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '../../src/cli/commands/test.command';
import { collectProjectionTests } from '../../src/dsl/testing/projection-test.runner';
import { compareAnswer } from '../../src/dsl/testing/store-query-test.runner';

const ROOT = join(__dirname, '..', '..');

function bufferIo(cwd: string) {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    cwd,
    out: (line: string) => lines.push(line),
    err: (line: string) => errors.push(line),
  };
}

describe('named queries in projection tests', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'prism-named-query-tests-'));
    copyFileSync(join(ROOT, 'projections', 'social-graph.yaml'), join(folder, 'social-graph.yaml'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses a query the projection does not declare, with its position and a did-you-mean', () => {
    writeFileSync(
      join(folder, 'social-graph.test.yaml'),
      `projection: social_graph
cases:
  - name: a misspelt query
    given: []
    expect: { nodes: [], relationships: [] }
    queries:
      - query: folowers
        parameters: { customerId: c1 }
        expect: { rows: [] }
`,
    );
    const [file] = collectProjectionTests([folder], folder);
    expect(file?.cases).toEqual([]);
    expect(file?.problems).toEqual([
      expect.objectContaining({
        line: 7,
        column: 16,
        path: 'cases[0].queries[0].query',
        message:
          'projection social_graph has no named query "folowers" (it declares followers, friendsOfFriends)',
        suggestion: 'did you mean "followers"?',
      }),
    ]);
  });

  it('runs the case in memory and reports its named query checks as skipped', () => {
    const io = bufferIo(ROOT);
    expect(runTests(['projections/social-graph.test.yaml'], io)).toBe(0);
    expect(io.lines).toEqual([
      'projections/social-graph.test.yaml (social_graph)',
      '  ✓ follows and unfollows',
      '      - 2 named query check(s) skipped: they need the stores (prism test --stores)',
      '  ✓ following oneself is ignored',
      '- 2 named query check(s) skipped: run prism test --stores to check them against the stores',
      '✔ 2 passed, 0 failed (1 test file(s))',
    ]);
  });

  it('compares only the parts of an answer the test states, in order', () => {
    const answer = {
      ids: ['o2', 'o1'],
      total: 2,
      facets: { status: [{ value: 'placed', count: 2 }] },
    };
    expect(compareAnswer({ ids: ['o2', 'o1'] }, answer)).toEqual([]);
    expect(
      compareAnswer(
        { ids: ['o1', 'o2'], total: 3, facets: { status: [{ value: 'placed', count: 1 }], tier: [] } },
        answer,
      ),
    ).toEqual([
      'ids: expected ["o1","o2"], got ["o2","o1"]',
      'total: expected 3, got 2',
      'facet status: expected [{"count":1,"value":"placed"}], got [{"count":2,"value":"placed"}]',
      'facet tier: expected, but the answer has status',
    ]);
    expect(compareAnswer({ rows: [] }, answer)).toEqual([
      'rows: expected, but this query answers ids and total and facets',
    ]);
    expect(
      compareAnswer(
        { rows: [{ id: 'c1', name: 'Ada' }, { id: 'c3' }] },
        { rows: [{ id: 'c1', name: 'Bob', city: 'Paris' }] },
      ),
    ).toEqual([
      'row 0 city: not expected, got "Paris"',
      'row 0 name: expected "Ada", got "Bob"',
      'row 1: missing, expected {"id":"c3"}',
    ]);
  });
});
