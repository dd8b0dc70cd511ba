/**
 * Prism's typed configuration, read once from the environment at start-up. A bad environment fails the
 * start with one error that lists every bad variable and how to fix it, instead of failing later on first use.
 */
import path from 'node:path';
import { type ApiKey, parseApiKeys, type QueryAuthMode, redactApiKeys } from '../auth/api-keys';
import type { LogFormat } from '../observability/logging/log-format';
import type { PrismRole } from '../coordination/coordination.port';
import { type TracingSettings, tracingSettingsOf } from '../observability/tracing/tracing-settings';
import { storeModules } from '../stores/registry';
import {
  type ConfigProblem,
  type EnvVariables,
  type RawEnv,
  rawValue,
  redactUrlPassword,
} from './env-variable';
import {
  eventStoreProblems,
  eventStoreSettings,
  type EventStoreSettings,
} from '../eventstore/event-store.settings';
import { type CoreEnv, envSchema, envVariables, secretVariables } from './env.schema';
import { resolveSecretFiles, type ReadSecretFile } from './secret-files';

export type { ConfigProblem } from './env-variable';
export {
  describeEventStore,
  EMBEDDED_EVENT_STORE_FILE,
  type EventStoreSettings,
} from '../eventstore/event-store.settings';
import { ROLES_NEED_SHARED_STORE } from '../coordination/role-messages';

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
  /**
   * The configured view stores: store kind -> the settings its store module read (its `connection`
   * section, src/stores/<store>/<store>.connection.ts). A kind not listed is not configured.
   */
  readonly viewStores: Readonly<Record<string, unknown>>;
  /** Absolute folder of the projection definitions the app runs. */
  readonly projectionsDir: string;
  readonly projections: {
    /** PRISM_STALL_AFTER_MS: no progress for this long while a store is in trouble reports `stalled`. */
    readonly stallAfterMs: number;
    /** PRISM_SHARED_READER: the node's runners share one reader of the log (issue #17). */
    readonly sharedReader: boolean;
    /** PRISM_EVENT_CATALOG: the event catalog file (issue #16). */
    readonly eventCatalog?: string;
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
  /** Issue #15: this process among others (PRISM_ROLE, PRISM_NODE_ID, PRISM_LEASE_TTL_MS). */
  readonly node: {
    readonly role: PrismRole;
    /** Absent: `<hostname>-<pid>`. */
    readonly id?: string;
    readonly leaseTtlMs: number;
  };
  /** PRISM_LOG_FORMAT; absent: pretty on a terminal, json otherwise (resolveLogFormat). */
  readonly logFormat?: LogFormat;
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_*); absent: tracing off, nothing loaded. */
  readonly tracing?: TracingSettings;
}

/** The environment is invalid; the message lists every bad variable with the fix for each. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  constructor(
    readonly problems: readonly ConfigProblem[],
    variables: EnvVariables = envVariables(),
  ) {
    super(
      `Prism cannot start: ${problems.length} environment variable${problems.length === 1 ? ' is' : 's are'} invalid.\n` +
        problems
          .map(
            ({ variable, value, problem }) =>
              `  - ${variable}${value === undefined ? ' (not set)' : `=${JSON.stringify(redact(variable, value, variables))}`}: ${problem}. ` +
              `Set ${variable} to ${variables[variable]?.hint ?? 'a valid value'}.`,
          )
          .join('\n'),
    );
  }
}

/** Never print a database password or an API key into a log. */
function redact(variable: string, value: string, variables: EnvVariables = envVariables()): string {
  if (variable === 'PRISM_API_KEYS') return redactApiKeys(value);
  // Other secrets (passwords, API keys, OTLP headers) are never echoed, not even in part.
  if (!variable.endsWith('_URL')) return variables[variable]?.secret === true ? '***' : value;
  return redactUrlPassword(value);
}

/**
 * Reads and validates the environment; throws ConfigValidationError listing every problem at once.
 * A secret may come from a file named by `<VAR>_FILE` (secret-files.ts).
 */
export function loadConfig(
  rawEnv: Readonly<Record<string, string | undefined>> = process.env,
  readSecretFile?: ReadSecretFile,
): AppConfig {
  const variables = envVariables();
  const secrets = resolveSecretFiles(rawEnv, secretVariables(variables), readSecretFile);
  const env = secrets.env;
  const parsed = envSchema(variables).safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0]);
        const value = rawValue(env, variable);
        return {
          variable,
          value: value === undefined ? value : redact(variable, value, variables),
          problem: issue.message,
        };
      });
  for (const { variable, problem } of secrets.problems)
    problems.push({ variable, value: undefined, problem });
  problems.push(...crossFieldProblems(env));
  const values = parsed.success ? (parsed.data as Readonly<Record<string, unknown>>) : undefined;
  const dataDir = path.resolve(values === undefined ? '.' : (values as CoreEnv).PRISM_DATA_DIR);
  // Each view store reads its own variables (and reports its own problems, even when others are bad).
  const viewStores: Record<string, unknown> = {};
  for (const module of storeModules()) {
    const configured = module.connection.configure({ raw: env, parsed: values, dataDir });
    problems.push(...configured.problems);
    if (configured.settings !== undefined) viewStores[module.kind] = configured.settings;
  }
  if (problems.length > 0 || values === undefined)
    throw new ConfigValidationError(dedupe(problems), variables);
  return toAppConfig(values as CoreEnv, dataDir, viewStores);
}

/** Rules between the core's variables; checked on the raw values so they are reported with per-field errors. */
function crossFieldProblems(env: RawEnv): ConfigProblem[] {
  const problems = eventStoreProblems(env);
  // Keyed queries without keys would silently serve reads to anyone (development mode).
  if (rawValue(env, 'PRISM_QUERY_AUTH')?.trim() === 'keyed' && rawValue(env, 'PRISM_API_KEYS') === undefined)
    problems.push({
      variable: 'PRISM_API_KEYS',
      value: undefined,
      problem: 'required when PRISM_QUERY_AUTH=keyed',
    });
  // Several processes share leases and admin requests in PostgreSQL or KurrentDB; the embedded store is one
  // process's alone (issue #15).
  const role = rawValue(env, 'PRISM_ROLE')?.trim();
  const eventStore = rawValue(env, 'PRISM_EVENT_STORE')?.trim();
  if (
    (role === 'api' || role === 'worker') &&
    rawValue(env, 'PRISM_PG_URL') === undefined &&
    eventStore !== 'kurrentdb'
  )
    problems.push({
      variable: 'PRISM_ROLE',
      value: role,
      problem: ROLES_NEED_SHARED_STORE,
    });
  return problems;
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

function toAppConfig(
  env: CoreEnv,
  dataDir: string,
  viewStores: Readonly<Record<string, unknown>>,
): AppConfig {
  return {
    http: { port: env.PORT, host: env.HOST, shutdownTimeoutMs: env.PRISM_SHUTDOWN_TIMEOUT_MS },
    eventStore: eventStoreSettings(env, dataDir),
    dataDir,
    viewStores,
    projectionsDir: path.resolve(env.PRISM_PROJECTIONS_DIR),
    projections: {
      stallAfterMs: env.PRISM_STALL_AFTER_MS,
      sharedReader: env.PRISM_SHARED_READER,
      ...(env.PRISM_EVENT_CATALOG !== undefined && { eventCatalog: path.resolve(env.PRISM_EVENT_CATALOG) }),
    },
    commands: { idempotencyLeaseMs: env.PRISM_IDEMPOTENCY_LEASE_SECONDS * 1000 },
    queries: { readWaitMaxMs: env.PRISM_READ_WAIT_MAX_MS },
    auth: {
      apiKeys: env.PRISM_API_KEYS === undefined ? [] : parseApiKeys(env.PRISM_API_KEYS).keys,
      queryAuth: env.PRISM_QUERY_AUTH,
    },
    node: {
      role: env.PRISM_ROLE,
      ...(env.PRISM_NODE_ID !== undefined && { id: env.PRISM_NODE_ID }),
      leaseTtlMs: env.PRISM_LEASE_TTL_MS,
    },
    ...(env.PRISM_LOG_FORMAT !== undefined && { logFormat: env.PRISM_LOG_FORMAT }),
    ...tracingOf(env),
  };
}

function tracingOf(env: CoreEnv): { tracing?: TracingSettings } {
  const tracing = tracingSettingsOf({
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    tracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    headers: env.OTEL_EXPORTER_OTLP_HEADERS,
    serviceName: env.OTEL_SERVICE_NAME,
    disabled: env.OTEL_SDK_DISABLED === 'true',
  });
  return tracing === undefined ? {} : { tracing };
}
