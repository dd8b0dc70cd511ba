/**
 * The consumer test's steps, as a team would take them: build the package and `npm pack` it, create a
 * fresh NestJS app in a temporary folder outside the repository (test/consumer/app/ is its template),
 * `npm install` the tarball there, compile the app with its own TypeScript (`skipLibCheck: false`, so
 * the package's type declarations are checked too) and run the app's own tests.
 *
 * The package is built into a staging folder, not the checkout's dist/: other tests (the console's, the
 * README walkthrough's) read that dist/ while this one runs. The staging folder holds what `npm pack`
 * reads in the repository (package.json, README, the `files` entries), so `npm pack` applies the real
 * package.json's `files` and `exports` to the real build.
 *
 * By hand (prints each step's time; `--keep` leaves the folders for a look):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/some_db npx tsx test/consumer/consumer-app.ts [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
const TEMPLATE = path.join(__dirname, 'app');

/**
 * The app's own dependencies: the package's peers (one copy of Nest and of zod in the app, shared with the
 * package) and its own build tools, at the versions the repository is tested with.
 */
const APP_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/cqrs',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
  'zod',
];
const APP_DEV_DEPENDENCIES = ['typescript', '@types/node'];

/** The app's tests, run with node:test after `tsc`. */
const APP_TESTS = ['dist/test/projection.test.js', 'dist/test/cart.test.js'];

export interface PackedPackage {
  readonly tarball: string;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  readonly files: readonly string[];
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly files: readonly string[];
  readonly scripts: Readonly<Record<string, string>>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function run(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env: env ?? process.env,
      encoding: 'utf8',
      stdio: 'pipe',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`.slice(
        -6_000,
      ),
      { cause: error },
    );
  }
}

const bin = (tool: string) => path.join(REPO, 'node_modules', '.bin', tool);

/**
 * `npm run build` into `staging/dist` (the same two steps: tsc with tsconfig.build.json, then the console
 * bundle), then `npm pack` of the staging folder into `destination`.
 */
export function buildAndPack(staging: string, destination: string): PackedPackage {
  const manifest = readJson<PackageJson>(path.join(REPO, 'package.json'));
  const dist = path.join(staging, 'dist');
  // Its own build info: the checkout's (dist/.tsbuildinfo) would otherwise record outputs that are not there.
  run(
    bin('tsc'),
    ['-p', 'tsconfig.build.json', '--outDir', dist, '--tsBuildInfoFile', path.join(staging, '.tsbuildinfo')],
    REPO,
  );
  const consoleBundle = manifest.scripts['build:console'];
  if (consoleBundle === undefined || !consoleBundle.includes('--outdir=dist/'))
    throw new Error('package.json build:console no longer writes into dist/: update test/consumer');
  const consoleArgs = consoleBundle
    .replace(/^esbuild\s+/, '')
    .split(/\s+/)
    .map((arg) => arg.replace('--outdir=dist/', `--outdir=${dist}/`));
  run(bin('esbuild'), consoleArgs, REPO);

  const copied = ['package.json', 'README.md', 'LICENSE', ...manifest.files].filter(
    (entry) => !entry.startsWith('!') && entry !== 'dist' && existsSync(path.join(REPO, entry)),
  );
  for (const entry of copied) {
    mkdirSync(path.dirname(path.join(staging, entry)), { recursive: true });
    cpSync(path.join(REPO, entry), path.join(staging, entry), { recursive: true });
  }
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', destination], staging)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error('npm pack listed no package');
  return {
    tarball: path.join(destination, packed.filename),
    files: packed.files.map((file) => file.path),
  };
}

function installedVersion(name: string): string {
  return readJson<PackageJson>(path.join(REPO, 'node_modules', name, 'package.json')).version;
}

/**
 * Writes the app (its own package.json, tsconfig.json, sources, projections and tests) into `folder` and
 * installs its dependencies and the tarball there.
 *
 * Install scripts are skipped: the only one in the tree is better-sqlite3's native build (minutes on a
 * small machine), which the app never loads (its log and views are in PostgreSQL).
 */
export function createApp(folder: string, tarball: string): void {
  cpSync(TEMPLATE, folder, { recursive: true });
  cpSync(path.join(folder, 'tsconfig.consumer.json'), path.join(folder, 'tsconfig.json'));
  rmSync(path.join(folder, 'tsconfig.consumer.json'));
  const pinned = (names: readonly string[]) =>
    Object.fromEntries(names.map((name) => [name, installedVersion(name)]));
  const manifest = {
    name: 'prism-consumer-app',
    version: '1.0.0',
    private: true,
    scripts: { build: 'tsc -p tsconfig.json', test: `node --test ${APP_TESTS.join(' ')}` },
    dependencies: pinned(APP_DEPENDENCIES),
    devDependencies: pinned(APP_DEV_DEPENDENCIES),
  };
  writeFileSync(path.join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], folder);
}

/** `npm run build` in the app: its own tsc, strict, with the package's declarations checked. */
export function compileApp(folder: string): void {
  run('npm', ['run', 'build'], folder);
}

/**
 * Where each of `names` is installed in the app, every copy (a second @nestjs/core would split Nest's
 * dependency injection in two).
 */
export function installedCopies(folder: string, names: readonly string[]): Record<string, string[]> {
  const listed = spawnSync('npm', ['ls', '--all', '--parseable'], { cwd: folder, encoding: 'utf8' });
  const paths = [...new Set(listed.stdout.split('\n').filter((line) => line.trim() !== ''))];
  return Object.fromEntries(
    names.map((name) => [
      name,
      paths.filter((line) => line.endsWith(`${path.sep}node_modules${path.sep}${name}`)),
    ]),
  );
}

export interface AppTestRun {
  readonly passed: boolean;
  readonly output: string;
}

/** `npm test` in the app, with the environment it needs. */
export function testApp(folder: string, env: Readonly<Record<string, string>>): AppTestRun {
  const result = spawnSync('npm', ['test'], {
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { passed: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
}

/** The folders one run uses, all outside the repository; `remove` deletes them. */
export function consumerFolders(): { staging: string; packs: string; app: string; remove(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'prism-consumer-'));
  const folders = {
    staging: path.join(root, 'staging'),
    packs: path.join(root, 'packs'),
    app: path.join(root, 'app'),
  };
  for (const folder of Object.values(folders)) mkdirSync(folder);
  return { ...folders, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL database the app may use.');
  const folders = consumerFolders();
  const started = Date.now();
  const step = <T>(name: string, action: () => T): T => {
    const at = Date.now();
    const result = action();
    console.log(`${name}: ${((Date.now() - at) / 1000).toFixed(1)} s`);
    return result;
  };
  try {
    const packed = step('build and pack', () => buildAndPack(folders.staging, folders.packs));
    step('create the app and install the tarball', () => createApp(folders.app, packed.tarball));
    step('compile the app (skipLibCheck false)', () => compileApp(folders.app));
    const tested = step('the app’s own tests', () => testApp(folders.app, { DATABASE_URL: databaseUrl }));
    console.log(tested.output);
    console.log(`total: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!tested.passed) process.exitCode = 1;
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${path.dirname(folders.app)}`);
    else folders.remove();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
