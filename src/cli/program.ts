/**
 * The `prism` command line: one file per command under commands/. Plain TypeScript over the DSL core, no
 * Nest, so it starts fast and runs anywhere `npx tsx src/cli/main.ts` does.
 */
import { Command } from 'commander';
import type { CliIo } from './cli-io';
import { registerSchemaCommand } from './commands/schema.command';
import { registerTestCommand } from './commands/test.command';
import { registerValidateCommand } from './commands/validate.command';

export function createProgram(io: CliIo): Command {
  const program = new Command()
    .name('prism')
    .description('Prism projections: validate definitions, run their data tests, generate the JSON Schemas')
    .showHelpAfterError();
  registerValidateCommand(program, io);
  registerTestCommand(program, io);
  registerSchemaCommand(program, io);
  return program;
}
