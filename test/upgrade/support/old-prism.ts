/**
 * An older Prism to write data with: the source of a commit exported from this repository's history into
 * a temporary directory (`git archive`, which needs the commit in the clone: CI checks out the whole
 * history), with this checkout's node_modules linked in, and main-writer.ts run on it with tsx.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../stores/store-endpoints';

const WRITER = path.join(REPO_ROOT, 'test', 'upgrade', 'support', 'main-writer.ts');

/** Exports `commit` and returns its directory; `remove()` deletes it. */
export function exportCommit(commit: string): { readonly root: string; remove(): void } {
  try {
    execFileSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: REPO_ROOT, stdio: 'ignore' });
  } catch {
    throw new Error(
      `Commit ${commit} is not in this clone; the upgrade test writes data with it. Fetch the whole ` +
        'history (`git fetch --unshallow`, or `fetch-depth: 0` in CI).',
    );
  }
  const root = mkdtempSync(path.join(tmpdir(), `prism-${commit.slice(0, 7)}-`));
  const archive = execFileSync(
    'git',
    ['archive', '--format=tar', commit, 'src', 'test', 'bench', 'package.json'],
    {
      cwd: REPO_ROOT,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs main-writer.ts on the exported Prism at `root`; resolves when it printed DONE. */
export function runOldWriter(root: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
      cwd: root,
      env: {
        ...process.env,
        NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
        PRISM_UPGRADE_ROOT: root,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && stdout.includes('DONE')) resolve();
      else reject(new Error(`the older Prism's writer exited with ${code}:\n${stderr}`));
    });
  });
}
