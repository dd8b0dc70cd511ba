/**
 * `prism parked <name>`, `prism replay <name> <position>`, `prism discard <name> <position>`: the events a
 * projection could not apply, and what to do with each (replay once the cause is fixed, or drop it).
 */
import type { Command } from 'commander';
import type { ParkedResolutionJson } from '../admin-client';
import type { CliIo } from '../cli-io';
import {
  adminClientOf,
  printJson,
  runAdmin,
  table,
  withAdminOptions,
  type AdminOptions,
} from './admin-support';

export function runAdminParked(name: string, options: AdminOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const parked = await adminClientOf(options).parked(name);
    if (options.json) {
      printJson(io, { projection: name, parked });
      return 0;
    }
    if (parked.length === 0) {
      io.out(`${name} has no parked events.`);
      return 0;
    }
    const rows = parked.map((event) => [
      event.position,
      event.status,
      event.eventType,
      event.streamId,
      event.parkedAt,
      event.status === 'held' ? `behind a parked event with key ${event.keys.join(', ')}` : event.reason,
    ]);
    for (const line of table([['POSITION', 'STATUS', 'TYPE', 'STREAM', 'PARKED AT', 'REASON'], ...rows]))
      io.out(line);
    io.out(
      `Replay with \`prism replay ${name} <position>\` once fixed, or drop with \`prism discard ${name} <position>\`.`,
    );
    return 0;
  });
}

export function runAdminResolve(
  action: 'replay' | 'discard',
  name: string,
  position: string,
  options: AdminOptions,
  io: CliIo,
): Promise<number> {
  return runAdmin(io, async () => {
    const client = adminClientOf(options);
    const result =
      action === 'replay' ? await client.replay(name, position) : await client.discard(name, position);
    if (options.json) printJson(io, result);
    else io.out(describeResolution(result));
    // A replay that failed again leaves the event parked: a script should notice.
    return result.result === 'still-parked' ? 1 : 0;
  });
}

function describeResolution(result: ParkedResolutionJson): string {
  const at = `${result.projection} position ${result.position}`;
  switch (result.result) {
    case 'replayed':
      return `✔ replayed ${at}; ${result.released} held event(s) released`;
    case 'discarded':
      return `✔ discarded ${at}; ${result.released} held event(s) released`;
    case 'still-parked':
      return `✖ ${at} failed again and stays parked: ${result.reason ?? 'no reason given'}`;
  }
}

export function registerAdminParkedCommands(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('parked')
      .description('list the parked events of a projection, and those held behind them (admin key)')
      .argument('<name>', 'projection name'),
  ).action(async (name: string, options: AdminOptions) => {
    process.exitCode = await runAdminParked(name, options, io);
  });
  const descriptions = {
    replay: 'apply a parked event again (after fixing its cause), then the events held behind it (admin key)',
    discard: 'drop a parked event for good, then apply the events held behind it (admin key)',
  } as const;
  for (const action of ['replay', 'discard'] as const) {
    withAdminOptions(
      program
        .command(action)
        .description(descriptions[action])
        .argument('<name>', 'projection name')
        .argument('<position>', 'log position of the parked event (from `prism parked`)'),
    ).action(async (name: string, position: string, options: AdminOptions) => {
      process.exitCode = await runAdminResolve(action, name, position, options, io);
    });
  }
}
