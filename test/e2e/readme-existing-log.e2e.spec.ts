/**
 * The README's "Project an existing log" section, executed: every bash block in order, with `npm start`
 * (a real build and a real Prism process), psql and curl, as a reader would run them (the runner and its
 * markers: test/support/readme-walkthrough.ts). The README's database URL is rewritten to a fresh test
 * database, so the outbox it creates never meets another run's.
 *
 *   npx jest test/e2e/readme-existing-log.e2e.spec.ts   (needs PostgreSQL, psql, curl and jq)
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
import { describeWithStores, useTestDatabase } from '../support/stores';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SECTION = 'Project an existing log';
const README_DATABASE = 'postgres://postgres@127.0.0.1:5432/shop';
const blocks = extractShellBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'), SECTION);

const missingTools = ['bash', 'curl', 'jq', 'psql'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
if (missingTools.length > 0 && process.env.CI !== 'true') {
  process.stderr.write(
    `[existing-log] skipped: ${missingTools.join(', ')} not on PATH (the README needs them)\n`,
  );
}
const describeIfTools = missingTools.length > 0 && process.env.CI !== 'true' ? describe.skip : describe;

describeIfTools(`README "${SECTION}"`, () => {
  describeWithStores(['postgres'], 'on PostgreSQL', (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    let session: WalkthroughSession | undefined;
    let results: BlockResult[] = [];

    function blockWith(fragment: string): ShellBlock {
      const block = blocks.find((candidate) => candidate.code.includes(fragment));
      if (block === undefined)
        throw new Error(`No block of "${SECTION}" contains ${JSON.stringify(fragment)}.`);
      return block;
    }

    function outputOf(fragment: string): string {
      const block = blockWith(fragment);
      const result = results.find((candidate) => candidate.block === block);
      if (result === undefined) throw new Error(`The block with ${fragment} did not run.`);
      return result.stdout;
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
          // An earlier build with its .tsbuildinfo: `npm start` then rebuilds only what changed.
          ...(existsSync(path.join(REPO_ROOT, 'dist', '.tsbuildinfo')) ? ['dist'] : []),
        ],
        logFiles: ['prism.log'],
        rewrites: [[README_DATABASE, database.url]],
        onBlock: (result) => {
          process.stderr.write(
            `[existing-log] block ${result.block.index} (line ${result.block.line}, ${result.block.mode}` +
              `${result.ran ? '' : ', not run'}) ${result.seconds.toFixed(1)}s\n`,
          );
          if (process.env.PRISM_WALKTHROUGH_VERBOSE === '1') process.stderr.write(result.stdout);
        },
      });
      results = await session.runAll(blocks);
    }, 20 * 60_000);

    afterAll(async () => {
      await session?.close();
    }, 60_000);

    it('has the shape the runner expects: createdb skipped, one start, stopped', () => {
      expect(blocks.filter((block) => block.mode === 'skip').map((block) => block.code)).toEqual([
        'createdb -h 127.0.0.1 -U postgres shop',
      ]);
      expect(
        blocks.filter((block) => block.mode !== 'run' && block.mode !== 'skip').map((b) => b.mode),
      ).toEqual(['background', 'stop']);
      expect(blocks.every((block) => block.mode === 'skip' || !block.code.includes('createdb'))).toBe(true);
    });

    it('ran every block, each exiting 0', () => {
      expect(results.map((result) => result.block.index)).toEqual(blocks.map((block) => block.index));
    });

    it('validates the projection offline, warning about the event type only another service emits', () => {
      const block = blockWith('npm run prism -- validate');
      const result = results.find((candidate) => candidate.block === block)!;
      expect(result.stdout).toContain('✔ 1 definition file(s) valid, 1 warning(s)');
      expect(`${result.stdout}${result.stderr}`).toContain('unknown-event-type source.events[1]');
    });

    it('projects the rows that were in the table before Prism started', () => {
      expect(JSON.parse(outputOf('cart_totals/cart-1?after=4'))).toEqual({
        cart_id: 'cart-1',
        status: 'checked out',
        items: 3,
        total: 2948,
        updated_at: '2026-03-01T10:03:00.000Z',
      });
    });

    it('projects a row inserted while Prism runs', () => {
      expect(JSON.parse(outputOf('cart_totals/cart-2?after=$POS'))).toEqual({
        cart_id: 'cart-2',
        status: 'open',
        items: 4,
        total: 2349,
        updated_at: '2026-03-01T10:05:00.000Z',
      });
    });

    it('mounts neither the command routes nor the append route over a read-only log', () => {
      expect(outputOf('-XPOST localhost:3000/orders').trim().split('\n')).toEqual(['404', '404']);
    });

    it('shows in the README the answers the blocks really give', () => {
      const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      for (const fragment of ['cart_totals/cart-1?after=4', 'cart_totals/cart-2?after=$POS']) {
        expect(readme).toContain(outputOf(fragment).trim());
      }
    });
  });
});
