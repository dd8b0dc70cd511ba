/** `prism validate [paths..]`: every problem of every definition, then a summary; exit 1 on any error. */
import type { Command } from 'commander';
import { formatDefinitionError } from '../../dsl/errors/definition-error';
import { checkDefinitions, DefinitionPathNotFoundError } from '../../dsl/loader/definition.loader';
import { DEFAULT_PROJECTIONS_FOLDER, type CliIo } from '../cli-io';
import { cliEventCatalog } from './event-catalog-support';

export function runValidate(
  paths: readonly string[],
  io: CliIo,
  options: { readonly catalog?: string } = {},
): number {
  // The event catalog: the aggregates the ready-made server serves (the example marketplace, where it is
  // there) and the catalog file. A type outside it is a warning (an error when the catalog is complete);
  // `event.data` of a catalogued type is typed.
  const catalog = cliEventCatalog(io, options.catalog);
  if (!catalog) return 1;
  let check;
  try {
    check = checkDefinitions(paths.length > 0 ? paths : [DEFAULT_PROJECTIONS_FOLDER], io.cwd, {
      ...(catalog.size > 0 && { catalog }),
    });
  } catch (error) {
    // Never a stack trace (issue #12): a path that cannot be read is reported like any other problem.
    io.err(
      error instanceof DefinitionPathNotFoundError || !(error instanceof Error)
        ? String(error instanceof Error ? error.message : error)
        : `Cannot read the definitions: ${error.message}`,
    );
    return 1;
  }
  for (const problem of check.problems) io.out(formatDefinitionError(problem));
  const errors = check.problems.filter((problem) => problem.severity === 'error');
  const warnings = check.problems.length - errors.length;
  const failingFiles = new Set(errors.map((error) => error.file)).size;
  const files = check.files.length;
  if (files === 0) {
    io.err('No projection definitions (*.yaml) found.');
    return 1;
  }
  if (errors.length > 0) {
    io.out(
      `✖ ${errors.length} error(s), ${warnings} warning(s) in ${failingFiles} of ${files} definition file(s)`,
    );
    return 1;
  }
  io.out(`✔ ${files} definition file(s) valid${warnings > 0 ? `, ${warnings} warning(s)` : ''}`);
  return 0;
}

export function registerValidateCommand(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check projection definitions and report every problem with file:line:column')
    .argument('[paths...]', 'definition files or folders', [])
    .option(
      '--catalog <file>',
      'event catalog file (default: $PRISM_EVENT_CATALOG or projections/events.catalog.yaml)',
    )
    .action((paths: string[], options: { catalog?: string }) => {
      process.exitCode = runValidate(paths, io, options);
    });
}
