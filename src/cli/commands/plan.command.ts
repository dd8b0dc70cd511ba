/**
 * `prism plan <definition file>`: before deploying a changed definition, asks a running Prism what it
 * would do: rebuild or not, how many events it replays (per type), about how long, which shape changes,
 * and how the view changes on a sample of streams. The file is validated locally first, with the same
 * file:line:column problems as `prism validate`; nothing is sent when it has errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { PlanReport } from '../checks-client';
import { formatDefinitionError } from '../../dsl/errors/definition-error';
import { checkDefinitions, DefinitionPathNotFoundError } from '../../dsl/loader/definition.loader';
import type { CliIo } from '../cli-io';
import { duration, printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support';
import { checksClientOf, show } from './verify.command';

export interface PlanCommandOptions extends AdminOptions {
  readonly sample?: string;
  readonly max?: string;
}

export function runPlan(file: string, options: PlanCommandOptions, io: CliIo): Promise<number> {
  return runAdmin(io, async () => {
    let check;
    try {
      check = checkDefinitions([file], io.cwd);
    } catch (error) {
      if (!(error instanceof DefinitionPathNotFoundError)) throw error;
      io.err(error.message);
      return 1;
    }
    const errors = check.problems.filter((problem) => problem.severity === 'error');
    if (errors.length > 0 || check.files.length !== 1) {
      for (const problem of check.problems) io.err(formatDefinitionError(problem));
      io.err(
        check.files.length !== 1
          ? `prism plan takes one definition file; ${file} holds ${check.files.length}.`
          : `✖ ${errors.length} error(s) in ${file}: fix them before planning (nothing was sent).`,
      );
      return 1;
    }
    const report = await checksClientOf(options).plan({
      definition: readFileSync(path.resolve(io.cwd, check.files[0]!), 'utf8'),
      filename: check.files[0]!,
      ...(options.sample !== undefined && { sampleStreams: Number(options.sample) }),
      ...(options.max !== undefined && { maxDifferences: Number(options.max) }),
    });
    if (options.json) printJson(io, report);
    else for (const line of formatPlanReport(report)) io.out(line);
    return 0;
  });
}

const ACTIONS: Record<PlanReport['action'], string> = {
  none: 'no rebuild',
  rebuild: 'REBUILD',
  backfill: 'BACKFILL (new projection)',
};

export function formatPlanReport(report: PlanReport): string[] {
  const lines = [
    `plan ${report.projection} (${report.file}): ${ACTIONS[report.action]}`,
    `  ${report.reason}`,
  ];
  lines.push(
    `  fingerprint: ${report.fingerprint.active ?? '(none)'} → ${report.fingerprint.new}` +
      (report.activeGeneration === null ? '' : ` (active generation ${report.activeGeneration})`),
  );
  const byType = Object.entries(report.replay.byType)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  const approx = report.replay.approximate ? '≈' : '';
  lines.push(
    `  ${report.action === 'none' ? 'a rebuild would replay' : 'replays'} ${approx}${report.replay.events} event(s)` +
      (byType === '' ? '' : `: ${byType}`) +
      (report.replay.approximate ? ' (approx: extrapolated from the part of the log counted)' : ''),
  );
  if (report.action !== 'none') {
    lines.push(
      `  estimated duration: ${duration(report.estimate.seconds)} at ${report.estimate.eventsPerSecond} events/s ` +
        `(${report.estimate.rate} rate: ${report.estimate.basis})`,
    );
  }
  if (report.shapeChanges.length > 0) {
    lines.push('  shape changes:');
    for (const change of report.shapeChanges) {
      const sign = change.change === 'added' ? '+' : change.change === 'removed' ? '-' : '~';
      const detail =
        change.change === 'changed' ? `${change.from} → ${change.to}` : (change.to ?? change.from ?? '');
      lines.push(`    ${sign} ${change.what} ${detail}`.trimEnd());
    }
  }
  const { sample } = report;
  if (sample.comparedWith === null) {
    lines.push(
      `  sample: ${sample.streams} stream(s), ${sample.events} event(s) → ${sample.counts.added} entries`,
    );
  } else {
    const { added, removed, changed, unchanged } = sample.counts;
    lines.push(
      `  sample of ${sample.streams} stream(s), ${sample.events} event(s), current vs new definition: ` +
        `${changed} changed, ${added} added, ${removed} removed, ${unchanged} unchanged`,
    );
    for (const difference of sample.differences) {
      if (difference.kind === 'different') {
        lines.push(`    ~ ${difference.key}`);
        for (const field of difference.fields) {
          lines.push(`        ${field.field}: ${show(field.live)} → ${show(field.rebuilt)}`);
        }
      } else if (difference.kind === 'only-rebuilt') {
        lines.push(`    + ${difference.key}  ${show(difference.rebuilt)}`);
      } else {
        lines.push(`    - ${difference.key}  ${show(difference.live)}`);
      }
    }
  }
  for (const warning of report.warnings) lines.push(`  ${warning}`);
  return lines;
}

export function registerPlanCommand(program: Command, io: CliIo): void {
  withAdminOptions(
    program
      .command('plan')
      .description('what deploying a definition would do: rebuild?, events to replay, duration, sample diff')
      .argument('<file>', 'definition file (YAML)')
      .option('--sample <n>', 'streams in the sample diff (default 50)')
      .option('--max <n>', 'differences to show in full (default 10)'),
  ).action(async (file: string, options: PlanCommandOptions) => {
    process.exitCode = await runPlan(file, options, io);
  });
}
