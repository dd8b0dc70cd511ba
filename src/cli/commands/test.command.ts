/**
 * `prism test [paths..] [--stores]`: runs projection tests as data (*.test.yaml); exit 1 on any failure.
 * In memory by default; a case's named queries need the real store and are reported as skipped. With
 * `--stores` each such case's events are also built into a throwaway namespace of the configured store
 * (PRISM_* variables, as the server reads them) and its named queries run there (issue #16).
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ConfigValidationError, loadConfig } from '../../config/app-config';
import type { CompiledProjection } from '../../core/plan';
import { formatDefinitionError } from '../../dsl/errors/definition-error';
import { DefinitionPathNotFoundError } from '../../dsl/loader/definition.loader';
import { collectProjectionTests, type ProjectionTestFileRun } from '../../dsl/testing/projection-test.runner';
import type { ProjectionTestCase } from '../../dsl/testing/projection-test.schema';
import { runCaseQueriesInStore } from '../../dsl/testing/store-query-test.runner';
import { storeModule } from '../../stores/registry';
import type { ScratchStore } from '../../stores/store-scratch';
import { DEFAULT_PROJECTIONS_FOLDER, type CliIo } from '../cli-io';
import { cliEventCatalog } from './event-catalog-support';

export interface TestCommandOptions {
  /** Run named queries against the real stores. */
  readonly stores?: boolean;
  /** The event catalog file (issue #16): typed `event.data`, events upcast before the projection. */
  readonly catalog?: string;
}

export function runTests(paths: readonly string[], io: CliIo, options: TestCommandOptions = {}): number {
  const files = collect(paths, io, options.catalog);
  if (files === undefined) return 1;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of files) {
    failed += printFileProblems(file, io);
    for (const { testCase, run } of file.cases) {
      const result = run();
      if (result.passed) passed++;
      else failed++;
      printCase(testCase.name, result.failures, io);
      const queries = testCase.queries?.length ?? 0;
      if (queries > 0) {
        skipped += queries;
        io.out(`      - ${queries} named query check(s) skipped: they need the stores (prism test --stores)`);
      }
    }
  }
  return summary(files.length, passed, failed, skipped, io);
}

export async function runTestsWithStores(
  paths: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: TestCommandOptions = {},
): Promise<number> {
  const files = collect(paths, io, options.catalog);
  if (files === undefined) return 1;
  let viewStores: Readonly<Record<string, unknown>>;
  try {
    viewStores = loadConfig(env).viewStores;
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    io.err(error.message);
    return 1;
  }
  const scratches = new Scratches(viewStores);
  let passed = 0;
  let failed = 0;
  try {
    for (const file of files) {
      failed += printFileProblems(file, io);
      for (const { testCase, run } of file.cases) {
        const failures = [...run().failures];
        if (file.compiled !== undefined && (testCase.queries?.length ?? 0) > 0)
          failures.push(...(await scratches.runQueries(file.compiled, testCase)));
        if (failures.length === 0) passed++;
        else failed++;
        printCase(testCase.name, failures, io);
      }
    }
  } finally {
    await scratches.close();
  }
  return summary(files.length, passed, failed, 0, io);
}

/** One scratch namespace per store for the whole run, each case's view under a name of its own. */
class Scratches {
  private readonly namespace = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  private readonly opened = new Map<string, Promise<ScratchStore>>();
  private views = 0;

  constructor(private readonly viewStores: Readonly<Record<string, unknown>>) {}

  async runQueries(projection: CompiledProjection, testCase: ProjectionTestCase): Promise<string[]> {
    const module = storeModule(projection.target.kind);
    const settings = this.viewStores[module.kind];
    if (module.connection.scratch === undefined)
      return [`named queries of ${module.title} views cannot be tested against the store`];
    if (settings === undefined)
      return [`the named queries need ${module.title}: ${module.connection.missingHint}`];
    let scratch: ScratchStore;
    try {
      let opening = this.opened.get(module.kind);
      if (opening === undefined) {
        opening = module.connection.scratch.open(settings, this.namespace);
        this.opened.set(module.kind, opening);
      }
      scratch = await opening;
    } catch (error) {
      return [`could not reach ${module.title}: ${error instanceof Error ? error.message : String(error)}`];
    }
    this.views += 1;
    const view = `${projection.name}_t${this.views}_${this.namespace}`.toLowerCase();
    return runCaseQueriesInStore(projection, testCase, scratch, view);
  }

  async close(): Promise<void> {
    for (const opening of this.opened.values()) {
      const scratch = await opening.catch(() => undefined);
      await scratch?.close();
    }
  }
}

function collect(
  paths: readonly string[],
  io: CliIo,
  catalogFile?: string,
): ProjectionTestFileRun[] | undefined {
  // the same catalog as validate: typed event.data, and events upcast before the projection sees them
  const catalog = cliEventCatalog(io, catalogFile);
  if (!catalog) return undefined;
  let files: ProjectionTestFileRun[];
  try {
    files = collectProjectionTests(paths.length > 0 ? paths : [DEFAULT_PROJECTIONS_FOLDER], io.cwd, {
      ...(catalog.size > 0 && { catalog }),
    });
  } catch (error) {
    if (error instanceof DefinitionPathNotFoundError) {
      io.err(error.message);
      return undefined;
    }
    throw error;
  }
  if (files.length === 0) {
    io.err('No projection tests (*.test.yaml) found.');
    return undefined;
  }
  return files;
}

function printFileProblems(file: ProjectionTestFileRun, io: CliIo): number {
  io.out(`${file.file}${file.projection ? ` (${file.projection})` : ''}`);
  for (const problem of file.problems) io.out(`  ✗ ${formatDefinitionError(problem)}`);
  return file.problems.length;
}

function printCase(name: string, failures: readonly string[], io: CliIo): void {
  io.out(`  ${failures.length === 0 ? '✓' : '✗'} ${name}`);
  for (const failure of failures) io.out(`      ${failure}`);
}

function summary(files: number, passed: number, failed: number, skipped: number, io: CliIo): number {
  if (skipped > 0)
    io.out(
      `- ${skipped} named query check(s) skipped: run prism test --stores to check them against the stores`,
    );
  io.out(`${failed > 0 ? '✖' : '✔'} ${passed} passed, ${failed} failed (${files} test file(s))`);
  return failed > 0 ? 1 : 0;
}

export function registerTestCommand(program: Command, io: CliIo): void {
  program
    .command('test')
    .description('run projection tests as data (*.test.yaml beside the definitions)')
    .argument('[paths...]', 'test files or folders', [])
    .option(
      '--stores',
      "also build each case's view in a throwaway namespace of the real store (PRISM_ES_URL, PRISM_NEO4J_URL...) and run its named queries there",
    )
    .option(
      '--catalog <file>',
      'event catalog file (default: $PRISM_EVENT_CATALOG or projections/events.catalog.yaml)',
    )
    .action(async (paths: string[], options: TestCommandOptions) => {
      process.exitCode =
        options.stores === true
          ? await runTestsWithStores(paths, io, process.env, options)
          : runTests(paths, io, options);
    });
}
