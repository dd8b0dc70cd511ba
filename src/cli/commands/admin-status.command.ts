/**
 * `prism status [name]`: one line per projection (state, generation, checkpoint/head, lag, rate, parked),
 * then, under the table: rebuilds, last errors, why a projection is stalled (which store, since when) and
 * the errors of definition files skipped as broken. States: src/runtime/README.md.
 * `prism status <name> --wait-live` polls until the projection is live with no rebuild in progress (e.g.
 * the blue/green rebuild a changed definition starts at start-up), printing progress meanwhile.
 */
import type { Command } from 'commander';
import type { AdminClient, ProjectionStatusJson } from '../admin-client';
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

export interface StatusOptions extends AdminOptions {
  readonly waitLive?: boolean;
  /** Milliseconds between polls with --wait-live. */
  readonly interval?: string;
  /** Give up waiting after this many seconds. */
  readonly timeout?: string;
}

export function runAdminStatus(name: string | undefined, options: StatusOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const client = adminClientOf(options);
    if (options.waitLive) {
      if (name === undefined) {
        io.err('--wait-live needs a projection name: `prism status <name> --wait-live`.');
        return 1;
      }
      const live = await waitUntilLive(client, name, options, io);
      if (live !== 0) return live;
    }
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

async function waitUntilLive(
  client: AdminClient,
  name: string,
  options: StatusOptions,
  io: CliIo,
): Promise<number> {
  const intervalMs = positive(options.interval, 1000);
  const deadline =
    options.timeout === undefined ? Infinity : Date.now() + positive(options.timeout, 0) * 1000;
  for (;;) {
    const status = await client.status(name);
    if (status.state === 'live' && status.rebuild === null) return 0;
    if (status.state === 'failed' || status.state === 'broken-definition' || status.state === 'orphaned') {
      io.err(`${name} is ${status.state}; see its notes, errors and last error in \`prism status ${name}\`.`);
      return 1;
    }
    const running = status.rebuild ?? status.live;
    if (!options.json && running !== null) io.out(progressLine(name, running, status.state === 'paused'));
    if (Date.now() >= deadline) {
      io.err(`Stopped waiting after ${options.timeout}s: ${name} is ${status.state}.`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function positive(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : fallback;
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
    // With several nodes (issue #15): who runs it, and how fresh the numbers are when another node does.
    if (status.owner != null)
      lines.push(
        `  ${status.name}: run by ${status.owner.node} (lease epoch ${status.owner.epoch}, held ` +
          `${duration(status.owner.leaseAgeMs / 1000)})` +
          (status.reportedAt === undefined ? '' : `, numbers as reported at ${status.reportedAt}`),
      );
    if (status.stall != null)
      lines.push(
        `  ${status.name}: stalled since ${status.stall.since} on the ${storeName(status.stall.store)} ` +
          `(${status.stall.kind}): ${status.stall.lastError}`,
      );
    if (status.state === 'broken-definition') {
      lines.push(`  ${status.name}: broken definition, not running (${status.file ?? 'unknown file'}):`);
      for (const error of status.errors ?? []) lines.push(`    ${error}`);
      continue;
    }
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

function storeName(store: string): string {
  return store === 'event-store' ? 'event store' : 'view store';
}

export function registerAdminStatusCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('status')
      .description('show the status of every projection, or of one, in a running Prism (admin key)')
      .argument('[name]', 'projection name')
      .option(
        '--wait-live',
        'wait until the projection is live with no rebuild in progress, printing progress',
      )
      .option('--interval <ms>', 'milliseconds between progress lines with --wait-live', '1000')
      .option('--timeout <seconds>', 'stop waiting after this long (exit 1)'),
  ).action(async (name: string | undefined, options: StatusOptions) => {
    process.exitCode = await runAdminStatus(name, options, io);
  });
}
