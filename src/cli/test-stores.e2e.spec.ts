/**
 * `prism test --stores` (issue #16) as a user runs it: the CLI process, the PRISM_* variables pointing at
 * the real Elasticsearch and Neo4j, the example test files' named queries run against views built there,
 * a wrong expectation failing with a diff, and nothing left behind in either store.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { describeWithStores } from '../../test/support/stores';

const ROOT = join(__dirname, '..', '..');
const PROJECTIONS = join(ROOT, 'projections');

function prism(args: string[], env: Record<string, string>): { status: number | null; stdout: string } {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

describeWithStores(['elasticsearch', 'neo4j'], 'prism test --stores', (urls) => {
  const env = () => ({ PRISM_ES_URL: urls.elasticsearch, PRISM_NEO4J_URL: urls.neo4j });
  let folder = '';

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'prism-test-stores-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  async function leftovers(): Promise<{ indices: string[]; nodes: number }> {
    const client = new Client({ node: urls.elasticsearch });
    const driver = neo4j.driver(urls.neo4j);
    try {
      const indices = Object.keys(
        await client.indices.get({ index: 'prism-test-*', expand_wildcards: 'all' }),
      );
      const result = await driver.executeQuery(
        "MATCH (n) WHERE any(label IN labels(n) WHERE label STARTS WITH 'Customer__social_graph_t' OR label STARTS WITH 'Customer__order_graph_t') RETURN count(n) AS n",
      );
      return { indices, nodes: Number(result.records[0]?.get('n')) };
    } finally {
      await client.close();
      await driver.close();
    }
  }

  it("runs the examples' named queries against Elasticsearch and Neo4j and cleans up", async () => {
    const run = prism(
      [
        'test',
        '--stores',
        'projections/order-search.test.yaml',
        'projections/product-search.test.yaml',
        'projections/social-graph.test.yaml',
        'projections/order-graph.test.yaml',
      ],
      env(),
    );
    expect(run.stdout).toContain("  ✓ named queries find a product's orders and a customer's open ones");
    expect(run.stdout).toContain('  ✓ follows and unfollows');
    expect(run.stdout).not.toContain('skipped');
    expect(run.stdout).toContain('  ✓ a listed product is indexed with its tags, then repriced');
    expect(run.stdout).toContain(
      '  ✓ a rename sets the name on every order of the customer, and orders placed later get it too',
    );
    expect(run.stdout).toMatch(/✔ \d+ passed, 0 failed \(4 test file\(s\)\)/);
    expect(run.status).toBe(0);
    expect(await leftovers()).toEqual({ indices: [], nodes: 0 });
  });

  it('fails a wrong expectation with a diff naming the query, its parameters and what differed', async () => {
    for (const file of ['order-search.yaml', 'social-graph.yaml'])
      copyFileSync(join(PROJECTIONS, file), join(folder, file));
    const search = readFileSync(join(PROJECTIONS, 'order-search.test.yaml'), 'utf8');
    writeFileSync(
      join(folder, 'order-search.test.yaml'),
      search.replace('ids: [o4, o3]', 'ids: [o3, o4]').replace('total: 2', 'total: 3'),
    );
    const graph = readFileSync(join(PROJECTIONS, 'social-graph.test.yaml'), 'utf8');
    writeFileSync(join(folder, 'social-graph.test.yaml'), graph.replace('name: Ada }]', 'name: Bob }]'));

    const run = prism(['test', '--stores', folder], env());
    expect(run.status).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        "  ✗ named queries find a product's orders and a customer's open ones",
        '      query ordersWithProduct(productId="p1") answered differently:',
        '      ids: expected ["o3","o4"], got ["o4","o3"]',
        '      total: expected 3, got 2',
        '  ✗ follows and unfollows',
        '      query followers(customerId="c2") answered differently:',
        '      row 0 name: expected "Bob", got "Ada"',
      ]),
    );
    expect(run.stdout).toContain('✖ 3 passed, 2 failed (2 test file(s))');
    expect(await leftovers()).toEqual({ indices: [], nodes: 0 });
  });

  it('says which store is missing when its variable is not set', () => {
    const run = prism(['test', '--stores', 'projections/social-graph.test.yaml'], {
      PRISM_ES_URL: urls.elasticsearch,
      PRISM_NEO4J_URL: '',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('the named queries need Neo4j: set PRISM_NEO4J_URL');
  });
});
