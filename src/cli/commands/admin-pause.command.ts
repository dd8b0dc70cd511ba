/** `prism pause <name>` and `prism resume <name>`: stop and restart applying events (kept across restarts). */
import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { formatStatuses } from './admin-status.command';
import { adminClientOf, printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support';

export function runAdminPause(
  action: 'pause' | 'resume',
  name: string,
  options: AdminOptions,
  io: CliIo,
): Promise<number> {
  return runAdmin(io, async () => {
    const client = adminClientOf(options);
    const status = action === 'pause' ? await client.pause(name) : await client.resume(name);
    if (options.json) {
      printJson(io, status);
      return 0;
    }
    io.out(action === 'pause' ? `✔ paused ${name}` : `✔ resumed ${name}`);
    for (const line of formatStatuses([status])) io.out(line);
    return 0;
  });
}

export function registerAdminPauseCommands(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('pause')
      .description('stop a projection applying events, until resumed (admin key)')
      .argument('<name>', 'projection name'),
  ).action(async (name: string, options: AdminOptions) => {
    process.exitCode = await runAdminPause('pause', name, options, io);
  });
  withAdminOptions(
    program
      .command('resume')
      .description('let a paused projection apply events again from its checkpoint (admin key)')
      .argument('<name>', 'projection name'),
  ).action(async (name: string, options: AdminOptions) => {
    process.exitCode = await runAdminPause('resume', name, options, io);
  });
}
