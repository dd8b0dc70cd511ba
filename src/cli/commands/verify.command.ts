/**
 * `prism verify <projection>`: asks a running Prism to rebuild the projection from the log and compare it
 * with the live view; prints a summary and the first differences. Exit 1 when they differ. While it runs,
 * its progress is printed to stderr every few seconds (issue #17); Ctrl-C closes the request, which stops
 * the verification on the server.
 */
import type { Command } from 'commander';
import type { JsonValue } from '../../core/json';
import { DEFAULT_PRISM_URL } from '../admin-client';
import { ChecksClient, type VerifyProgressJson, type VerifyReport } from '../checks-client';
import type { CliIo } from '../cli-io';
import { duration, printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support';

export interface VerifyCommandOptions extends AdminOptions {
  readonly max?: string;
  /** Milliseconds between progress lines (default 3,000); 0: none. */
  readonly progressEveryMs?: number;
}

export function checksClientOf(options: AdminOptions): ChecksClient {
  const apiKey = options.apiKey ?? nonEmpty(process.env.PRISM_API_KEY);
  return new ChecksClient({
    url: options.url ?? nonEmpty(process.env.PRISM_URL) ?? DEFAULT_PRISM_URL,
    ...(apiKey !== undefined && { apiKey }),
  });
}

export function runVerify(name: string, options: VerifyCommandOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    const maxDifferences = options.max === undefined ? undefined : Number(options.max);
    const client = checksClientOf(options);
    const every = options.progressEveryMs ?? 3_000;
    const timer =
      every > 0
        ? setInterval(() => {
            client.verifyProgress(name).then(
              (progress) => {
                if (progress !== undefined) io.err(formatVerifyProgress(name, progress));
              },
              () => undefined, // the answer to the verification itself reports a server that went away
            );
          }, every)
        : undefined;
    let report: VerifyReport;
    try {
      report = await client.verify(name, maxDifferences === undefined ? {} : { maxDifferences });
    } finally {
      clearInterval(timer);
    }
    if (options.json) printJson(io, report);
    else for (const line of formatVerifyReport(report)) io.out(line);
    return report.total > 0 ? 1 : 0;
  });
}

export function formatVerifyProgress(name: string, progress: VerifyProgressJson): string {
  const fold =
    progress.phase === 'folding'
      ? `folding the log: ${progress.eventsFolded} event(s), position ${progress.position} of ${progress.upTo}`
      : `${progress.phase}: ${progress.scanned} live entries compared, ${progress.eventsFolded} event(s) folded`;
  return `verify ${name}: ${fold}`;
}

export function formatVerifyReport(report: VerifyReport): string[] {
  const lines = [
    `verify ${report.projection} generation ${report.generation}: compared at position ${report.checkpoint}, ` +
      `${report.eventsFolded} event(s) folded in ${duration(report.durationMs / 1000)}` +
      (report.recompiled ? ' (with the definition stored for this generation)' : ''),
    `  live ${report.liveEntries} entries, rebuilt ${report.rebuiltEntries} entries` +
      (report.eventsSetAside > 0 ? `, ${report.eventsSetAside} event(s) set aside as poison/held` : '') +
      (report.resolutionsRedone > 0 ? `, ${report.resolutionsRedone} replay/discard(s) redone` : '') +
      (report.paused ? ', paused while settling (resumed)' : ''),
  ];
  if (report.total === 0) {
    lines.push('✔ no differences');
    return lines;
  }
  const { onlyLive, onlyRebuilt, different } = report.counts;
  lines.push(
    `✖ ${report.total} difference(s): ${different} different, ${onlyLive} only live, ${onlyRebuilt} only rebuilt` +
      (report.settled ? '' : ' (the view kept moving: some may be in flight; re-run to confirm)'),
  );
  for (const difference of report.differences) {
    if (difference.kind === 'different') {
      lines.push(`  different     ${difference.key}`);
      for (const field of difference.fields) {
        lines.push(`    ${field.field}: live ${show(field.live)}, rebuilt ${show(field.rebuilt)}`);
      }
    } else if (difference.kind === 'only-live') {
      lines.push(`  only live     ${difference.key}  ${show(difference.live)}`);
    } else {
      lines.push(`  only rebuilt  ${difference.key}  ${show(difference.rebuilt)}`);
    }
  }
  if (report.differences.length < report.total) {
    lines.push(`  … first ${report.differences.length} of ${report.total} shown (--max to see more)`);
  }
  return lines;
}

export function show(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function registerVerifyCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('verify')
      .description(
        'rebuild a projection in memory from the log and compare it with the live view (exit 1 on differences)',
      )
      .argument('<projection>', 'projection name')
      .option('--max <n>', 'differences to show in full (default 10)'),
  ).action(async (name: string, options: VerifyCommandOptions) => {
    process.exitCode = await runVerify(name, options, io);
  });
}
