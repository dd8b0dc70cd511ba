/**
 * `npm start` and the production image start Node with the heap flags measured on the whole start (issue #17;
 * README "Memory"), and an operator's NODE_OPTIONS still decides: in NODE_OPTIONS the last of a repeated V8
 * flag wins, so `npm start` puts its defaults first and the caller's NODE_OPTIONS after them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const HEAP_FLAGS = '--max-old-space-size=384 --max-semi-space-size=64';
const startScript = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts.start!;

/** The old-generation limit (MB) Node gets when `npm start`'s command runs with this NODE_OPTIONS. */
function oldSpaceLimitUnderStart(nodeOptions: string | undefined): number {
  expect(startScript).toMatch(/ node dist\/main\.js$/);
  const probe = startScript.replace(
    / node dist\/main\.js$/,
    ` node -e "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
  return Number(execFileSync('sh', ['-c', probe], { env, encoding: 'utf8' })) / 2 ** 20;
}

describe('heap flags at start-up', () => {
  it('npm start gives Node the recommended heap limit', () => {
    const withoutFlags =
      Number(
        execFileSync(
          process.execPath,
          ['-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"],
          {
            env: { ...process.env, NODE_OPTIONS: '' },
            encoding: 'utf8',
          },
        ),
      ) /
      2 ** 20;
    const limit = oldSpaceLimitUnderStart(undefined);
    // 384 MB of old generation plus the young generation (three 64 MB semi-spaces' worth).
    expect(limit).toBe(384 + 3 * 64);
    expect(limit).toBeLessThan(withoutFlags);
  });

  it("npm start lets the caller's NODE_OPTIONS override them and keeps its other options", () => {
    expect(oldSpaceLimitUnderStart('--max-old-space-size=512')).toBe(512 + 3 * 64);
    expect(oldSpaceLimitUnderStart('--max-semi-space-size=16')).toBe(384 + 3 * 16);
  });

  it('the production image sets them as an overridable NODE_OPTIONS, not as fixed node arguments', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.split(/^FROM /m).at(-1)!;
    expect(finalStage).toContain(`ENV NODE_OPTIONS="${HEAP_FLAGS}"`);
    expect(finalStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});
