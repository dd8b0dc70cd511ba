/**
 * `prism drop <name> [--dry-run]`: removes an orphaned projection (its definition was removed from the
 * folder; `prism status` lists it as `orphaned`): every generation's table, index or nodes and its
 * bookkeeping, in every store that holds it. `--dry-run` lists what it would delete.
 */
import type { Command } from 'commander';
import type { ProjectionDropJson } from '../admin-client';
import type { CliIo } from '../cli-io';
import { adminClientOf, printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support';

export interface DropOptions extends AdminOptions {
  readonly dryRun?: boolean;
}

export function runAdminDrop(name: string, options: DropOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const dropped = await adminClientOf(options).drop(name, options.dryRun === true);
    if (options.json) printJson(io, dropped);
    else for (const line of formatDrop(dropped)) io.out(line);
    return 0;
  });
}

export function formatDrop(drop: ProjectionDropJson): string[] {
  const verb = drop.dryRun ? 'would drop' : 'dropped';
  const lines = [
    drop.dryRun ? `Dry run, nothing deleted: ${drop.projection}` : `✔ dropped ${drop.projection}`,
  ];
  for (const store of drop.stores) {
    lines.push(`  ${store.kind} view store:`);
    if (store.readNames.length > 0) lines.push(`    read name ${store.readNames.join(', ')}`);
    for (const g of store.generations)
      lines.push(`    ${verb} generation ${g.generation} (${g.status}): ${g.physical.join(', ')}`);
    if (store.generations.length === 0) lines.push(`    no generations left; ${verb} its registry entry`);
  }
  lines.push(drop.message);
  return lines;
}

export function registerAdminDropCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('drop')
      .description(
        'remove an orphaned projection (definition removed from the folder): its views and bookkeeping (admin key)',
      )
      .argument('<name>', 'projection name (listed as orphaned by `prism status`)')
      .option('--dry-run', 'list what would be deleted (per store: generations and their physical names)'),
  ).action(async (name: string, options: DropOptions) => {
    process.exitCode = await runAdminDrop(name, options, io);
  });
}
