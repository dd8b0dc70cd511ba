/**
 * The log table's planner statistics, checked when the store starts.
 *
 * A read by event type (`type = ANY(...) ... ORDER BY position LIMIT n`, every subscription page) is fast
 * when PostgreSQL knows how common the types are: it walks the position index. Without statistics it
 * guesses the types are rare, reads every matching row through the (type, position) index and sorts them
 * for each page, so catching up costs the whole table per page (measured: 99 ms a page on 315k events,
 * 332 s to verify a view of 1M events). Autovacuum keeps statistics fresh; where it is off (some managed
 * or test servers) a bulk-loaded log has none. So at start, when autovacuum is off and the table's
 * statistics are missing or far behind its rows, the store runs ANALYZE (a sample, well under a second)
 * and says so; if it may not, it says what to run.
 */
import type { Pool } from 'pg';
import type { ConnectionLogger } from '../../core/connection-watch';

/** Below this many rows any plan is fast: no check. */
export const STATISTICS_MIN_ROWS = 10_000;

export interface TableState {
  /** 'off' when the server's autovacuum or the table's autovacuum_enabled is off. */
  readonly autovacuum: string;
  /** The rows the statistics counted; -1: never analyzed (PostgreSQL 14+). */
  readonly reltuples: number;
  /**
   * About how many rows it holds: its highest position (positions are dense). Not the statistics views'
   * live-row count, which a backend reports only some time after its writes.
   */
  readonly rows: number;
}

/** Refreshes the statistics of `table` when autovacuum is off and they are missing or stale. */
export async function refreshLogStatistics(
  pool: Pool,
  table: string,
  logger: ConnectionLogger,
): Promise<void> {
  const { rows } = await pool.query<{ autovacuum: string; reltuples: string; rows: string }>(
    `SELECT CASE WHEN current_setting('autovacuum') = 'off'
                   OR 'autovacuum_enabled=false' = ANY(coalesce(c.reloptions, '{}')) THEN 'off' ELSE 'on' END
              AS autovacuum,
            c.reltuples::text AS reltuples,
            (SELECT coalesce(max(position), 0) FROM ${table})::text AS rows
     FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table],
  );
  const row = rows[0];
  if (row === undefined) return;
  const state: TableState = {
    autovacuum: row.autovacuum,
    reltuples: Number(row.reltuples),
    rows: Number(row.rows),
  };
  if (!needsStatistics(state)) return;
  try {
    await pool.query(`ANALYZE ${table}`);
    logger.warn(
      `The event log table ${table} had no current planner statistics (autovacuum is off for it): ` +
        `analyzed it now. Keep autovacuum on, or run ANALYZE ${table} after loading events in bulk: without ` +
        'statistics, reads by event type sort the whole table for every page.',
    );
  } catch (error) {
    logger.warn(
      `The event log table ${table} has no current planner statistics (autovacuum is off for it) and ` +
        `Prism could not analyze it (${error instanceof Error ? error.message : String(error)}): run ANALYZE ${table}, or reads by event type ` +
        'will sort the whole table for every page.',
    );
  }
}

/** Autovacuum off, a table of some size, and statistics never taken or counting under half its rows. */
export function needsStatistics(state: TableState): boolean {
  if (state.autovacuum === 'on' || state.rows < STATISTICS_MIN_ROWS) return false;
  return state.reltuples < 0 || state.reltuples < state.rows / 2;
}
