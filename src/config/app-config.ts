/**
 * Prism's typed configuration, read once from the environment at start-up. A bad environment fails the
 * start with one error that lists every bad variable and how to fix it, instead of failing later on first use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ApiKey, parseApiKeys, type QueryAuthMode, redactApiKeys } from '../auth/api-keys';
import type { LogFormat } from '../observability/logging/log-format';
import { type TracingSettings, tracingSettingsOf } from '../observability/tracing/tracing-settings';
import {
  ENV_VARIABLES,
  envSchema,
  type EnvVariableName,
  type EventStoreKind,
  type ParsedEnv,
  SECRET_VARIABLES,
} from './env.schema';
import { resolveSecretFiles, type ReadSecretFile } from './secret-files';

/** Where events live; mirrors the event store factory's EventStoreConfig. */
export type EventStoreSettings =
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly kind: 'embedded'; readonly file: string }
  | { readonly kind: 'kurrentdb'; readonly connectionString: string };

export interface AppConfig {
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** PRISM_SHUTDOWN_TIMEOUT_MS: the whole graceful shutdown's budget (src/lifecycle/graceful-shutdown.ts). */
    readonly shutdownTimeoutMs: number;
  };
  readonly eventStore: EventStoreSettings;
  /** Absolute directory for local state (the embedded event store file lives here). */
  readonly dataDir: string;
  /** PostgreSQL, when configured: the event store and/or the relational projection target. */
  readonly postgres?: { readonly url: string; readonly schema: string };
  readonly elasticsearch?: ElasticsearchSettings;
  readonly neo4j?: Neo4jSettings;
  /** Absolute folder of the projection definitions the app runs. */
  readonly projectionsDir: string;
  readonly projections: {
    /** PRISM_STALL_AFTER_MS: no progress for this long while a store is in trouble reports `stalled`. */
    readonly stallAfterMs: number;
  };
  readonly commands: {
    /** How long an Idempotency-Key claim protects a running command before a retry may take it over. */
    readonly idempotencyLeaseMs: number;
  };
  readonly queries: {
    /** Longest a query with a read-your-writes token waits for its view (caps `?wait=`). */
    readonly readWaitMaxMs: number;
  };
  readonly auth: {
    /** PRISM_API_KEYS; empty means development mode (writer and reader API open, admin API off). */
    readonly apiKeys: readonly ApiKey[];
    /** PRISM_QUERY_AUTH: whether the query API needs a key. */
    readonly queryAuth: QueryAuthMode;
  };
  /** PRISM_LOG_FORMAT; absent: pretty on a terminal, json otherwise (resolveLogFormat). */
  readonly logFormat?: LogFormat;
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_*); absent: tracing off, nothing loaded. */
  readonly tracing?: TracingSettings;
}

/** How to reach Elasticsearch; `auth` and the CA are optional (a secured cluster needs them). */
export interface ElasticsearchSettings {
  readonly url: string;
  readonly refresh: boolean | 'wait_for';
  readonly auth?: { readonly apiKey: string } | { readonly username: string; readonly password: string };
  /** PEM text of the CA certificate (read from PRISM_ES_CA_FILE at start-up). */
  readonly caPem?: string;
  readonly caFingerprint?: string;
}

/** How to reach Neo4j; TLS comes from the URL scheme (`+s`, `+ssc`) or from a CA file. */
export interface Neo4jSettings {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly caFile?: string;
}

/** File name of the embedded event store inside PRISM_DATA_DIR. */
export const EMBEDDED_EVENT_STORE_FILE = 'prism-events.sqlite';

export interface ConfigProblem {
  readonly variable: EnvVariableName;
  /** The raw value, or undefined when the variable is missing. */
  readonly value: string | undefined;
  readonly problem: string;
}

/** The environment is invalid; the message lists every bad variable with the fix for each. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Prism cannot start: ${problems.length} environment variable${problems.length === 1 ? ' is' : 's are'} invalid.\n` +
        problems
          .map(
            ({ variable, value, problem }) =>
              `  - ${variable}${value === undefined ? ' (not set)' : `=${JSON.stringify(redact(variable, value))}`}: ${problem}. ` +
              `Set ${variable} to ${ENV_VARIABLES[variable].hint}.`,
          )
          .join('\n'),
    );
  }
}

/** Never print a database password or an API key into a log. */
function redact(variable: EnvVariableName, value: string): string {
  if (variable === 'PRISM_API_KEYS') return redactApiKeys(value);
  // Other secrets (passwords, API keys, OTLP headers) are never echoed, not even in part.
  if (!variable.endsWith('_URL')) return 'secret' in ENV_VARIABLES[variable] ? '***' : value;
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Reads and validates the environment; throws ConfigValidationError listing every problem at once.
 * A secret may come from a file named by `<VAR>_FILE` (secret-files.ts).
 */
export function loadConfig(
  rawEnv: Readonly<Record<string, string | undefined>> = process.env,
  readSecretFile?: ReadSecretFile,
): AppConfig {
  const secrets = resolveSecretFiles(rawEnv, SECRET_VARIABLES, readSecretFile);
  const env = secrets.env;
  const parsed = envSchema.safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = issue.path[0] as EnvVariableName;
        const value = rawValue(env, variable);
        return {
          variable,
          value: value === undefined ? value : redact(variable, value),
          problem: issue.message,
        };
      });
  for (const { variable, problem } of secrets.problems)
    problems.push({ variable: variable as EnvVariableName, value: undefined, problem });
  problems.push(...crossFieldProblems(env));
  const caPem = readCaFile(env, 'PRISM_ES_CA_FILE', problems);
  if (rawValue(env, 'PRISM_NEO4J_CA_FILE') !== undefined) readCaFile(env, 'PRISM_NEO4J_CA_FILE', problems);
  if (problems.length > 0 || !parsed.success) throw new ConfigValidationError(dedupe(problems));
  return toAppConfig(parsed.data, caPem);
}

function rawValue(env: Readonly<Record<string, string | undefined>>, name: EnvVariableName) {
  const value = env[name];
  return value === '' ? undefined : value;
}

/** Rules between variables; checked on the raw values so they are reported together with per-field errors. */
function crossFieldProblems(env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const kind = rawValue(env, 'PRISM_EVENT_STORE')?.trim();
  const required: Partial<Record<string, EnvVariableName>> = {
    postgres: 'PRISM_PG_URL',
    kurrentdb: 'PRISM_ESDB_URL',
  };
  const needed = kind === undefined ? undefined : required[kind];
  const problems: ConfigProblem[] = [];
  if (needed !== undefined && rawValue(env, needed) === undefined)
    problems.push({ variable: needed, value: undefined, problem: `required when PRISM_EVENT_STORE=${kind}` });
  // Keyed queries without keys would silently serve reads to anyone (development mode).
  const esApiKey = rawValue(env, 'PRISM_ES_API_KEY');
  const esUser = rawValue(env, 'PRISM_ES_USERNAME');
  const esPassword = rawValue(env, 'PRISM_ES_PASSWORD');
  if (esApiKey !== undefined && esUser !== undefined)
    problems.push({
      variable: 'PRISM_ES_API_KEY',
      value: undefined,
      problem: 'set either PRISM_ES_API_KEY or PRISM_ES_USERNAME/PRISM_ES_PASSWORD, not both',
    });
  if ((esUser === undefined) !== (esPassword === undefined))
    problems.push({
      variable: esUser === undefined ? 'PRISM_ES_USERNAME' : 'PRISM_ES_PASSWORD',
      value: undefined,
      problem: 'PRISM_ES_USERNAME and PRISM_ES_PASSWORD go together',
    });
  if (
    rawValue(env, 'PRISM_ES_CA_FILE') !== undefined &&
    rawValue(env, 'PRISM_ES_CA_FINGERPRINT') !== undefined
  )
    problems.push({
      variable: 'PRISM_ES_CA_FINGERPRINT',
      value: undefined,
      problem: 'set either PRISM_ES_CA_FILE or PRISM_ES_CA_FINGERPRINT, not both',
    });
  if (
    rawValue(env, 'PRISM_NEO4J_USERNAME') !== undefined &&
    rawValue(env, 'PRISM_NEO4J_PASSWORD') === undefined
  )
    problems.push({
      variable: 'PRISM_NEO4J_PASSWORD',
      value: undefined,
      problem: 'required when PRISM_NEO4J_USERNAME is set',
    });
  // The driver takes encryption from the URL scheme or from its config, never both.
  if (
    rawValue(env, 'PRISM_NEO4J_CA_FILE') !== undefined &&
    /^[a-z]+\+s{1,2}c?:/i.test(rawValue(env, 'PRISM_NEO4J_URL')?.trim() ?? '')
  )
    problems.push({
      variable: 'PRISM_NEO4J_CA_FILE',
      value: undefined,
      problem:
        'use a bolt:// or neo4j:// URL with a CA file (a +s or +ssc URL already chooses how to trust the server)',
    });
  if (rawValue(env, 'PRISM_QUERY_AUTH')?.trim() === 'keyed' && rawValue(env, 'PRISM_API_KEYS') === undefined)
    problems.push({
      variable: 'PRISM_API_KEYS',
      value: undefined,
      problem: 'required when PRISM_QUERY_AUTH=keyed',
    });
  return problems;
}

/** A CA file is read at start-up, so a wrong path stops the start naming the variable (not at first use). */
function readCaFile(
  env: Readonly<Record<string, string | undefined>>,
  variable: 'PRISM_ES_CA_FILE' | 'PRISM_NEO4J_CA_FILE',
  problems: ConfigProblem[],
): string | undefined {
  const file = rawValue(env, variable)?.trim();
  if (file === undefined) return undefined;
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push({ variable, value: file, problem: 'the file holds no PEM certificate' });
      return undefined;
    }
    return pem;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push({ variable, value: file, problem: `cannot be read (${code})` });
    return undefined;
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.variable}\u0000${p.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function elasticsearchSettings(
  env: ParsedEnv,
  url: string,
  caPem: string | undefined,
): ElasticsearchSettings {
  const auth =
    env.PRISM_ES_API_KEY !== undefined
      ? { apiKey: env.PRISM_ES_API_KEY }
      : env.PRISM_ES_USERNAME !== undefined && env.PRISM_ES_PASSWORD !== undefined
        ? { username: env.PRISM_ES_USERNAME, password: env.PRISM_ES_PASSWORD }
        : undefined;
  return {
    url,
    refresh: env.PRISM_ES_REFRESH === 'wait_for' ? 'wait_for' : env.PRISM_ES_REFRESH === 'true',
    ...(auth && { auth }),
    ...(caPem !== undefined && { caPem }),
    ...(env.PRISM_ES_CA_FINGERPRINT !== undefined && { caFingerprint: env.PRISM_ES_CA_FINGERPRINT }),
  };
}

function neo4jSettings(env: ParsedEnv, url: string): Neo4jSettings {
  return {
    url,
    ...(env.PRISM_NEO4J_PASSWORD !== undefined && {
      auth: { username: env.PRISM_NEO4J_USERNAME ?? 'neo4j', password: env.PRISM_NEO4J_PASSWORD },
    }),
    ...(env.PRISM_NEO4J_CA_FILE !== undefined && { caFile: path.resolve(env.PRISM_NEO4J_CA_FILE) }),
  };
}

function toAppConfig(env: ParsedEnv, esCaPem: string | undefined): AppConfig {
  const dataDir = path.resolve(env.PRISM_DATA_DIR);
  const postgres =
    env.PRISM_PG_URL === undefined ? undefined : { url: env.PRISM_PG_URL, schema: env.PRISM_PG_SCHEMA };
  const kind: EventStoreKind = env.PRISM_EVENT_STORE ?? (postgres ? 'postgres' : 'embedded');
  return {
    http: { port: env.PORT, host: env.HOST, shutdownTimeoutMs: env.PRISM_SHUTDOWN_TIMEOUT_MS },
    eventStore: eventStoreSettings(kind, env, dataDir),
    dataDir,
    ...(postgres && { postgres }),
    ...(env.PRISM_ES_URL !== undefined && {
      elasticsearch: elasticsearchSettings(env, env.PRISM_ES_URL, esCaPem),
    }),
    ...(env.PRISM_NEO4J_URL !== undefined && { neo4j: neo4jSettings(env, env.PRISM_NEO4J_URL) }),
    projectionsDir: path.resolve(env.PRISM_PROJECTIONS_DIR),
    projections: { stallAfterMs: env.PRISM_STALL_AFTER_MS },
    commands: { idempotencyLeaseMs: env.PRISM_IDEMPOTENCY_LEASE_SECONDS * 1000 },
    queries: { readWaitMaxMs: env.PRISM_READ_WAIT_MAX_MS },
    auth: {
      apiKeys: env.PRISM_API_KEYS === undefined ? [] : parseApiKeys(env.PRISM_API_KEYS).keys,
      queryAuth: env.PRISM_QUERY_AUTH,
    },
    ...(env.PRISM_LOG_FORMAT !== undefined && { logFormat: env.PRISM_LOG_FORMAT }),
    ...tracingOf(env),
  };
}

function tracingOf(env: ParsedEnv): { tracing?: TracingSettings } {
  const tracing = tracingSettingsOf({
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    tracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    headers: env.OTEL_EXPORTER_OTLP_HEADERS,
    serviceName: env.OTEL_SERVICE_NAME,
    disabled: env.OTEL_SDK_DISABLED === 'true',
  });
  return tracing === undefined ? {} : { tracing };
}

function eventStoreSettings(kind: EventStoreKind, env: ParsedEnv, dataDir: string): EventStoreSettings {
  switch (kind) {
    case 'postgres':
      // Presence was checked in crossFieldProblems.
      return { kind, url: env.PRISM_PG_URL!, schema: env.PRISM_PG_SCHEMA };
    case 'kurrentdb':
      return { kind, connectionString: env.PRISM_ESDB_URL! };
    case 'embedded':
      return { kind, file: path.join(dataDir, EMBEDDED_EVENT_STORE_FILE) };
  }
}

/** One line for the start-up banner and status pages; never includes credentials. */
export function describeEventStore(settings: EventStoreSettings): string {
  switch (settings.kind) {
    case 'postgres':
      return `postgres (${redact('PRISM_PG_URL', settings.url)}, schema ${settings.schema})`;
    case 'kurrentdb':
      return `kurrentdb (${redact('PRISM_ESDB_URL', settings.connectionString)})`;
    case 'embedded':
      return `embedded (${settings.file})`;
  }
}
