/**
 * Checks the options a team's app gives PrismModule and turns them into the PrismConfig the providers
 * read. Every problem is collected and reported at once, each naming its option (`viewStores.neo4j.driver`,
 * `projections.files[1]`), so a bad option fails the start with a message that says what to fix, like a
 * bad environment does (src/config). Secrets are never echoed.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  API_KEY_NAME_PATTERN,
  type ApiKey,
  MIN_API_KEY_LENGTH,
  parseApiKeys,
  QUERY_AUTH_MODES,
} from '../auth/api-keys';
import { isRole, ROLES } from '../auth/roles';
import { isDefinitionFile, type WrittenSource } from '../dsl/loader/definition.loader';
import { eventStoreOption, isEventLog } from '../eventstore/event-store-options';
import { EMBEDDED_EVENT_STORE_FILE } from '../eventstore/event-store.settings';
import { findStoreModule, storeKinds } from '../stores/registry';
import { SHARED_READER_BY_DEFAULT } from '../runtime/runtime.options';
import type { EventSource, PrismConfig } from './prism-config';
import type { PrismOptions } from './prism-options';
import { resolveCoordination } from '../coordination/resolve-coordination';
import type { PrismRole } from '../coordination/coordination.port';

/** One bad option: `option` is its path in PrismOptions. */
export interface OptionProblem {
  readonly option: string;
  readonly problem: string;
}

/** The options are invalid; the message lists every bad option with what to give instead. */
export class PrismOptionsError extends Error {
  override readonly name = 'PrismOptionsError';
  constructor(readonly problems: readonly OptionProblem[]) {
    super(
      `Prism cannot start: ${problems.length} option${problems.length === 1 ? ' is' : 's are'} invalid.\n` +
        problems.map(({ option, problem }) => `  - ${option}: ${problem}.`).join('\n'),
    );
  }
}

/** The options PrismOptions knows. */
const KNOWN_OPTIONS = [
  'eventStore',
  'eventLog',
  'viewStores',
  'projections',
  'runtime',
  'queries',
  'commands',
  'auth',
  'tracing',
  'mount',
  'aggregates',
  'http',
  'role',
  'coordination',
  'node',
] as const;

const milliseconds = (min: number, max: number) =>
  z
    .number({ message: 'expected a number of milliseconds' })
    .int('expected an integer')
    .min(min, `expected ${min}..${max}`)
    .max(max, `expected ${min}..${max}`);

/** The plain parts of the options; instances, definitions and view stores are checked by hand below. */
const PLAIN = z.object({
  runtime: z
    .object({
      stallAfterMs: milliseconds(100, 3_600_000).default(30_000),
      sharedReader: z.boolean({ message: 'expected true or false' }).default(SHARED_READER_BY_DEFAULT),
    })
    .strict()
    .default({
      stallAfterMs: 30_000,
      sharedReader: SHARED_READER_BY_DEFAULT,
    }),
  queries: z
    .object({ readWaitMaxMs: milliseconds(0, 600_000).default(10_000) })
    .strict()
    .default({
      readWaitMaxMs: 10_000,
    }),
  commands: z
    .object({ idempotencyLeaseMs: milliseconds(1_000, 3_600_000).default(30_000) })
    .strict()
    .default({ idempotencyLeaseMs: 30_000 }),
  projections: z
    .object({
      folder: z.string().min(1, 'expected a folder path').optional(),
      files: z.array(z.string().min(1, 'expected a file path')).optional(),
      definitions: z.array(z.unknown()).optional(),
      knownEventTypes: z.array(z.string().min(1)).optional(),
      eventCatalog: z.string().min(1, 'expected a file path').optional(),
    })
    .strict()
    .default({}),
  auth: z
    .union([
      z.literal(false),
      z
        .object({
          apiKeys: z.union([z.string(), z.array(z.unknown())]).optional(),
          queryAuth: z.enum(QUERY_AUTH_MODES as ['public', 'keyed']).optional(),
        })
        .strict(),
    ])
    .optional(),
  tracing: z
    .object({
      url: z.string().url('expected the OTLP/HTTP traces URL'),
      serviceName: z.string().min(1),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .strict()
    .optional(),
  http: z.object({ appendRoute: z.boolean().optional() }).strict().optional(),
  mount: z
    .union([
      z.literal(false),
      z
        .object({
          query: z.boolean().optional(),
          admin: z.boolean().optional(),
          metrics: z.boolean().optional(),
          health: z.boolean().optional(),
        })
        .strict(),
    ])
    .optional(),
});

export interface ResolveContext {
  /** The options came from forRootAsync's factory: routes were fixed before it ran (`mount`, `http`). */
  readonly fromFactory?: boolean;
  /** forRootAsync's `http.appendRoute`, given beside the factory. */
  readonly appendRoute?: boolean;
  /** How many aggregates forRootAsync was given beside the factory. */
  readonly aggregates?: number;
  /** forRootAsync's `role`, given beside the factory (the routes depend on it). */
  readonly role?: PrismRole;
}

/** @throws PrismOptionsError listing every bad option. */
export function resolvePrismOptions(options: PrismOptions, context: ResolveContext = {}): PrismConfig {
  const problems: OptionProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new PrismOptionsError([
      {
        option: '(options)',
        problem: 'expected an object such as `{ eventStore, viewStores, projections }`',
      },
    ]);
  }
  for (const key of Object.keys(options))
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key))
      problems.push({ option: key, problem: `unknown option (known: ${KNOWN_OPTIONS.join(', ')})` });
  for (const option of ['mount', 'http', 'aggregates', 'role'] as const)
    if (context.fromFactory && options[option] !== undefined)
      problems.push({
        option,
        problem: `give \`${option}\` to forRootAsync beside \`useFactory\`, not in what the factory returns: the routes are fixed before the factory runs`,
      });
  if (options.aggregates !== undefined && !Array.isArray(options.aggregates))
    problems.push({ option: 'aggregates', problem: 'expected a list of defineAggregate(...) results' });
  else if (options.eventLog !== undefined && (context.aggregates ?? options.aggregates?.length ?? 0) > 0)
    problems.push({
      option: 'aggregates',
      problem: 'a read-only `eventLog` takes no commands; give an `eventStore`, or no aggregates',
    });
  if (options.eventLog !== undefined && (context.appendRoute ?? options.http?.appendRoute) === true)
    problems.push({
      option: 'http.appendRoute',
      problem: 'a read-only `eventLog` takes no appends; give an `eventStore`, or leave the append route off',
    });
  const plain = PLAIN.safeParse(options);
  if (!plain.success)
    for (const issue of plain.error.issues)
      problems.push({ option: optionPath(issue.path), problem: issue.message });
  const events = eventSourceOf(options, problems);
  const viewStores = viewStoresOf(options.viewStores, problems);
  const definitions = definitionsOf(options.projections?.definitions, problems);
  const paths = projectionPathsOf(options.projections, problems);
  const eventCatalog = eventCatalogOf(options.projections, problems);
  // Checked apart from the rest, so its problems are reported even when another part is bad.
  const authInput = PLAIN.shape.auth.safeParse(options.auth);
  const auth = authInput.success ? authOf(authInput.data, problems) : false;
  const cluster = resolveCoordination(options, events, viewStores, problems, context.role);
  if (problems.length > 0 || !plain.success || events === undefined) throw new PrismOptionsError(problems);
  const { runtime, queries, commands, projections, tracing } = plain.data;
  return {
    events,
    viewStores,
    projections: {
      paths,
      definitions,
      ...(projections.knownEventTypes !== undefined && {
        knownEventTypes: new Set(projections.knownEventTypes),
      }),
      ...(eventCatalog !== undefined && { eventCatalog }),
      description: describeSources(paths, definitions),
      stallAfterMs: runtime.stallAfterMs,
      sharedReader: runtime.sharedReader,
    },
    commands,
    queries,
    auth,
    ...(tracing !== undefined && { tracing }),
    role: cluster.role,
    coordination: cluster.coordination,
    node: cluster.node,
  };
}

function eventSourceOf(options: PrismOptions, problems: OptionProblem[]): EventSource | undefined {
  const { eventStore, eventLog } = options;
  if (eventStore !== undefined && eventLog !== undefined) {
    problems.push({ option: 'eventLog', problem: 'give either `eventStore` or `eventLog`, not both' });
    return undefined;
  }
  if (eventLog !== undefined) {
    if (isEventLog(eventLog)) return { kind: 'log', log: eventLog };
    // Settings of a table log: its mapping is checked against the database when the log opens.
    if (
      typeof eventLog === 'object' &&
      eventLog !== null &&
      (eventLog as { kind?: unknown }).kind === 'sql-table'
    )
      return { kind: 'settings', settings: eventLog };
    problems.push({
      option: 'eventLog',
      problem:
        'expected an EventLog (kind, readStream, readAll, subscribeToAll, headPosition, close), e.g. sqlTableEventLog(...)',
    });
    return undefined;
  }
  if (eventStore === undefined) {
    problems.push({
      option: 'eventStore',
      problem: `required: an EventStore instance, or settings such as \`{ kind: "embedded", file: "./data/${EMBEDDED_EVENT_STORE_FILE}" }\` (or give a read-only \`eventLog\`)`,
    });
    return undefined;
  }
  const read = eventStoreOption(eventStore);
  if ('store' in read) return { kind: 'store', store: read.store };
  if ('settings' in read) return { kind: 'settings', settings: read.settings };
  for (const problem of read.problems)
    problems.push({ option: joinPath('eventStore', problem.path), problem: problem.problem });
  return undefined;
}

/** Each entry read by its store module (a kind or an alias), keyed by the store's kind. */
function viewStoresOf(value: unknown, problems: OptionProblem[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (value === undefined) return settings;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({
      option: 'viewStores',
      problem: `expected an object keyed by store kind (${storeKinds().join(', ')})`,
    });
    return settings;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    const option = `viewStores.${key}`;
    const module = findStoreModule(key);
    if (module === undefined) {
      problems.push({ option, problem: `no view store of this kind (known: ${storeKinds().join(', ')})` });
      continue;
    }
    if (settings[module.kind] !== undefined) {
      problems.push({ option, problem: `the ${module.kind} store is given twice (once under an alias)` });
      continue;
    }
    const read = module.connection.fromOptions?.(entry) ?? { settings: entry, problems: [] };
    for (const problem of read.problems)
      problems.push({ option: joinPath(option, problem.path), problem: problem.problem });
    if (read.settings !== undefined && read.problems.length === 0) settings[module.kind] = read.settings;
  }
  return settings;
}

/** Builder definitions as data, each named `<definition name>` in errors (or by its index). */
function definitionsOf(value: readonly unknown[] | undefined, problems: OptionProblem[]): WrittenSource[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((definition, index): WrittenSource[] => {
    const option = `projections.definitions[${index}]`;
    let written: unknown = definition;
    if (typeof definition === 'object' && definition !== null && 'toWritten' in definition) {
      const toWritten = (definition as { toWritten: unknown }).toWritten;
      if (typeof toWritten !== 'function') {
        problems.push({
          option,
          problem: 'expected a defineProjection(...) builder or its toWritten() data',
        });
        return [];
      }
      written = (toWritten as () => unknown).call(definition);
    }
    if (typeof written !== 'object' || written === null || Array.isArray(written)) {
      problems.push({ option, problem: 'expected a defineProjection(...) builder or its toWritten() data' });
      return [];
    }
    const name = (written as { name?: unknown }).name;
    return [{ origin: `<definition ${typeof name === 'string' ? name : `#${index}`}>`, value: written }];
  });
}

/** The event catalog file: the option (it must exist), else `<folder>/events.catalog.yaml` when it exists. */
function eventCatalogOf(value: PrismOptions['projections'], problems: OptionProblem[]): string | undefined {
  const given = value?.eventCatalog;
  if (typeof given === 'string' && given !== '') {
    const file = path.resolve(given);
    if (statSync(file, { throwIfNoEntry: false })?.isFile() === true) return file;
    problems.push({ option: 'projections.eventCatalog', problem: `${file} is not a file` });
    return undefined;
  }
  if (typeof value?.folder !== 'string' || value.folder === '') return undefined;
  const fallback = path.resolve(value.folder, 'events.catalog.yaml');
  return statSync(fallback, { throwIfNoEntry: false })?.isFile() === true ? fallback : undefined;
}

/** The folder and the files, checked to exist now: a missing one would otherwise mean "no projections". */
function projectionPathsOf(value: PrismOptions['projections'], problems: OptionProblem[]): string[] {
  const paths: string[] = [];
  if (typeof value?.folder === 'string' && value.folder !== '') {
    const folder = path.resolve(value.folder);
    if (statSync(folder, { throwIfNoEntry: false })?.isDirectory() === true) paths.push(folder);
    else problems.push({ option: 'projections.folder', problem: `${folder} is not a folder` });
  }
  if (Array.isArray(value?.files))
    value.files.forEach((file, index) => {
      if (typeof file !== 'string' || file === '') return;
      const option = `projections.files[${index}]`;
      const absolute = path.resolve(file);
      if (statSync(absolute, { throwIfNoEntry: false })?.isFile() !== true)
        problems.push({ option, problem: `${absolute} is not a file` });
      else if (!isDefinitionFile(absolute))
        problems.push({ option, problem: 'expected a *.yaml definition (a *.test.yaml is a data test)' });
      else paths.push(absolute);
    });
  return paths;
}

type AuthInput = z.output<typeof PLAIN>['auth'];

function authOf(value: AuthInput, problems: OptionProblem[]): PrismConfig['auth'] {
  if (value === false) return false;
  const queryAuth = value?.queryAuth ?? 'public';
  const apiKeys = apiKeysOf(value?.apiKeys, problems);
  if (queryAuth === 'keyed' && apiKeys.length === 0)
    problems.push({ option: 'auth.apiKeys', problem: "required when auth.queryAuth is 'keyed'" });
  return { apiKeys, queryAuth };
}

/** The PRISM_API_KEYS text, or `{ role, key, name? }` objects with the same rules; a key is never echoed. */
function apiKeysOf(value: string | readonly unknown[] | undefined, problems: OptionProblem[]): ApiKey[] {
  if (value === undefined) return [];
  if (typeof value === 'string') {
    const parsed = parseApiKeys(value);
    for (const problem of parsed.problems) problems.push({ option: 'auth.apiKeys', problem });
    return [...parsed.keys];
  }
  const keys: ApiKey[] = [];
  const seen = new Set<string>();
  value.forEach((entry, index) => {
    const option = `auth.apiKeys[${index}]`;
    const { role, key, name } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    if (typeof role !== 'string' || !isRole(role))
      problems.push({ option: `${option}.role`, problem: `expected one of ${ROLES.join(', ')}` });
    else if (typeof key !== 'string' || key.length < MIN_API_KEY_LENGTH || /\s/.test(key))
      problems.push({
        option: `${option}.key`,
        problem: `expected a key of at least ${MIN_API_KEY_LENGTH} characters without whitespace`,
      });
    else if (seen.has(key))
      problems.push({ option: `${option}.key`, problem: 'repeats a key listed before' });
    else if (name !== undefined && (typeof name !== 'string' || !API_KEY_NAME_PATTERN.test(name)))
      problems.push({
        option: `${option}.name`,
        problem: 'expected 1-64 letters, digits, ".", "_", "-" or "@", starting with a letter or a digit',
      });
    else {
      seen.add(key);
      keys.push({ role, key, ...(name !== undefined && { name: name }) });
    }
  });
  return keys;
}

function describeSources(paths: readonly string[], definitions: readonly WrittenSource[]): string {
  const parts = paths.map((file) => path.relative(process.cwd(), file) || '.');
  if (definitions.length > 0)
    parts.push(`${definitions.length} TypeScript definition${definitions.length === 1 ? '' : 's'}`);
  return parts.length === 0 ? 'no projection sources' : parts.join(', ');
}

/** `projections.files[1]`: zod's path in the notation the messages use. */
function optionPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (text, segment) =>
      typeof segment === 'number' ? `${text}[${segment}]` : joinPath(text, String(segment)),
    '',
  );
}

function joinPath(prefix: string, rest: string): string {
  if (rest === '') return prefix;
  return prefix === '' ? rest : `${prefix}.${rest}`;
}
