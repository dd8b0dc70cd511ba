/**
 * The verdict on a store outage campaign (store-outage-campaign.ts): each command's answer compared with
 * the event log, so that nothing accepted is lost or doubled and nothing refused was written.
 */
import { Client } from 'pg';
import type { CampaignReport, CommandOutcome } from './store-outage-campaign';

/**
 * What the log says about each command: for every (stream, event type) the workload wrote, how many such
 * events the log holds (the workload writes each at most once, so 2 means a doubled event).
 */
export async function eventCounts(
  logUrl: string,
  schema: string,
  runId: string,
): Promise<Map<string, number>> {
  const db = new Client({ connectionString: logUrl });
  await db.connect();
  try {
    const rows = await db.query<{ stream_id: string; type: string; count: string }>(
      `SELECT stream_id, type, count(*)::text AS count FROM "${schema}".events
       WHERE stream_id LIKE $1 GROUP BY stream_id, type`,
      [`%-${runId}-%`],
    );
    return new Map(rows.rows.map((row) => [`${row.stream_id} ${row.type}`, Number(row.count)]));
  } finally {
    await db.end();
  }
}

/**
 * Every way the commands' answers disagree with the log and with the cut windows: a command accepted but
 * not in the log exactly once, a 503 (not flagged outcome-unknown) whose event is in the log anyway, an
 * event in the log no command was accepted for, an answer other than 2xx/503, a 503 without its code and
 * Retry-After, and a command sent and answered entirely inside a cut of the event store that was accepted.
 */
export function commandProblems(report: CampaignReport, counts: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  const claimed = new Map<string, CommandOutcome>();
  const logCuts = report.cuts.filter((cut) => cut.store === 'postgres');
  for (const command of report.commands) {
    const key = `${command.stream} ${command.eventType}`;
    const count = counts.get(key) ?? 0;
    if (command.status >= 200 && command.status < 300) {
      claimed.set(key, command);
      if (count !== 1)
        problems.push(`${key}: answered ${command.status} but the log holds it ${count} time(s)`);
      if (logCuts.some((cut) => command.sentAt > cut.cutAt && command.answeredAt < cut.restoredAt))
        problems.push(`${key}: answered ${command.status} while the event store was cut`);
    } else if (command.status === 503) {
      claimed.set(key, command);
      if (command.body.error !== 'event_store_unavailable' || command.retryAfter === undefined)
        problems.push(
          `${key}: 503 without event_store_unavailable and Retry-After: ${JSON.stringify(command.body)}`,
        );
      if (count > (command.outcomeUnknown ? 1 : 0))
        problems.push(
          `${key}: answered 503 (${command.body.message ?? ''}) but the log holds it ${count} time(s)`,
        );
    } else {
      problems.push(`${key}: unexpected answer ${command.status} ${JSON.stringify(command.body)}`);
    }
  }
  for (const [key, count] of counts) {
    if (!claimed.has(key))
      problems.push(`${key}: in the log ${count} time(s) but no command answered for it`);
  }
  return problems;
}
