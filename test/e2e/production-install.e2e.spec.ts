/**
 * The production install, as the image makes it (issue #18; no Docker engine runs here): the compiled
 * `dist/`, the production dependencies only (`npm ci --omit=dev`), the example projections, in a folder of
 * its own, started with NODE_ENV=production as the image's CMD does. It must serve commands and project
 * them, with nothing from the repository's dev tooling in reach.
 *
 * The native module of better-sqlite3 is taken from the repository's own install instead of compiling it
 * again (same Node, same machine): the image's build stage compiles it the same way.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithStores, useTestDatabase } from '../support/stores';

const REPO = path.resolve(__dirname, '..', '..');
const NATIVE_SQLITE = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`Prism did not start:\n${output.slice(-3_000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Prism listening on (http:\/\/[^\s,)]+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${output.slice(-3_000)}`));
    });
  });
}

describeWithStores(['postgres'], 'the production install', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const folder = mkdtempSync(path.join(tmpdir(), 'prism-production-'));
  let prism: ChildProcess | undefined;

  beforeAll(() => {
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(path.join(REPO, file), path.join(folder, file));
    execFileSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      {
        cwd: folder,
        stdio: 'pipe',
      },
    );
    mkdirSync(path.dirname(path.join(folder, NATIVE_SQLITE)), { recursive: true });
    copyFileSync(path.join(REPO, NATIVE_SQLITE), path.join(folder, NATIVE_SQLITE));
    execFileSync(
      path.join(REPO, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json', '--outDir', path.join(folder, 'dist')],
      {
        cwd: REPO,
        stdio: 'pipe',
      },
    );
    // The example marketplace the server serves, bundled as `npm run build:examples` does (src/main.ts).
    execFileSync(
      path.join(REPO, 'node_modules', '.bin', 'esbuild'),
      [
        'examples/marketplace/index.ts',
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--packages=external',
        '--external:@prism/platform',
        `--outdir=${path.join(folder, 'dist-examples', 'marketplace')}`,
        '--log-level=warning',
      ],
      { cwd: REPO, stdio: 'pipe' },
    );
    cpSync(path.join(REPO, 'projections'), path.join(folder, 'projections'), { recursive: true });
  }, 300_000);

  afterAll(async () => {
    if (prism && prism.exitCode === null) {
      const exited = new Promise((resolve) => prism!.once('exit', resolve));
      prism.kill('SIGKILL');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('has no dev dependency installed', () => {
    for (const tool of ['typescript', 'jest', 'eslint', 'tsx', '@nestjs/testing'])
      expect(existsSync(path.join(folder, 'node_modules', tool))).toBe(false);
  });

  it('serves commands and projects them with NODE_ENV=production', async () => {
    prism = spawn('node', ['dist/main.js'], {
      cwd: folder,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: '0',
        PRISM_PG_URL: database.url,
        PRISM_LOG_FORMAT: 'json',
        PRISM_DATA_DIR: path.join(folder, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await waitForListening(prism, 120_000);
    const post = (route: string, body: unknown) =>
      fetch(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await post('/customers', {
          customerId: 'c-prod',
          name: 'Ada',
          email: 'ada@example.com',
          city: 'Oslo',
        })
      ).status,
    ).toBe(201);
    const placed = await post('/orders', { orderId: 'o-prod', customerId: 'c-prod' });
    expect(placed.status).toBe(201);
    const { position } = (await placed.json()) as { position: string };
    const row = await fetch(`${url}/views/order_summary/o-prod?after=${position}`);
    expect(row.status).toBe(200);
    expect(await row.json()).toMatchObject({ order_id: 'o-prod', status: 'placed' });
  });
});
