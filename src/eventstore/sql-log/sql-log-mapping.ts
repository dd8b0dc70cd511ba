/**
 * How a table (or view) that another tool writes becomes Prism's event log: which columns hold the
 * position, the stream, the type, the data and, optionally, the metadata, the time, the event id and the
 * stream revision; and how the reader stays safe from writers that commit out of position order
 * (README.md in this folder, "Gap safety").
 *
 * The mapping is checked twice: its names here, before any connection (so a typo in an environment
 * variable stops the start with every problem listed), and against the database's catalog on first use
 * (sql-log-catalog.ts: the table exists, the columns exist and have usable types).
 */
import { identifierProblem, qualifiedNameProblem } from './sql-identifiers';

/** Which table or view holds the events, and which of its columns hold each part of an event. */
export interface SqlTableMapping {
  /** Table or view, optionally schema-qualified: `outbox`, `public.outbox`. Names are case-sensitive. */
  readonly table: string;
  /**
   * Integer column (bigint, integer, numeric), unique, > 0: the event's place in the log and Prism's
   * checkpoint. Usually a bigserial or identity column.
   */
  readonly position: string;
  /** The stream (aggregate) an event belongs to; compared as text. */
  readonly streamId: string;
  /** The event type; compared as text. */
  readonly type: string;
  /** The event's data: jsonb, json, or text holding JSON. */
  readonly data: string;
  /** jsonb, json, or text holding a JSON object; its fields become the event's metadata. */
  readonly metadata?: string;
  /** timestamptz, timestamp (read as UTC) or text: when the event happened. */
  readonly timestamp?: string;
  /** Unique event id (any type, read as text). Absent: a stable id is derived from the table and position. */
  readonly eventId?: string;
  /**
   * Integer revision of the event in its stream. Absent: derived by counting the stream's earlier rows,
   * which assumes rows are never deleted (see README.md, "Revisions").
   */
  readonly revision?: string;
  /** The revision column's value for a stream's first event: 0 (Prism's convention, default) or 1. */
  readonly firstRevision?: 0 | 1;
}

/**
 * How the reader makes sure a row that commits late, below a position it already delivered, is never
 * skipped. README.md in this folder explains each mode, what it asks of the writers and what it costs.
 */
export type GapSafety =
  /**
   * Default for tables: a position is delivered once every transaction that was writing to the table when
   * the position was seen has ended (PostgreSQL's lock table, pg_locks). `writerTables`: the tables writers
   * insert into, when the source is a view (default: the source table).
   */
  | { readonly mode: 'writer-locks'; readonly writerTables?: readonly string[] }
  /** Any source: a position is delivered `delayMs` after it was first seen. */
  | { readonly mode: 'delay'; readonly delayMs: number }
  /** The writer guarantees positions become visible in position order (one writer, or serialized commits). */
  | { readonly mode: 'commit-ordered' };

export type GapSafetyMode = GapSafety['mode'];
export const GAP_SAFETY_MODES: readonly GapSafetyMode[] = ['writer-locks', 'delay', 'commit-ordered'];

/** Longest visibility delay accepted: a longer one is almost certainly a unit mistake (seconds for ms). */
export const MAX_DELAY_MS = 3_600_000;

/** The mapping does not fit the database (or is not well-formed): every problem, each with its fix. */
export class SqlLogMappingError extends Error {
  override readonly name = 'SqlLogMappingError';
  constructor(
    readonly table: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Cannot read events from the table "${table}": ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}.\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}

const REQUIRED_COLUMNS = ['position', 'streamId', 'type', 'data'] as const;
const OPTIONAL_COLUMNS = ['metadata', 'timestamp', 'eventId', 'revision'] as const;
export type MappedColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Every problem with the mapping's shape and names (no database needed). */
export function mappingProblems(mapping: SqlTableMapping, gapSafety?: GapSafety): string[] {
  const problems: string[] = [];
  const tableProblem =
    typeof mapping.table === 'string' ? qualifiedNameProblem(mapping.table) : 'table: a name is required';
  if (tableProblem !== undefined) problems.push(`table: ${tableProblem}`);
  for (const role of REQUIRED_COLUMNS) {
    const column = mapping[role];
    if (typeof column !== 'string' || column === '') {
      problems.push(`${role}: a column name is required`);
      continue;
    }
    const problem = identifierProblem(column);
    if (problem !== undefined) problems.push(`${role}: ${problem}`);
  }
  for (const role of OPTIONAL_COLUMNS) {
    const column = mapping[role];
    if (column === undefined) continue;
    const problem = typeof column === 'string' ? identifierProblem(column) : 'expected a column name';
    if (problem !== undefined) problems.push(`${role}: ${problem}`);
  }
  if (mapping.firstRevision !== undefined) {
    if (mapping.firstRevision !== 0 && mapping.firstRevision !== 1)
      problems.push(`firstRevision: expected 0 or 1, got ${String(mapping.firstRevision)}`);
    else if (mapping.revision === undefined)
      problems.push('firstRevision: only meaningful with a revision column; set revision or leave it out');
  }
  if (gapSafety !== undefined) problems.push(...gapSafetyProblems(gapSafety));
  return problems;
}

function gapSafetyProblems(gapSafety: GapSafety): string[] {
  switch (gapSafety.mode) {
    case 'writer-locks':
      return (gapSafety.writerTables ?? []).flatMap((table) => {
        const problem = qualifiedNameProblem(table);
        return problem === undefined ? [] : [`gapSafety.writerTables: ${problem}`];
      });
    case 'delay':
      return Number.isSafeInteger(gapSafety.delayMs) &&
        gapSafety.delayMs >= 1 &&
        gapSafety.delayMs <= MAX_DELAY_MS
        ? []
        : [
            `gapSafety.delayMs: expected a whole number of milliseconds from 1 to ${MAX_DELAY_MS}, got ${String(gapSafety.delayMs)}`,
          ];
    case 'commit-ordered':
      return [];
    default:
      return [
        `gapSafety.mode: expected one of ${GAP_SAFETY_MODES.join(', ')}, got ${String((gapSafety as { mode?: unknown }).mode)}`,
      ];
  }
}
