/**
 * The README's "Your first projection" walkthrough, executed: every bash block in order, in a working copy
 * of the repository, with `npm start` (a real build and a real process), curl and the prism CLI, as a
 * reader would run it (see test/support/readme-walkthrough.ts for the markers and the port rewrite). If the
 * README and Prism drift apart, this fails and says which block.
 *
 * No store is needed (embedded SQLite): PRISM_TEST_STORES=none npx jest test/e2e/readme-walkthrough.e2e.spec.ts
 * (PRISM_WALKTHROUGH_VERBOSE=1 also prints each block's output). It builds Prism three times (one per
 * `npm start`), so it takes a few minutes on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  extractShellBlocks,
  WalkthroughSession,
  type BlockResult,
  type ShellBlock,
} from '../support/readme-walkthrough';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SECTION = 'Your first projection';
const blocks = extractShellBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'), SECTION);

/** The blocks whose code contains `fragment`, in README order. */
function blocksWith(fragment: string): ShellBlock[] {
  const found = blocks.filter((block) => block.code.includes(fragment));
  if (found.length === 0) throw new Error(`No block of "${SECTION}" contains ${JSON.stringify(fragment)}.`);
  return found;
}

/** The tools the README asks for besides Node: CI must have them; elsewhere the suite says which are missing. */
const missingTools = ['bash', 'curl', 'jq', 'patch'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
if (missingTools.length > 0 && process.env.CI !== 'true') {
  process.stderr.write(
    `[walkthrough] skipped: ${missingTools.join(', ')} not on PATH (the README needs them)\n`,
  );
}
const describeIfTools = missingTools.length > 0 && process.env.CI !== 'true' ? describe.skip : describe;

describeIfTools(`README "${SECTION}"`, () => {
  let session: WalkthroughSession | undefined;
  let results: BlockResult[] = [];

  /** stdout of the `occurrence`-th block containing `fragment`. */
  function outputOf(fragment: string, occurrence = 0): string {
    const block = blocksWith(fragment)[occurrence];
    const result = results.find((candidate) => candidate.block === block);
    if (block === undefined || result === undefined)
      throw new Error(`The block with ${fragment} did not run.`);
    return result.stdout;
  }

  /** The JSON documents a block printed, one per line (curl -w '\n'). */
  function jsonOf(fragment: string, occurrence = 0): unknown[] {
    return outputOf(fragment, occurrence)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as unknown);
  }

  beforeAll(async () => {
    session = await WalkthroughSession.create({
      repoRoot: REPO_ROOT,
      copy: [
        ...[
          'package.json',
          'tsconfig.json',
          'tsconfig.build.json',
          'nest-cli.json',
          'src',
          'examples',
          'projections',
        ],
        // An earlier build (CI builds before testing) with its .tsbuildinfo: `npm start` still builds,
        // but only what changed (three starts used to cost three full builds, minutes on a loaded machine).
        ...(existsSync(path.join(REPO_ROOT, 'dist', '.tsbuildinfo')) ? ['dist'] : []),
      ],
      logFiles: ['prism.log'],
      onBlock: (result) => {
        process.stderr.write(
          `[walkthrough] block ${result.block.index} (line ${result.block.line}, ${result.block.mode}` +
            `${result.ran ? '' : ', not run'}) ${result.seconds.toFixed(1)}s\n`,
        );
        // PRISM_WALKTHROUGH_VERBOSE=1 prints what each block printed: the real output to quote in the README.
        if (process.env.PRISM_WALKTHROUGH_VERBOSE === '1') process.stderr.write(result.stdout);
      },
    });
    const started = Date.now();
    results = await session.runAll(blocks);
    process.stderr.write(
      `[walkthrough] ${blocks.length} blocks in ${((Date.now() - started) / 1000).toFixed(0)}s\n`,
    );
  }, 40 * 60_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  it('has the shape the runner expects: npm ci skipped, three starts, each stopped', () => {
    expect(blocks.filter((block) => block.mode === 'skip').map((block) => block.code)).toEqual(['npm ci']);
    const lifecycle = blocks.filter((block) => block.mode === 'background' || block.mode === 'stop');
    expect(lifecycle.map((block) => block.mode)).toEqual([
      'background',
      'stop',
      'background',
      'stop',
      'background',
      'stop',
    ]);
    for (const block of lifecycle.filter((candidate) => candidate.mode === 'background')) {
      expect(block.code).toContain('npm start');
    }
  });

  it('ran every block, each exiting 0', () => {
    expect(results.map((result) => result.block.index)).toEqual(blocks.map((block) => block.index));
  });

  it('refuses a command without a key, and takes the writer key', () => {
    expect(outputOf("-w '%{http_code}\\n'").trim()).toBe('401');
    const answers = jsonOf('"orderId":"o1","customerId":"c1"');
    expect(answers).toContainEqual(expect.objectContaining({ id: 'o1', streamId: 'order-o1', revision: 1 }));
    expect(outputOf('"orderId":"o1","customerId":"c1"')).toMatch(/^last position: \d+$/m);
  });

  it('validates and tests the new definition offline', () => {
    expect(outputOf('prism -- validate projections/product-sales.yaml')).toContain(
      '✔ 1 definition file(s) valid',
    );
    expect(outputOf('prism -- test projections/product-sales.test.yaml')).toContain('✔ 1 passed, 0 failed');
  });

  it('backfills the new projection from the start of the log after a restart', () => {
    const output = outputOf('status product_sales', 0);
    expect(jsonOf('status product_sales', 0)).toEqual([
      { product_id: 'p2', title: 'Notebook', units_sold: 4, revenue: 1400 },
    ]);
    // generation 1, live, checkpoint = head, nothing behind
    expect(output).toMatch(/^product_sales\s+live\s+1\s+(\d+)\s+\1\s+0\s/m);
  });

  it('answers a key lookup and a filtered, sorted list', () => {
    expect(jsonOf('views/product_sales/p1\n')).toEqual([
      { product_id: 'p1', title: 'Lamp', units_sold: 3, revenue: 3897 },
      {
        items: [
          { product_id: 'p1', title: 'Lamp', revenue: 3897 },
          { product_id: 'p2', title: 'Notebook', revenue: 1400 },
        ],
        nextCursor: null,
      },
    ]);
  });

  it('reads its own write with ?after=<position>', () => {
    expect(jsonOf('"productId":"p1","qty":2')).toEqual([
      { product_id: 'p1', title: 'Lamp', units_sold: 5, revenue: 6495 },
    ]);
  });

  it('plans the changed definition as a rebuild that adds the category column', () => {
    expect(outputOf('patch -p1')).toContain('✔ 1 passed, 0 failed');
    const plan = outputOf('prism -- plan projections/product-sales.yaml');
    expect(plan).toContain('plan product_sales (projections/product-sales.yaml): REBUILD');
    expect(plan).toContain('+ column category text');
    expect(plan).toContain('category: null → "home"');
  });

  it('verifies the live view against an in-memory rebuild', () => {
    expect(outputOf('prism -- verify product_sales')).toContain('✔ no differences');
  });

  it('swaps in the rebuilt generation 2 with the new column after the next restart', () => {
    expect(outputOf('status product_sales', 1)).toMatch(/^product_sales\s+live\s+2\s+(\d+)\s+\1\s+0\s/m);
    expect(jsonOf('status product_sales', 1)).toEqual([
      {
        items: [{ product_id: 'p1', title: 'Lamp', category: 'home', units_sold: 5, revenue: 6495 }],
        nextCursor: null,
      },
    ]);
  });
});
