/**
 * Every environment variable Prism reads: the core's table below, plus the tables the view store modules
 * contribute (their `connection.variables`, src/stores/<store>/<store>.connection.ts), composed by
 * `envVariables()`. Each entry: its zod schema, its default, and the hint shown when it is wrong. One
 * source gives the parser, the TS types and the start-up error message.
 *
 * To add a setting (a later issue's projection or auth options): add one entry here and map it in
 * app-config.ts; a view store's setting goes in its own connection section. Empty strings count as unset,
 * because `FOO=` in a compose file or shell means "no value".
 */
import { z } from 'zod';
import { storeModules } from '../stores/registry';
import { EVENT_STORE_VARIABLES } from '../eventstore/event-store.settings';
import { type EnvVariable, type EnvVariables, urlWithScheme } from './env-variable';
import { MIN_API_KEY_LENGTH, parseApiKeys, QUERY_AUTH_MODES, type QueryAuthMode } from '../auth/api-keys';
import { ROLES } from '../auth/roles';
import { LOG_FORMATS } from '../observability/logging/log-format';
import { PRISM_ROLES, type PrismRole } from '../coordination/coordination.port';
import { parseOtlpHeaders } from '../observability/tracing/tracing-settings';
import { PRISM_ROLE_HINT } from '../coordination/role-messages';
import { SHARED_READER_BY_DEFAULT } from '../runtime/runtime.options';

/** The core's variables. Each entry: the schema of the raw string and how a user fixes a bad value. */
export const CORE_VARIABLES = {
  PORT: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(0, 'expected 0..65535')
      .max(65535, 'expected 0..65535')
      .default(3000),
    hint: 'the TCP port the HTTP API listens on, e.g. PORT=3000 (0 picks a free port)',
  },
  HOST: {
    schema: z.string().trim().min(1).default('127.0.0.1'),
    hint: 'the interface to listen on; the default 127.0.0.1 is loopback only, use HOST=0.0.0.0 in a container',
  },
  ...EVENT_STORE_VARIABLES,
  PRISM_DATA_DIR: {
    schema: z.string().trim().min(1).default('./data'),
    hint: 'a writable directory for local state such as the embedded event store, e.g. PRISM_DATA_DIR=./data',
  },
  PRISM_PROJECTIONS_DIR: {
    schema: z.string().trim().min(1).default('./projections'),
    hint: 'the folder of projection definitions (*.yaml) that Prism runs, e.g. PRISM_PROJECTIONS_DIR=./projections',
  },
  PRISM_EVENT_CATALOG: {
    schema: z.string().trim().min(1).optional(),
    hint: 'the event catalog file (event payload schemas per version, upcasters), e.g. PRISM_EVENT_CATALOG=./projections/events.catalog.yaml; default: events.catalog.yaml in PRISM_PROJECTIONS_DIR when it exists',
  },
  PRISM_IDEMPOTENCY_LEASE_SECONDS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(1, 'expected 1..3600')
      .max(3600, 'expected 1..3600')
      .default(30),
    hint: 'how long a command holding an Idempotency-Key may run before a retry may take the key over; longer than your slowest command, e.g. 30',
  },
  PRISM_READ_WAIT_MAX_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(0, 'expected 0..600000')
      .max(600_000, 'expected 0..600000')
      .default(10_000),
    hint: 'the longest a query with a read-your-writes token (?after=) may wait for its view, in ms (?wait= is capped by it), e.g. 10000',
  },
  PRISM_STALL_AFTER_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(100, 'expected 100..3600000')
      .max(3_600_000, 'expected 100..3600000')
      .default(30_000),
    hint: 'how long a projection may make no progress while a store fails or does not answer before its status says stalled, in ms, e.g. 30000',
  },
  // Issue #17: one reader of the log per node (src/runtime/shared-log/).
  PRISM_SHARED_READER: {
    schema: z
      .enum(['on', 'off', 'true', 'false'], { message: 'expected on or off' })
      .default(SHARED_READER_BY_DEFAULT ? 'on' : 'off')
      .transform((value) => value === 'on' || value === 'true'),
    hint: 'on: the projections of this node share one reader of the event log (each page read once, fanned out to every runner); off: each runner reads the log on its own',
  },
  PRISM_SHUTDOWN_TIMEOUT_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(0, 'expected 0..600000')
      .max(600_000, 'expected 0..600000')
      .default(25_000),
    hint: 'how long a SIGTERM may take: draining commands, finishing the batches being committed and closing the stores, in ms; keep it below the orchestrator grace period (Kubernetes: 30 s), e.g. 25000',
  },
  PRISM_API_KEYS: {
    schema: z
      .string()
      .trim()
      .superRefine((value, context) => {
        for (const message of parseApiKeys(value).problems) context.addIssue({ code: 'custom', message });
      })
      .optional(),
    hint: `comma-separated role:key or role:name:key entries, roles ${ROLES.join('/')}, keys of at least ${MIN_API_KEY_LENGTH} characters, e.g. PRISM_API_KEYS=admin:<key>,writer:<key>,reader:<key>; unset runs the writer and reader API open and the admin API off`,
    secret: true,
  },
  PRISM_QUERY_AUTH: {
    schema: z
      .enum(QUERY_AUTH_MODES as [QueryAuthMode, ...QueryAuthMode[]], {
        message: `expected one of ${QUERY_AUTH_MODES.join(', ')}`,
      })
      .default('public'),
    hint: 'public (the query API needs no key) or keyed (it needs a reader, writer or admin key from PRISM_API_KEYS)',
  },
  // Issue #15: more than one Prism (src/nest/README.md, "Roles and nodes").
  PRISM_ROLE: {
    schema: z
      .enum(PRISM_ROLES as [PrismRole, ...PrismRole[]], {
        message: `expected one of ${PRISM_ROLES.join(', ')}`,
      })
      .default('all'),
    hint: PRISM_ROLE_HINT,
  },
  PRISM_NODE_ID: {
    schema: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/,
        'expected 1-128 letters, digits, ".", "_", ":", "@" or "-"',
      )
      .optional(),
    hint: 'how leases, status and `prism nodes` name this process, unique among the running ones, e.g. PRISM_NODE_ID=worker-1 (default <hostname>-<pid>)',
  },
  PRISM_LEASE_TTL_MS: {
    schema: z.coerce
      .number({ message: 'expected a number' })
      .int('expected an integer')
      .min(1_000, 'expected 1000..600000')
      .max(600_000, 'expected 1000..600000')
      .default(6_000),
    hint: "how long a node's lease on a projection lives unless renewed, in ms; a dead owner's projections are taken over within about this plus 1 s, e.g. 6000",
  },
  PRISM_LOG_FORMAT: {
    schema: z.enum(LOG_FORMATS, { message: `expected one of ${LOG_FORMATS.join(', ')}` }).optional(),
    hint: 'json (one JSON object per line) or pretty (coloured text); default pretty on a terminal, json otherwise',
  },
  // Tracing (src/observability/README.md, "Tracing"): the standard OpenTelemetry names, so a platform's
  // usual settings apply. No endpoint: tracing is off, the SDK is never loaded.
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: urlWithScheme(['http', 'https']).optional(),
    hint: 'the base URL of an OTLP/HTTP collector; traces go to <url>/v1/traces, e.g. OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318 (unset: tracing off)',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    schema: urlWithScheme(['http', 'https']).optional(),
    hint: 'the full OTLP/HTTP traces URL, used as is and before OTEL_EXPORTER_OTLP_ENDPOINT, e.g. OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://otel-collector:4318/v1/traces',
  },
  OTEL_EXPORTER_OTLP_HEADERS: {
    schema: z
      .string()
      .trim()
      .superRefine((value, context) => {
        const problem = parseOtlpHeaders(value).problem;
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    hint: 'comma-separated key=value headers sent with every export (values URL-encoded), e.g. OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<token>',
    secret: true,
  },
  OTEL_SERVICE_NAME: {
    schema: z.string().trim().min(1).default('prism'),
    hint: 'the service.name of the exported spans, e.g. OTEL_SERVICE_NAME=prism-eu-1',
  },
  OTEL_SDK_DISABLED: {
    schema: z.enum(['true', 'false'], { message: 'expected true or false' }).default('false'),
    hint: 'true turns tracing off even when an OTLP endpoint is set',
  },
} as const satisfies EnvVariables;

export type CoreVariableName = keyof typeof CORE_VARIABLES;

/**
 * Every variable Prism reads: the core's, then each registered store module's. Composed on each call, so a
 * store module registered at run time (tests) brings its variables along.
 */
export function envVariables(): EnvVariables {
  const all: Record<string, EnvVariable> = { ...CORE_VARIABLES };
  for (const module of storeModules()) {
    for (const [name, variable] of Object.entries(module.connection.variables)) {
      if (name in all) throw new Error(`The "${module.kind}" store module declares ${name}, which is taken.`);
      all[name] = variable;
    }
  }
  return all;
}

/** Variables that hold a secret: never logged, and also readable from a file named by `<VAR>_FILE`. */
export function secretVariables(variables: EnvVariables = envVariables()): string[] {
  return Object.keys(variables).filter((name) => variables[name]?.secret === true);
}

/** The parsed core variables, before they are shaped into AppConfig. */
export type CoreEnv = { readonly [K in CoreVariableName]: z.output<(typeof CORE_VARIABLES)[K]['schema']> };

/** A parser of the given variables; empty strings count as unset. */
export function envSchema(variables: EnvVariables = envVariables()) {
  return z.preprocess(
    (raw) =>
      Object.fromEntries(
        Object.keys(variables).flatMap((name) => {
          const value = (raw as Record<string, unknown>)[name];
          return value === undefined || value === '' ? [] : [[name, value]];
        }),
      ),
    z.object(Object.fromEntries(Object.entries(variables).map(([name, entry]) => [name, entry.schema]))),
  );
}
