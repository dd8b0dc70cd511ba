/**
 * The package as a team gets it (issue #14 "A package"): built and packed with `npm pack`, installed from
 * the tarball into a fresh NestJS app in a temporary folder outside the repository, compiled there with
 * `skipLibCheck: false`, and that app's own tests run: its own command, its own YAML projection, a query.
 * The steps are in consumer-app.ts (also runnable by hand); the app's template is test/consumer/app/.
 *
 * Takes 1-3 minutes (a build, an install from the npm cache, a strict compile), most of it CPU.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeWithStores, useTestDatabase } from '../support/stores';
import {
  buildAndPack,
  compileApp,
  consumerFolders,
  createApp,
  installedCopies,
  testApp,
  type PackedPackage,
} from './consumer-app';

describeWithStores(['postgres'], 'the packed package in a fresh NestJS app', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  const folders = consumerFolders();
  let packed: PackedPackage;

  beforeAll(() => {
    packed = buildAndPack(folders.staging, folders.packs);
    createApp(folders.app, packed.tarball);
  }, 600_000);

  afterAll(() => folders.remove());

  it('packs the entry point with its type declarations, the CLI and the JSON Schemas; no tests, sources or examples', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'docs/VERSIONING.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/main.js',
        'dist/cli/main.js',
        'dist/console/public/index.html',
        'projections/prism-projection.schema.json',
        'projections/prism-projection-test.schema.json',
      ]),
    );
    const unwanted = packed.files.filter((file) =>
      /(\.spec\.|\.map$|\.tsbuildinfo$|^src\/|^test\/|^examples\/|^dist\/examples\/|^dist\/api-extractor\/)/.test(
        file,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it('leaves one copy of Nest and zod in the app, the app’s own: the package names them as peers', () => {
    const peers = ['@nestjs/core', '@nestjs/common', '@nestjs/cqrs', 'reflect-metadata', 'rxjs', 'zod'];
    expect(installedCopies(folders.app, peers)).toEqual(
      Object.fromEntries(peers.map((name) => [name, [path.join(folders.app, 'node_modules', name)]])),
    );
  });

  it('compiles the app against the package’s declarations with skipLibCheck false', () => {
    compileApp(folders.app);
    expect(existsSync(path.join(folders.app, 'dist', 'src', 'app.module.js'))).toBe(true);
  }, 300_000);

  it('installs the prism CLI, which validates the app’s own projections', () => {
    const output = execFileSync(
      path.join(folders.app, 'node_modules', '.bin', 'prism'),
      ['validate', 'projections'],
      {
        cwd: folders.app,
        encoding: 'utf8',
      },
    );
    expect(output).toMatch(/1 definition file\(s\) valid/);
  }, 60_000);

  it('runs the app’s own tests: its command, its YAML projection, a query', () => {
    const run = testApp(folders.app, { DATABASE_URL: database.url });
    expect({ passed: run.passed, output: run.passed ? '' : run.output }).toEqual({
      passed: true,
      output: '',
    });
    expect(run.output).toMatch(/^# pass 3$/m);
    expect(run.output).toMatch(/^# fail 0$/m);
  }, 180_000);
});
