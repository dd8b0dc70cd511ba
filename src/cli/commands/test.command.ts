/** `prism test [paths..]`: runs projection tests as data (*.test.yaml); exit 1 on any failure. */
import type { Command } from 'commander';
import { formatDefinitionError } from '../../dsl/errors/definition-error';
import { DefinitionPathNotFoundError } from '../../dsl/loader/definition.loader';
import { collectProjectionTests } from '../../dsl/testing/projection-test.runner';
import { DEFAULT_PROJECTIONS_FOLDER, type CliIo } from '../cli-io';

export function runTests(paths: readonly string[], io: CliIo): number {
  let files;
  try {
    files = collectProjectionTests(paths.length > 0 ? paths : [DEFAULT_PROJECTIONS_FOLDER], io.cwd);
  } catch (error) {
    if (error instanceof DefinitionPathNotFoundError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    io.out(`${file.file}${file.projection ? ` (${file.projection})` : ''}`);
    for (const problem of file.problems) {
      failed++;
      io.out(`  ✗ ${formatDefinitionError(problem)}`);
    }
    for (const { testCase, run } of file.cases) {
      const result = run();
      if (result.passed) {
        passed++;
        io.out(`  ✓ ${testCase.name}`);
      } else {
        failed++;
        io.out(`  ✗ ${testCase.name}`);
        for (const failure of result.failures) io.out(`      ${failure}`);
      }
    }
  }
  if (files.length === 0) {
    io.err('No projection tests (*.test.yaml) found.');
    return 1;
  }
  io.out(`${failed > 0 ? '✖' : '✔'} ${passed} passed, ${failed} failed (${files.length} test file(s))`);
  return failed > 0 ? 1 : 0;
}

export function registerTestCommand(program: Command, io: CliIo): void {
  program
    .command('test')
    .description('run projection tests as data (*.test.yaml beside the definitions)')
    .argument('[paths...]', 'test files or folders', [])
    .action((paths: string[]) => {
      process.exitCode = runTests(paths, io);
    });
}
