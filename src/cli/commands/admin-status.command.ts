/** `prism status [name]`: one line per projection (state, generation, checkpoint/head, lag, rate, parked). */
import type { Command } from 'commander';
import type { ProjectionStatusJson } from '../admin-client';
import type { CliIo } from '../cli-io';
import {
  adminClientOf,
  duration,
  percent,
  printJson,
  progressLine,
  rate,
  runAdmin,
  table,
  withAdminOptions,
  type AdminOptions,
} from './admin-support';

const HEADER = [
  'NAME',
  'STATE',
  'GEN',
  'CHECKPOINT',
  'HEAD',
  'BEHIND',
  'LAG',
  'RATE',
  'PROGRESS',
  'ETA',
  'PARKED',
  'HELD',
];

export function runAdminStatus(name: string | undefined, options: AdminOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const client = adminClientOf(options);
    const statuses = name === undefined ? await client.statuses() : [await client.status(name)];
    if (options.json) {
      printJson(io, name === undefined ? { projections: statuses } : statuses[0]);
      return 0;
    }
    if (statuses.length === 0) {
      io.out('No projections are loaded.');
      return 0;
    }
    for (const line of formatStatuses(statuses)) io.out(line);
    return 0;
  });
}

export function formatStatuses(statuses: readonly ProjectionStatusJson[]): string[] {
  const rows = statuses.map((status) => {
    const live = status.live;
    if (live === null) return [status.name, status.state, '–', '–', '–', '–', '–', '–', '–', '–', '–', '–'];
    return [
      status.name,
      status.state,
      String(live.generation),
      live.checkpoint,
      live.head,
      live.behind,
      duration(live.lagSeconds),
      rate(live.eventsPerSecond),
      percent(live.progress),
      duration(live.etaSeconds),
      String(live.parked),
      String(live.held),
    ];
  });
  const lines = table([HEADER, ...rows]);
  // Rebuilds, errors and notes go below the table, one line each, under the projection's name.
  for (const status of statuses) {
    if (status.rebuild !== null)
      lines.push(`  rebuilding ${progressLine(status.name, status.rebuild, status.state === 'paused')}`);
    for (const generation of [status.live, status.rebuild]) {
      if (generation?.lastError != null)
        lines.push(
          `  ${status.name} generation ${generation.generation}: last error (${generation.lastError.kind}, ` +
            `${generation.lastError.attempts} attempt(s)): ${generation.lastError.message}`,
        );
    }
    for (const note of status.notes) lines.push(`  ${status.name}: ${note}`);
  }
  return lines;
}

export function registerAdminStatusCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('status')
      .description('show the status of every projection, or of one, in a running Prism (admin key)')
      .argument('[name]', 'projection name'),
  ).action(async (name: string | undefined, options: AdminOptions) => {
    process.exitCode = await runAdminStatus(name, options, io);
  });
}
