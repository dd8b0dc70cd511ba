/**
 * The event store's part of the environment: which store (PRISM_EVENT_STORE) and how to reach it
 * (PRISM_PG_URL and PRISM_PG_SCHEMA, PRISM_ESDB_URL, the embedded file in PRISM_DATA_DIR, or for a table
 * another tool writes, the PRISM_SQL_LOG_* variables of sql-log/sql-log.settings.ts). The config
 * loader (src/config) composes these variables with the core's and the view stores'; a view store module
 * that keeps its views in the same PostgreSQL reads PRISM_PG_URL and PRISM_PG_SCHEMA too.
 */
import path from 'node:path';
import { z } from 'zod';
import {
  type ConfigProblem,
  type EnvVariables,
  type ParsedVariables,
  type RawEnv,
  rawValue,
  redactUrlPassword,
  urlWithScheme,
} from '../config/env-variable';
import {
  SQL_LOG_VARIABLES,
  sqlLogProblems,
  sqlLogSettings,
  type SqlTableLogSettings,
} from './sql-log/sql-log.settings';

export const EVENT_STORE_KINDS = ['embedded', 'postgres', 'kurrentdb', 'sql-table'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

/**
 * Where events live; mirrors the event store factory's EventStoreConfig. `sql-table` is read-only: a table
 * another tool writes (isReadOnlyLog), so nothing of Prism may append to it.
 */
export type EventStoreSettings =
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly kind: 'embedded'; readonly file: string }
  | { readonly kind: 'kurrentdb'; readonly connectionString: string }
  | SqlTableLogSettings;

/** Whether the configured log is read-only: then the command routes are not mounted. */
export function isReadOnlyLog(settings: EventStoreSettings): settings is SqlTableLogSettings {
  return settings.kind === 'sql-table';
}

/** File name of the embedded event store inside PRISM_DATA_DIR. */
export const EMBEDDED_EVENT_STORE_FILE = 'prism-events.sqlite';

/** The URL schemes of a KurrentDB connection string. */
export const KURRENTDB_SCHEMES = [
  'kurrentdb',
  'kurrentdb+discover',
  'kdb',
  'kdb+discover',
  'esdb',
  'esdb+discover',
];

export const EVENT_STORE_VARIABLES = {
  PRISM_EVENT_STORE: {
    schema: z
      .enum(EVENT_STORE_KINDS, { message: `expected one of ${EVENT_STORE_KINDS.join(', ')}` })
      .optional(),
    hint: 'which event store to use: embedded (SQLite file in PRISM_DATA_DIR), postgres (needs PRISM_PG_URL), kurrentdb (needs PRISM_ESDB_URL) or sql-table (read-only: a table another tool writes, see PRISM_SQL_LOG_TABLE); default postgres when PRISM_PG_URL is set, else embedded',
  },
  PRISM_PG_URL: {
    schema: urlWithScheme(['postgres', 'postgresql']).optional(),
    hint: 'a PostgreSQL connection URL, e.g. PRISM_PG_URL=postgres://user:password@127.0.0.1:5432/prism',
    secret: true,
  },
  PRISM_PG_SCHEMA: {
    schema: z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase SQL identifier (letters, digits, _)')
      .default('prism'),
    hint: 'the PostgreSQL schema for Prism tables, e.g. PRISM_PG_SCHEMA=prism',
  },
  PRISM_ESDB_URL: {
    schema: urlWithScheme(KURRENTDB_SCHEMES).optional(),
    hint: 'a KurrentDB connection string, e.g. PRISM_ESDB_URL=kurrentdb://127.0.0.1:2113?tls=false',
    secret: true,
  },
  ...SQL_LOG_VARIABLES,
} as const satisfies EnvVariables;

export type EventStoreEnv = ParsedVariables<typeof EVENT_STORE_VARIABLES>;

/** The store a kind needs, checked on the raw values so it is reported with per-field errors. */
export function eventStoreProblems(env: RawEnv): ConfigProblem[] {
  const kind = rawValue(env, 'PRISM_EVENT_STORE')?.trim();
  if (kind === 'sql-table') return sqlLogProblems(env);
  const required: Partial<Record<string, string>> = {
    postgres: 'PRISM_PG_URL',
    kurrentdb: 'PRISM_ESDB_URL',
  };
  const needed = kind === undefined ? undefined : required[kind];
  if (needed === undefined || rawValue(env, needed) !== undefined) return [];
  return [{ variable: needed, value: undefined, problem: `required when PRISM_EVENT_STORE=${kind}` }];
}

/** The event store's settings (presence of its URL was checked by eventStoreProblems). */
export function eventStoreSettings(env: EventStoreEnv, dataDir: string): EventStoreSettings {
  const kind: EventStoreKind =
    env.PRISM_EVENT_STORE ?? (env.PRISM_PG_URL !== undefined ? 'postgres' : 'embedded');
  switch (kind) {
    case 'postgres':
      return { kind, url: env.PRISM_PG_URL!, schema: env.PRISM_PG_SCHEMA };
    case 'kurrentdb':
      return { kind, connectionString: env.PRISM_ESDB_URL! };
    case 'embedded':
      return { kind, file: path.join(dataDir, EMBEDDED_EVENT_STORE_FILE) };
    case 'sql-table':
      return sqlLogSettings(env, env.PRISM_PG_URL);
  }
}

/** One line for the start-up banner and status pages; never includes credentials. */
export function describeEventStore(settings: EventStoreSettings): string {
  switch (settings.kind) {
    case 'postgres':
      return `postgres (${redactUrlPassword(settings.url)}, schema ${settings.schema})`;
    case 'kurrentdb':
      return `kurrentdb (${redactUrlPassword(settings.connectionString)})`;
    case 'embedded':
      return `embedded (${settings.file})`;
    case 'sql-table':
      return (
        `sql-table, read-only (${redactUrlPassword(settings.url)}, table ${settings.mapping.table}, ` +
        `gap safety ${settings.gapSafety.mode})`
      );
  }
}
