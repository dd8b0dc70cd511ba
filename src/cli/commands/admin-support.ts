/**
 * What the admin commands (status, pause, rebuild, parked...) share: the connection options, the client,
 * turning client errors into one stderr line and exit code 1, and the human formats.
 */
import type { Command } from 'commander';
import { AdminClient, AdminClientError, DEFAULT_PRISM_URL, type GenerationStatusJson } from '../admin-client';
import type { CliIo } from '../cli-io';

export interface AdminOptions {
  readonly url?: string;
  readonly apiKey?: string;
  readonly json?: boolean;
}

/** Adds --url, --api-key and --json to an admin command. */
export function withAdminOptions(command: Command): Command {
  return command
    .option('--url <url>', `base URL of the running Prism (default: $PRISM_URL or ${DEFAULT_PRISM_URL})`)
    .option(
      '--api-key <key>',
      'admin API key; prefer the PRISM_API_KEY environment variable (a flag shows in shell history and ps)',
    )
    .option('--json', 'print the API answer as JSON, for scripts');
}

export function adminClientOf(options: AdminOptions): AdminClient {
  const apiKey = options.apiKey ?? nonEmpty(process.env.PRISM_API_KEY);
  return new AdminClient({
    url: options.url ?? nonEmpty(process.env.PRISM_URL) ?? DEFAULT_PRISM_URL,
    ...(apiKey !== undefined && { apiKey }),
  });
}

/** Runs an admin command; a failed call prints its message on stderr and exits 1. */
export async function runAdmin(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AdminClientError)) throw error;
    io.err(error.message);
    return 1;
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export function percent(progress: number): string {
  return `${(progress * 100).toFixed(1)}%`;
}

export function rate(eventsPerSecond: number): string {
  return `${Math.round(eventsPerSecond)}/s`;
}

/** 5s, 2m05s, 1h02m; – when unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line of a rebuild's progress: what --wait prints and status shows under the projection. */
export function progressLine(name: string, generation: GenerationStatusJson, paused: boolean): string {
  return (
    `${name} generation ${generation.generation}: ${percent(generation.progress)} ` +
    `(${generation.checkpoint}/${generation.head}), ${rate(generation.eventsPerSecond)}, ETA ${duration(generation.etaSeconds)}` +
    (paused ? ' (paused: `prism resume` to continue)' : '')
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
