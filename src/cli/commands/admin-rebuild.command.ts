/**
 * `prism rebuild <name> [--wait]` and `prism reset <name> [--wait]`: build a new generation from the start
 * of the log beside the live view, swapped in at the head (reset is the same, named for what operators look
 * for: views are not reversible, so there is no in-place reset). --wait prints progress until it is live.
 */
import type { Command } from 'commander';
import type { AdminClient, RebuildStartedJson } from '../admin-client';
import type { CliIo } from '../cli-io';
import {
  adminClientOf,
  printJson,
  progressLine,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support';

export interface RebuildOptions extends AdminOptions {
  readonly wait?: boolean;
  /** Milliseconds between status polls with --wait. */
  readonly interval?: string;
  /** Give up waiting after this many seconds (the rebuild goes on). */
  readonly timeout?: string;
}

export function runAdminRebuild(
  action: 'rebuild' | 'reset',
  name: string,
  options: RebuildOptions,
  io: CliIo,
): Promise<number> {
  return runAdmin(io, async () => {
    const client = adminClientOf(options);
    const started = action === 'rebuild' ? await client.rebuild(name) : await client.reset(name);
    if (options.json && !options.wait) {
      printJson(io, started);
      return 0;
    }
    if (!options.json) io.out(started.message);
    if (!options.wait) return 0;
    return waitUntilLive(client, started, options, io);
  });
}

async function waitUntilLive(
  client: AdminClient,
  started: RebuildStartedJson,
  options: RebuildOptions,
  io: CliIo,
): Promise<number> {
  const { projection: name, generation } = started;
  const intervalMs = positive(options.interval, 1000);
  const deadline =
    options.timeout === undefined ? Infinity : Date.now() + positive(options.timeout, 0) * 1000;
  for (;;) {
    const status = await client.status(name);
    if (
      status.live !== null &&
      status.live.generation >= generation &&
      status.rebuild?.generation !== generation
    ) {
      if (options.json) printJson(io, status);
      else
        io.out(
          `✔ generation ${status.live.generation} of ${name} is live at position ${status.live.checkpoint}`,
        );
      return 0;
    }
    if (status.rebuild === null || status.rebuild.generation !== generation) {
      io.err(
        `The rebuild of ${name} into generation ${generation} is no longer running ` +
          `(live generation ${status.live?.generation ?? 'none'}); see \`prism status ${name}\`.`,
      );
      return 1;
    }
    if (!options.json) io.out(progressLine(name, status.rebuild, status.state === 'paused'));
    if (Date.now() >= deadline) {
      io.err(`Stopped waiting after ${options.timeout}s; the rebuild goes on (\`prism status ${name}\`).`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function positive(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : fallback;
}

export function registerAdminRebuildCommands(program: Command, io: CliIo): void {
  const descriptions = {
    rebuild: 'rebuild a projection from the start beside its live view, swapped in at the head (admin key)',
    reset:
      'reset a projection to position 0: a rebuild beside the live view; readers never see it emptied (admin key)',
  } as const;
  for (const action of ['rebuild', 'reset'] as const) {
    withAdminOptions(
      program
        .command(action)
        .description(descriptions[action])
        .argument('<name>', 'projection name')
        .option('--wait', 'print progress (percentage, events/s, ETA) until the new generation is live')
        .option('--interval <ms>', 'milliseconds between progress lines with --wait', '1000')
        .option('--timeout <seconds>', 'stop waiting after this long (the rebuild continues)'),
    ).action(async (name: string, options: RebuildOptions) => {
      process.exitCode = await runAdminRebuild(action, name, options, io);
    });
  }
}
