/**
 * The table log's part of the environment (PRISM_EVENT_STORE=sql-table): which table, which columns, how
 * to stay gap-safe. Composed into the event store's variables (event-store.settings.ts); every name is
 * checked here, so a typo stops the start naming the variable, before any connection.
 *
 *   PRISM_EVENT_STORE=sql-table
 *   PRISM_SQL_LOG_TABLE=public.outbox
 *   PRISM_SQL_LOG_POSITION_COLUMN=id  PRISM_SQL_LOG_STREAM_COLUMN=aggregate_id
 *   PRISM_SQL_LOG_TYPE_COLUMN=event_type  PRISM_SQL_LOG_DATA_COLUMN=payload
 */
import { z } from 'zod';
import {
  type ConfigProblem,
  type EnvVariables,
  type ParsedVariables,
  type RawEnv,
  rawValue,
  urlWithScheme,
} from '../../config/env-variable';
import { IDENTIFIER_RULE, isIdentifier, parseQualifiedName } from './sql-identifiers';
import { GAP_SAFETY_MODES, MAX_DELAY_MS, type GapSafety, type SqlTableMapping } from './sql-log-mapping';

/** What the ready-made server opens for PRISM_EVENT_STORE=sql-table (see sqlTableEventLog's options). */
export interface SqlTableLogSettings {
  readonly kind: 'sql-table';
  readonly url: string;
  readonly mapping: SqlTableMapping;
  readonly gapSafety: GapSafety;
  readonly pollIntervalMs: number;
}

const tableName = z
  .string()
  .trim()
  .refine((value) => parseQualifiedName(value) !== undefined, {
    message: `expected table or schema.table, each part ${IDENTIFIER_RULE}`,
  });

const columnName = z
  .string()
  .trim()
  .refine(isIdentifier, { message: `expected a column name: ${IDENTIFIER_RULE}` });

function column(role: string, example: string, optional?: string) {
  return {
    schema: columnName.optional(),
    hint: `the column that holds ${role}, e.g. ${example}${optional === undefined ? '' : `; ${optional}`}`,
  };
}

export const SQL_LOG_VARIABLES = {
  PRISM_SQL_LOG_URL: {
    schema: urlWithScheme(['postgres', 'postgresql']).optional(),
    hint: 'the PostgreSQL that holds the table to read, e.g. PRISM_SQL_LOG_URL=postgres://reader:password@127.0.0.1:5432/shop (default PRISM_PG_URL); the user needs only SELECT on the table',
    secret: true,
  },
  PRISM_SQL_LOG_TABLE: {
    schema: tableName.optional(),
    hint: 'the table or view another tool writes the events to, e.g. PRISM_SQL_LOG_TABLE=public.outbox (names are case-sensitive)',
  },
  PRISM_SQL_LOG_POSITION_COLUMN: column(
    'each event’s unique, increasing position (bigserial or identity)',
    'PRISM_SQL_LOG_POSITION_COLUMN=id',
  ),
  PRISM_SQL_LOG_STREAM_COLUMN: column(
    'the stream (aggregate) id',
    'PRISM_SQL_LOG_STREAM_COLUMN=aggregate_id',
  ),
  PRISM_SQL_LOG_TYPE_COLUMN: column('the event type', 'PRISM_SQL_LOG_TYPE_COLUMN=event_type'),
  PRISM_SQL_LOG_DATA_COLUMN: column(
    'the event data (jsonb, json or text)',
    'PRISM_SQL_LOG_DATA_COLUMN=payload',
  ),
  PRISM_SQL_LOG_METADATA_COLUMN: column(
    'metadata as a JSON object',
    'PRISM_SQL_LOG_METADATA_COLUMN=headers',
    'optional',
  ),
  PRISM_SQL_LOG_TIMESTAMP_COLUMN: column(
    'when the event happened',
    'PRISM_SQL_LOG_TIMESTAMP_COLUMN=occurred_at',
    'optional (without it, events are dated 1970-01-01)',
  ),
  PRISM_SQL_LOG_EVENT_ID_COLUMN: column(
    'a unique event id',
    'PRISM_SQL_LOG_EVENT_ID_COLUMN=event_id',
    'optional (without it, a stable id is derived from the table and the position)',
  ),
  PRISM_SQL_LOG_REVISION_COLUMN: column(
    'the event’s revision in its stream',
    'PRISM_SQL_LOG_REVISION_COLUMN=version',
    'optional (without it, revisions are derived by counting the stream’s rows)',
  ),
  PRISM_SQL_LOG_FIRST_REVISION: {
    schema: z
      .enum(['0', '1'], { message: 'expected 0 or 1' })
      .transform((value) => Number(value) as 0 | 1)
      .optional(),
    hint: 'the revision column’s value for a stream’s first event: 0 (default) or 1 (Marten, Emmett)',
  },
  PRISM_SQL_LOG_GAP_SAFETY: {
    schema: z
      .enum(GAP_SAFETY_MODES as [GapSafety['mode'], ...GapSafety['mode'][]], {
        message: `expected one of ${GAP_SAFETY_MODES.join(', ')}`,
      })
      .default('writer-locks'),
    hint: 'how the reader stays safe from writers that commit out of position order: writer-locks (default; waits for the transactions writing to the table), delay (needs PRISM_SQL_LOG_DELAY_MS) or commit-ordered (the writer guarantees position order); see src/eventstore/sql-log/README.md',
  },
  PRISM_SQL_LOG_WRITER_TABLES: {
    schema: z
      .string()
      .trim()
      .transform((value) => value.split(',').map((part) => part.trim()))
      .refine((tables) => tables.every((table) => parseQualifiedName(table) !== undefined), {
        message: 'expected comma-separated table names such as public.outbox',
      })
      .optional(),
    hint: 'with writer-locks on a view: the tables the writers insert into, comma-separated, e.g. PRISM_SQL_LOG_WRITER_TABLES=public.outbox',
  },
  PRISM_SQL_LOG_DELAY_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(1, `expected 1..${MAX_DELAY_MS}`)
      .max(MAX_DELAY_MS, `expected 1..${MAX_DELAY_MS}`)
      .optional(),
    hint: 'with PRISM_SQL_LOG_GAP_SAFETY=delay: how long after a position is first seen it is delivered, in ms; longer than any writer transaction, e.g. PRISM_SQL_LOG_DELAY_MS=5000',
  },
  PRISM_SQL_LOG_POLL_INTERVAL_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(10, 'expected 10..60000')
      .max(60_000, 'expected 10..60000')
      .default(250),
    hint: 'how often a live subscription looks for new rows, in ms, e.g. PRISM_SQL_LOG_POLL_INTERVAL_MS=250',
  },
} as const satisfies EnvVariables;

export type SqlLogEnv = ParsedVariables<typeof SQL_LOG_VARIABLES>;

const REQUIRED = [
  'PRISM_SQL_LOG_TABLE',
  'PRISM_SQL_LOG_POSITION_COLUMN',
  'PRISM_SQL_LOG_STREAM_COLUMN',
  'PRISM_SQL_LOG_TYPE_COLUMN',
  'PRISM_SQL_LOG_DATA_COLUMN',
] as const;

/** What PRISM_EVENT_STORE=sql-table needs besides well-formed values, checked on the raw environment. */
export function sqlLogProblems(env: RawEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const required = (variable: string, problem: string): void => {
    problems.push({ variable, value: undefined, problem });
  };
  for (const variable of REQUIRED) {
    if (rawValue(env, variable) === undefined)
      required(variable, 'required when PRISM_EVENT_STORE=sql-table');
  }
  if (rawValue(env, 'PRISM_SQL_LOG_URL') === undefined && rawValue(env, 'PRISM_PG_URL') === undefined) {
    required('PRISM_SQL_LOG_URL', 'required when PRISM_EVENT_STORE=sql-table (or set PRISM_PG_URL)');
  }
  const mode = rawValue(env, 'PRISM_SQL_LOG_GAP_SAFETY')?.trim() ?? 'writer-locks';
  if (mode === 'delay' && rawValue(env, 'PRISM_SQL_LOG_DELAY_MS') === undefined)
    required('PRISM_SQL_LOG_DELAY_MS', 'required when PRISM_SQL_LOG_GAP_SAFETY=delay');
  const unused = (variable: string, when: string): void => {
    const value = rawValue(env, variable);
    if (value !== undefined) problems.push({ variable, value, problem: `only used ${when}; remove it` });
  };
  if (mode !== 'delay') unused('PRISM_SQL_LOG_DELAY_MS', 'with PRISM_SQL_LOG_GAP_SAFETY=delay');
  if (mode !== 'writer-locks')
    unused('PRISM_SQL_LOG_WRITER_TABLES', 'with PRISM_SQL_LOG_GAP_SAFETY=writer-locks');
  if (rawValue(env, 'PRISM_SQL_LOG_REVISION_COLUMN') === undefined)
    unused('PRISM_SQL_LOG_FIRST_REVISION', 'with PRISM_SQL_LOG_REVISION_COLUMN');
  return problems;
}

/** The table log's settings (their presence was checked by sqlLogProblems). */
export function sqlLogSettings(env: SqlLogEnv, pgUrl: string | undefined): SqlTableLogSettings {
  const optional = <K extends keyof SqlTableMapping>(key: K, value: SqlTableMapping[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  const mapping: SqlTableMapping = {
    table: env.PRISM_SQL_LOG_TABLE!,
    position: env.PRISM_SQL_LOG_POSITION_COLUMN!,
    streamId: env.PRISM_SQL_LOG_STREAM_COLUMN!,
    type: env.PRISM_SQL_LOG_TYPE_COLUMN!,
    data: env.PRISM_SQL_LOG_DATA_COLUMN!,
    ...optional('metadata', env.PRISM_SQL_LOG_METADATA_COLUMN),
    ...optional('timestamp', env.PRISM_SQL_LOG_TIMESTAMP_COLUMN),
    ...optional('eventId', env.PRISM_SQL_LOG_EVENT_ID_COLUMN),
    ...optional('revision', env.PRISM_SQL_LOG_REVISION_COLUMN),
    ...optional('firstRevision', env.PRISM_SQL_LOG_FIRST_REVISION),
  };
  return {
    kind: 'sql-table',
    url: (env.PRISM_SQL_LOG_URL ?? pgUrl)!,
    mapping,
    gapSafety: gapSafetyOf(env),
    pollIntervalMs: env.PRISM_SQL_LOG_POLL_INTERVAL_MS,
  };
}

function gapSafetyOf(env: SqlLogEnv): GapSafety {
  switch (env.PRISM_SQL_LOG_GAP_SAFETY) {
    case 'writer-locks':
      return {
        mode: 'writer-locks',
        ...(env.PRISM_SQL_LOG_WRITER_TABLES !== undefined && {
          writerTables: env.PRISM_SQL_LOG_WRITER_TABLES,
        }),
      };
    case 'delay':
      return { mode: 'delay', delayMs: env.PRISM_SQL_LOG_DELAY_MS! };
    case 'commit-ordered':
      return { mode: 'commit-ordered' };
  }
}
