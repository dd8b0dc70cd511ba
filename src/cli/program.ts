/**
 * The `prism` command line: one file per command under commands/. Plain TypeScript over the DSL core, no
 * Nest, so it starts fast and runs anywhere `npx tsx src/cli/main.ts` does.
 */
import { Command } from 'commander';
import type { CliIo } from './cli-io';
import { registerAdminDropCommand } from './commands/admin-drop.command';
import { registerAdminNodesCommand } from './commands/admin-nodes.command';
import { registerAdminParkedCommands } from './commands/admin-parked.command';
import { registerAdminPauseCommands } from './commands/admin-pause.command';
import { registerAdminRebuildCommands } from './commands/admin-rebuild.command';
import { registerAdminStatusCommand } from './commands/admin-status.command';
import { registerEventsCommand } from './commands/events.command';
import { registerPlanCommand } from './commands/plan.command';
import { registerSchemaCommand } from './commands/schema.command';
import { registerTestCommand } from './commands/test.command';
import { registerValidateCommand } from './commands/validate.command';
import { registerVerifyCommand } from './commands/verify.command';

export function createProgram(io: CliIo): Command {
  const program = new Command()
    .name('prism')
    .description('Prism projections: validate definitions, run their data tests, generate the JSON Schemas')
    .showHelpAfterError();
  registerValidateCommand(program, io);
  registerTestCommand(program, io);
  registerSchemaCommand(program, io);
  registerEventsCommand(program, io);
  registerAdminStatusCommand(program, io);
  registerAdminNodesCommand(program, io);
  registerAdminPauseCommands(program, io);
  registerAdminRebuildCommands(program, io);
  registerAdminParkedCommands(program, io);
  registerAdminDropCommand(program, io);
  registerVerifyCommand(program, io);
  registerPlanCommand(program, io);
  return program;
}
